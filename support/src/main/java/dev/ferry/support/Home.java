package dev.ferry.support;

/**
 * The framework property naming the worker's home folder, as the executor bundles read it: they import only
 * the executor API, so the worker's own name for it ({@code dev.ferry.worker.spi.FrameworkProperties.HOME})
 * is out of their reach; a test of the worker keeps the two equal.
 */
public final class Home {
    private Home() {}

    /** {@code ferry.home}. */
    public static final String PROPERTY = "ferry.home";
}
