package dev.ferry.worker.grpc.internal;

import dev.ferry.executor.api.ExecutorRegistry;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
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
    static final String ADDRESS = "ferry.grpc.address";
    static final String FAILURE = "ferry.grpc.failure";
    private static final Logger LOG = LoggerFactory.getLogger(GrpcServer.class);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService requests;
    private final ScheduledExecutorService scheduler;
    private final HealthStatusManager health;
    private final HealthEntries entries;
    private final Server server;
    private final ServiceRegistration<GrpcEndpoint> endpoint;

    @Activate
    public GrpcServer(BundleContext context, GrpcConfig config, @Reference ExecutorRegistry registry) {
        Settings settings;
        try {
            settings = Settings.of(config, context::getProperty);
        } catch (IllegalArgumentException e) {
            LOG.error("The gRPC API does not start: {}", e.getMessage());
            endpoint = publish(context, FAILURE, e.getMessage());
            boss = workers = null;
            requests = null;
            scheduler = null;
            health = null;
            entries = null;
            server = null;
            return;
        }
        if (!settings.enabled) {
            LOG.info("The gRPC API is disabled (enabled = false in {}.cfg)", GrpcConfig.PID);
            endpoint = publish(context, ADDRESS, "off");
            boss = workers = null;
            requests = null;
            scheduler = null;
            health = null;
            entries = null;
            server = null;
            return;
        }
        boss = new NioEventLoopGroup(1, threads("ferry-grpc-accept"));
        workers = new NioEventLoopGroup(Math.min(4, Runtime.getRuntime().availableProcessors()), threads("ferry-grpc-io"));
        requests = Executors.newFixedThreadPool(settings.threads, threads("ferry-grpc-call"));
        scheduler = Executors.newSingleThreadScheduledExecutor(threads("ferry-grpc-health"));
        health = new HealthStatusManager();
        Server started = null;
        String problem;
        try {
            NettyServerBuilder builder = NettyServerBuilder
                    .forAddress(new InetSocketAddress(settings.address, settings.port), credentials(settings))
                    .bossEventLoopGroup(boss)
                    .workerEventLoopGroup(workers)
                    .channelType(NioServerSocketChannel.class)
                    .executor(requests)
                    .maxInboundMessageSize(settings.maxInboundMessageBytes)
                    .maxInboundMetadataSize(settings.maxInboundMetadataBytes)
                    .maxConcurrentCallsPerConnection(settings.maxConcurrentCallsPerConnection)
                    .addService(health.getHealthService())
                    .addService(ProtoReflectionServiceV1.newInstance())
                    .addService(ProtoReflectionService.newInstance());
            WorkerService worker = new WorkerService(registry);
            if (settings.token != null) {
                BearerToken token = new BearerToken(settings.token);
                builder.intercept(token);
            }
            builder.addService(worker);
            started = builder.build().start();
            problem = null;
        } catch (IOException e) {
            problem = bindProblem(settings, e);
        } catch (RuntimeException e) {
            problem = "cannot start on " + settings.host + ":" + settings.port + ": " + e.getMessage();
        }
        server = started;
        if (started == null) {
            LOG.error("The gRPC API does not start: {}", problem);
            entries = null;
            shutDownThreads();
            endpoint = publish(context, FAILURE, problem);
            return;
        }
        entries = new HealthEntries(context, registry, health, scheduler, settings.healthRefreshSeconds);
        String address = hostPort(settings, ((InetSocketAddress) started.getListenSockets().get(0)).getPort());
        if (settings.tokenInClearBeyondLoopback()) {
            LOG.warn("The gRPC API on {} takes a bearer token over plain TCP: anyone on the path can read it. Add"
                    + " tls_cert_file and tls_key_file to {}.cfg", address, GrpcConfig.PID);
        }
        LOG.info("gRPC API listening on {} ({}{})", address, settings.tls() ? (settings.mutualTls() ? "mutual TLS" : "TLS") : "plain TCP",
                settings.token != null ? ", bearer token" : "");
        endpoint = publish(context, ADDRESS, address);
    }

    @Deactivate
    void stop() {
        if (endpoint != null) {
            try {
                endpoint.unregister();
            } catch (IllegalStateException e) {
                // the bundle is stopping and took it already
            }
        }
        if (server == null) {
            return;
        }
        entries.close();
        health.enterTerminalState();
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
        LOG.debug("gRPC API stopped");
    }

    private void shutDownThreads() {
        requests.shutdownNow();
        scheduler.shutdownNow();
        // quiet period 0: no new work can arrive, the server is closed
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        try {
            requests.awaitTermination(2, TimeUnit.SECONDS);
            scheduler.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ServerCredentials credentials(Settings s) throws IOException {
        if (!s.tls()) {
            return InsecureServerCredentials.create();
        }
        TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder().keyManager(s.certFile.toFile(), s.keyFile.toFile());
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

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
