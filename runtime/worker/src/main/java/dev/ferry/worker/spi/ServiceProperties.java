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
}
