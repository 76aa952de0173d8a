package dev.ferry.testing.osgi;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * What an operator's update does to a bundle in a real framework, done by a test and waited for: the
 * new content installed, then the refresh that lets the old revision go.
 *
 * <pre>
 * Refresh.update(context, bundle, in, Duration.ofSeconds(30));
 * </pre>
 */
public final class Refresh {
    private Refresh() {}

    /** Updates the bundle from {@code content} and refreshes it, as FileInstall or an operator would. */
    public static void update(BundleContext context, Bundle bundle, InputStream content, Duration within)
            throws Exception {
        bundle.update(content);
        refresh(context, within, bundle);
    }

    /**
     * Refreshes the bundles (and what depends on them) and waits for the framework to say it is done.
     *
     * @throws AssertionError when it did not finish in time
     */
    public static void refresh(BundleContext context, Duration within, Bundle... bundles) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(bundles), e -> {
            if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                done.countDown();
            }
        });
        if (!done.await(within.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new AssertionError("the refresh of " + List.of(bundles) + " did not finish within " + within);
        }
    }
}
