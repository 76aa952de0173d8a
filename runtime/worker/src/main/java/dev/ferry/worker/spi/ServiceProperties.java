package dev.ferry.worker.spi;

/** Properties of services the worker's bundles register for each other and for the launcher. */
public final class ServiceProperties {
    private ServiceProperties() {}

    /** On the gRPC API's endpoint service: {@code host:port} where it serves, or {@code off}. */
    public static final String GRPC_ADDRESS = "ferry.grpc.address";
    /** On the gRPC API's endpoint service instead of {@link #GRPC_ADDRESS}: why it does not serve. */
    public static final String GRPC_FAILURE = "ferry.grpc.failure";
    /**
     * {@code true} on a {@link Runnable} a shell command registers while it can be stopped: the standalone
     * launcher runs it on Ctrl-C (Karaf's shell interrupts the command's thread itself).
     */
    public static final String SHELL_INTERRUPT = "ferry.shell.interrupt";

    /**
     * {@code true} on a {@link Runnable} that must run before the framework stops: the standalone launcher runs
     * each on SIGTERM (or at the end of the shell) and only then stops the framework. The gRPC API registers one:
     * it reports NOT_SERVING, waits its shutdown grace, sends GOAWAY and waits for the calls that run. A
     * {@code Runnable} because the launcher lives outside the framework and shares no class but the JDK's with
     * it. In Karaf, the bundle's own stop does the same.
     */
    public static final String BEFORE_STOP = "ferry.before.stop";
}
