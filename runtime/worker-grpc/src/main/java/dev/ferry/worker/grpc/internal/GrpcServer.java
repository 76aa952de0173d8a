package dev.ferry.worker.grpc.internal;

import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.support.Configs;
import dev.ferry.support.Configured;
import dev.ferry.worker.grpc.v1.WorkerGrpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's gRPC server. Everything it runs on is its own: Netty event loops, the request
 * executor and the health scheduler start here and are shut down, and waited for, on deactivate,
 * so an update or restart of this bundle leaves no thread running old code (gRPC's shared
 * defaults would outlive the bundle).
 *
 * <p>Whether it is serving, and where, is published as a service property for the launcher's
 * ready line: {@value #ADDRESS} (host:port), or {@value #FAILURE} with the reason.
 */
@Component(immediate = true, configurationPid = GrpcConfig.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = GrpcConfig.class)
public final class GrpcServer {
    static final String ADDRESS = dev.ferry.worker.spi.ServiceProperties.GRPC_ADDRESS;
    static final String FAILURE = dev.ferry.worker.spi.ServiceProperties.GRPC_FAILURE;
    private static final String EXECUTE = WorkerGrpc.getExecuteMethod().getFullMethodName();
    private static final String EXECUTE_STREAM =
            WorkerGrpc.getExecuteStreamMethod().getFullMethodName();
    private static final Logger LOG = LoggerFactory.getLogger(GrpcServer.class);

    private final BundleContext context;
    private final ExecutorRegistry registry;
    private Running running; // guarded by this
    private Settings settings; // guarded by this: what runs now (null when it never started)
    private ServiceRegistration<GrpcEndpoint> endpoint; // guarded by this
    private final CallCounter calls = new CallCounter();
    private final Configured<Settings> config = new Configured<>(LOG, "the gRPC API", "does not start", null);
    private final ServiceRegistration<?> callMetrics;
    private final ServiceRegistration<?> beforeStop;

    @Activate
    public GrpcServer(BundleContext context, Map<String, Object> properties, @Reference ExecutorRegistry registry) {
        this.context = context;
        this.registry = registry;
        callMetrics = context.registerService(dev.ferry.worker.spi.MetricFamily.class, calls, null);
        Hashtable<String, Object> first = new Hashtable<>();
        first.put(dev.ferry.worker.spi.ServiceProperties.BEFORE_STOP, Boolean.TRUE);
        beforeStop = context.registerService(Runnable.class, this::quiesce, first);
        Running started = null;
        String key = ADDRESS;
        String value;
        Settings s = config.start(() -> read(properties)).get();
        if (s == null) {
            key = FAILURE; // refused: never something more open instead
            value = config.refused();
        } else {
            if (s.retired != null) {
                LOG.warn(s.retired);
            }
            try {
                if (s.enabled) {
                    started = Running.start(context, registry, s, calls);
                    value = started.address;
                } else {
                    LOG.info("The gRPC API is disabled (enabled = false in {}.cfg)", GrpcConfig.PID);
                    value = "off";
                }
                settings = s;
            } catch (IllegalArgumentException e) {
                LOG.error("The gRPC API does not start: {}", e.getMessage());
                key = FAILURE;
                value = e.getMessage();
            }
        }
        running = started;
        endpoint = publish(context, key, value);
    }

    /**
     * A changed configuration restarts the server with it; a refused one (a short token, a non-loopback
     * address without authentication once the file is deleted…) leaves the running server as it is.
     */
    @Modified
    synchronized void modified(Map<String, Object> properties) {
        if (!config.update(() -> read(properties))) {
            return; // refused: said, and what runs now stays
        }
        Settings next = config.get();
        if (next.retired != null) {
            LOG.warn(next.retired);
        }
        Running previous = running;
        Settings previousSettings = settings;
        if (previous != null) {
            previous.stop();
        }
        running = null;
        String key = ADDRESS;
        String value = "off";
        try {
            if (next.enabled) {
                running = Running.start(context, registry, next, calls);
                value = running.address;
            }
            settings = next;
            LOG.info("gRPC API reconfigured: {}", value);
        } catch (IllegalArgumentException e) {
            LOG.warn(
                    "The gRPC API could not restart with its new configuration ({}); back to the previous one",
                    e.getMessage());
            try {
                if (previousSettings != null && previousSettings.enabled) {
                    running = Running.start(context, registry, previousSettings, calls);
                    value = running.address;
                }
            } catch (IllegalArgumentException again) {
                LOG.error("The gRPC API is down: {}", again.getMessage());
                key = FAILURE;
                value = again.getMessage();
            }
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(key, value);
        try {
            endpoint.setProperties(props);
        } catch (IllegalStateException e) {
            // stopping
        }
    }

    private Settings read(Map<String, Object> properties) {
        return Settings.of(Configs.read(GrpcConfig.class, GrpcConfig.PID, properties), context::getProperty);
    }

    /**
     * The worker stops (the launcher runs this on SIGTERM before it stops the framework; a bundle stop runs it too):
     * NOT_SERVING on every health entry, the shutdown grace, GOAWAY, then the calls that run finish.
     */
    void quiesce() {
        Running r;
        synchronized (this) {
            r = running;
        }
        if (r != null) {
            r.quiesce();
        }
    }

    @Deactivate
    void deactivate() {
        quiesce(); // outside the lock: it waits for calls
        stop();
    }

    private synchronized void stop() {
        for (ServiceRegistration<?> r : java.util.List.of(callMetrics, beforeStop)) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // the bundle is stopping and took it already
            }
        }
        try {
            endpoint.unregister();
        } catch (IllegalStateException e) {
            // the bundle is stopping and took it already
        }
        if (running != null) {
            running.stop();
        }
        LOG.debug("gRPC API stopped");
    }

    /** A listening server and everything it runs on. */
    private static final class Running {
        private final EventLoopGroup boss;
        private final EventLoopGroup workers;
        private final ThreadPoolExecutor requests;
        private final ExecutorService control;
        private final ScheduledExecutorService scheduler;
        private final HealthStatusManager health = new HealthStatusManager();
        private final Settings settings;
        private final java.util.concurrent.atomic.AtomicBoolean quiesced =
                new java.util.concurrent.atomic.AtomicBoolean();
        private Server server;
        private HealthEntries entries;
        private ServiceRegistration<dev.ferry.worker.spi.ServingListener> listening;
        private String address;

        private Running(Settings settings) {
            this.settings = settings;
            boss = new NioEventLoopGroup(1, dev.ferry.support.Threads.factory("ferry-grpc-accept"));
            workers = new NioEventLoopGroup(
                    Math.min(4, Runtime.getRuntime().availableProcessors()),
                    dev.ferry.support.Threads.factory("ferry-grpc-io"));
            // A fixed few (gRPC's own default is an unbounded cached pool): an Execute holds its thread only
            // to read the request and submit the task; the registry parks a task that must wait, and the
            // answer is sent from whichever thread completes it. So a cancel always finds a thread.
            requests = new ThreadPoolExecutor(
                    settings.threads,
                    settings.threads,
                    60,
                    TimeUnit.SECONDS,
                    new java.util.concurrent.LinkedBlockingQueue<>(),
                    dev.ferry.support.Threads.factory("ferry-grpc-call"));
            requests.allowCoreThreadTimeOut(true);
            control = dev.ferry.support.Threads.boundedPool("ferry-grpc-control", 4, 1024);
            scheduler = dev.ferry.support.Threads.scheduled("ferry-grpc-health");
        }

        /** @throws IllegalArgumentException saying why it could not start (its threads are gone again) */
        static Running start(BundleContext context, ExecutorRegistry registry, Settings settings, CallCounter calls) {
            Running r = new Running(settings);
            try {
                NettyServerBuilder builder = NettyServerBuilder.forAddress(
                                new InetSocketAddress(settings.address, settings.port), credentials(settings))
                        .bossEventLoopGroup(r.boss)
                        .workerEventLoopGroup(r.workers)
                        .channelType(NioServerSocketChannel.class)
                        // Execute runs on the request threads; health, reflection, Validate and
                        // Capabilities on the control threads, so a probe answers however busy Execute
                        // is (a Validate may wait, bounded, for a type being updated). gRPC looks each call's method up
                        // on the default executor before it
                        // switches to the supplied one: that lookup runs inline on the Netty thread (it
                        // only reads the method table), which saves every call a thread hop.
                        .executor(Runnable::run)
                        .callExecutor(new ServerCallExecutorSupplier() {
                            @Override
                            public <Q, A> java.util.concurrent.Executor getExecutor(
                                    ServerCall<Q, A> call, Metadata headers) {
                                String method = call.getMethodDescriptor().getFullMethodName();
                                return EXECUTE.equals(method) || EXECUTE_STREAM.equals(method) ? r.requests : r.control;
                            }
                        })
                        .maxInboundMessageSize(settings.maxInboundMessageBytes)
                        .maxInboundMetadataSize(settings.maxInboundMetadataBytes)
                        .maxConcurrentCallsPerConnection(settings.maxConcurrentCallsPerConnection)
                        .addService(r.health.getHealthService())
                        .addService(ProtoReflectionServiceV1.newInstance())
                        .addService(ProtoReflectionService.newInstance())
                        .addService(EarlyHeaders.flushed(
                                new WorkerService(
                                                registry,
                                                settings.maxOutboundMessageBytes,
                                                settings.maxStreamBytes,
                                                new TaskIds(
                                                        settings.taskIdWindowSize,
                                                        TimeUnit.SECONDS.toNanos(settings.taskIdWindowSeconds),
                                                        System::nanoTime))
                                        .bindService(),
                                EXECUTE));
                if (settings.maxConnectionAgeSeconds > 0) {
                    builder.maxConnectionAge(settings.maxConnectionAgeSeconds, TimeUnit.SECONDS);
                    if (settings.maxConnectionAgeGraceSeconds > 0) {
                        builder.maxConnectionAgeGrace(settings.maxConnectionAgeGraceSeconds, TimeUnit.SECONDS);
                    }
                }
                builder.intercept(new EarlyHeaders()); // first added, last to run: the handler sees its call
                builder.intercept(new Caller(settings.token != null)); // runs after the token check
                if (settings.token != null) {
                    builder.intercept(new BearerToken(settings.token, settings.healthWithoutToken));
                }
                builder.intercept(calls); // last added, first to run: refused calls count too
                r.server = builder.build().start();
            } catch (IOException e) {
                r.shutDownThreads();
                throw new IllegalArgumentException(bindProblem(settings, e));
            } catch (RuntimeException e) {
                r.shutDownThreads();
                throw new IllegalArgumentException(
                        "cannot start on " + settings.host + ":" + settings.port + ": " + e.getMessage());
            }
            r.entries = new HealthEntries(context, registry, r.health, r.scheduler, settings.healthRefreshSeconds);
            r.listening = context.registerService(dev.ferry.worker.spi.ServingListener.class, r.entries, null);
            r.address = hostPort(
                    settings, ((InetSocketAddress) r.server.getListenSockets().get(0)).getPort());
            if (settings.tokenInClearBeyondLoopback()) {
                LOG.warn(
                        "The gRPC API on {} takes a bearer token over plain TCP: anyone on the path can read it. Add"
                                + " tls_cert_file and tls_key_file to {}.cfg",
                        r.address,
                        GrpcConfig.PID);
            }
            LOG.info(
                    "gRPC API listening on {} ({}{})",
                    r.address,
                    settings.tls() ? (settings.mutualTls() ? "mutual TLS" : "TLS") : "plain TCP",
                    settings.token != null ? ", bearer token" : "");
            return r;
        }

        /** NOT_SERVING everywhere, the grace, GOAWAY, and the running calls' end (bounded); once. */
        void quiesce() {
            if (!quiesced.compareAndSet(false, true)) {
                return;
            }
            unlisten();
            health.enterTerminalState(); // every entry, "" too, NOT_SERVING: watching clients hear it now
            entries.close(); // after: a refresh it sets off may no longer clear an entry
            LOG.info(
                    "The worker stops: gRPC health reports NOT_SERVING; calls are still taken for {} ms, then clients"
                            + " are asked to go (GOAWAY) and the calls that run get {} s to finish",
                    settings.shutdownGraceMs,
                    settings.shutdownTimeoutSeconds);
            try {
                Thread.sleep(settings.shutdownGraceMs); // the grace itself: clients that poll health see it
                server.shutdown();
                if (!server.awaitTermination(settings.shutdownTimeoutSeconds, TimeUnit.SECONDS)) {
                    LOG.warn(
                            "Calls still ran {} s after the worker began to stop (shutdown_timeout_seconds in {}.cfg);"
                                    + " they are cut",
                            settings.shutdownTimeoutSeconds,
                            GrpcConfig.PID);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void unlisten() {
            try {
                listening.unregister();
            } catch (IllegalStateException e) {
                // the bundle is stopping and took it already
            }
        }

        void stop() {
            unlisten();
            entries.close();
            if (!quiesced.get()) {
                health.enterTerminalState(); // once: a second time only warns
            }
            server.shutdown();
            try {
                if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
                    server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                server.shutdownNow();
            }
            shutDownThreads();
        }

        private void shutDownThreads() {
            requests.shutdownNow();
            control.shutdownNow();
            scheduler.shutdownNow();
            // quiet period 0: no new work can arrive, the server is closed
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            try {
                requests.awaitTermination(2, TimeUnit.SECONDS);
                control.awaitTermination(2, TimeUnit.SECONDS);
                scheduler.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static ServerCredentials credentials(Settings s) throws IOException {
        if (!s.tls()) {
            return InsecureServerCredentials.create();
        }
        TlsServerCredentials.Builder b =
                TlsServerCredentials.newBuilder().keyManager(s.certFile.toFile(), s.keyFile.toFile());
        if (s.mutualTls()) {
            b.trustManager(s.clientCaFile.toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
        }
        return b.build();
    }

    private static String bindProblem(Settings s, IOException e) {
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof BindException)) {
            cause = cause.getCause();
        }
        if (cause instanceof BindException) {
            return "cannot listen on " + s.host + ":" + s.port + " (" + cause.getMessage() + "): another process may"
                    + " use the port; choose another with --grpc-port (0 picks a free one) or port in etc/"
                    + GrpcConfig.PID + ".cfg";
        }
        return "cannot start on " + s.host + ":" + s.port + ": " + e.getMessage()
                + (s.tls() ? " (check the TLS files: PEM certificate chain and PKCS#8 key)" : "");
    }

    private static String hostPort(Settings s, int port) {
        String host = s.address.getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static ServiceRegistration<GrpcEndpoint> publish(BundleContext context, String key, String value) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(key, value);
        return context.registerService(GrpcEndpoint.class, new GrpcEndpoint(), props);
    }
}
