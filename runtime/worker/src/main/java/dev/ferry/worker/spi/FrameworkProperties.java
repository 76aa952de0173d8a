package dev.ferry.worker.spi;

/**
 * Framework properties the worker's bundles read: set by the launcher from its command line and home
 * folder, or by hand in Karaf's {@code etc/config.properties}.
 */
public final class FrameworkProperties {
    private FrameworkProperties() {}

    /**
     * The worker's home folder ({@code etc/}, {@code deploy/}, {@code data/}). The executor bundles read it too,
     * through their private copy of the same name ({@code dev.ferry.support.Home}), since they import only the
     * executor API; a test keeps the two equal.
     */
    public static final String HOME = "ferry.home";
    /** The folder watched for executor bundles. */
    public static final String DEPLOY_DIR = "ferry.deploy.dir";
    /** How often, in milliseconds, {@link #DEPLOY_DIR} is looked at. */
    public static final String DEPLOY_POLL = "ferry.deploy.poll";
    /** The largest jar {@link #DEPLOY_DIR} installs, in bytes. */
    public static final String DEPLOY_MAX_BYTES = "ferry.deploy.max.bytes";
    /** The config.yaml file the worker applies and watches. */
    public static final String CONFIG_FILE = "ferry.config.file";
    /** How often, in milliseconds, {@link #CONFIG_FILE} is looked at. */
    public static final String CONFIG_POLL = "ferry.config.poll";
    /** The gRPC API's host, overriding its configuration (the launcher's --grpc-host). */
    public static final String GRPC_HOST = "ferry.grpc.host";
    /** The gRPC API's port, overriding its configuration (the launcher's --grpc-port). */
    public static final String GRPC_PORT = "ferry.grpc.port";
    /** {@code jul} when the launcher routes logging through java.util.logging, whose levels the worker then sets. */
    public static final String LOGGING = "ferry.logging";
}
