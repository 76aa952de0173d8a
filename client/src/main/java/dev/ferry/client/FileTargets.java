package dev.ferry.client;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.Status;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A target that is a file of workers, {@code file:///etc/ferry/workers}: one {@code host:port} a line ({@code #}
 * starts a comment). Under TLS every worker's certificate must name the target's host, {@code
 * file://ferry.internal/etc/ferry/workers}, or {@code localhost} when it has none. Read again whenever gRPC resolves the target again (a connection lost, or aged out by the
 * worker's max_connection_age), so workers added to the file get tasks without a restart of the caller. For machines
 * without a DNS name for the fleet; with one, use {@code dns:///name:port}.
 */
final class FileTargets extends NameResolverProvider {
    static final String SCHEME = "file";
    /** The most a worker file may hold: thousands of workers. */
    static final int MAX_BYTES = 1024 * 1024;

    private static boolean installed; // guarded by FileTargets.class

    /**
     * Adds the scheme to gRPC's default registry, once: channels look schemes up there (a resolver handed to one
     * channel's builder is not asked for its scheme). gRPC has no {@code file} scheme of its own.
     */
    static synchronized void install() {
        if (!installed) {
            io.grpc.NameResolverRegistry.getDefaultRegistry().register(new FileTargets());
            installed = true;
        }
    }

    @Override
    protected boolean isAvailable() {
        return true;
    }

    @Override
    protected int priority() {
        return 4; // below dns (5): a target without a scheme stays a DNS name
    }

    @Override
    public String getDefaultScheme() {
        return SCHEME;
    }

    @Override
    public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
        return List.of(InetSocketAddress.class);
    }

    @Override
    public NameResolver newNameResolver(URI target, NameResolver.Args args) {
        if (!SCHEME.equals(target.getScheme())) {
            return null;
        }
        Path file = Path.of(target.getPath());
        return new NameResolver() {
            private Listener2 listener;

            @Override
            public String getServiceAuthority() {
                // the name TLS checks every worker's certificate against: file://NAME/path, else localhost
                return target.getAuthority() == null || target.getAuthority().isEmpty()
                        ? "localhost"
                        : target.getAuthority();
            }

            @Override
            public void start(Listener2 listener) {
                this.listener = listener;
                resolve();
            }

            @Override
            public void refresh() {
                resolve();
            }

            private void resolve() {
                try {
                    List<EquivalentAddressGroup> groups = new ArrayList<>();
                    for (InetSocketAddress a : read(file, args.getDefaultPort())) {
                        groups.add(new EquivalentAddressGroup(a));
                    }
                    if (groups.isEmpty()) {
                        listener.onError(Status.UNAVAILABLE.withDescription(
                                "the worker list " + file + " names no worker; add lines of host:port"));
                        return;
                    }
                    listener.onResult(ResolutionResult.newBuilder()
                            .setAddressesOrError(io.grpc.StatusOr.fromValue(groups))
                            .build());
                } catch (IOException | IllegalArgumentException e) {
                    listener.onError(Status.UNAVAILABLE.withDescription(
                            "cannot read the worker list " + file + ": " + e.getMessage()));
                }
            }

            @Override
            public void shutdown() {}
        };
    }

    /** The workers a file names, in its order. */
    static List<InetSocketAddress> read(Path file, int defaultPort) throws IOException {
        // once, whole: a FIFO or a device named as the file is refused, not read forever
        dev.ferry.support.WholeFile.Outcome o = dev.ferry.support.WholeFile.read(file, MAX_BYTES);
        if (o instanceof dev.ferry.support.WholeFile.Refused refused) {
            throw new IOException(file + " " + refused.why());
        }
        if (!(o instanceof dev.ferry.support.WholeFile.Read whole)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "does not exist");
        }
        List<InetSocketAddress> out = new ArrayList<>();
        int n = 0;
        for (String line : new String(whole.bytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n", -1)) {
            n++;
            int hash = line.indexOf('#');
            String s = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (s.isEmpty()) {
                continue;
            }
            InetSocketAddress named = Targets.hostPort(s, defaultPort, file + " line " + n);
            InetSocketAddress resolved = new InetSocketAddress(named.getHostString(), named.getPort());
            if (resolved.isUnresolved()) {
                throw new IOException(file + " line " + n + ": host '" + named.getHostString() + "' does not resolve");
            }
            out.add(resolved);
        }
        return out;
    }
}
