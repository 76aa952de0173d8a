package dev.ferry.worker.internal.deploy;

import dev.ferry.support.WholeFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the standalone worker's {@code deploy/} folder (the framework property
 * {@value #FOLDER}, which the launcher sets; unset, as in Karaf, nothing is watched): a jar dropped
 * there is installed and started, a jar replaced is updated, a jar deleted is uninstalled, each
 * followed by a refresh of that bundle alone.
 *
 * <p>A file is acted on once it has stopped changing (same size and time on two looks), so a copy
 * in progress is not mistaken for a broken jar. A file that is not a complete bundle (not a jar,
 * truncated, no {@code Bundle-SymbolicName}) is reported once, naming the file and what is wrong,
 * and changes nothing: the bundle it replaced, if any, stays installed and serving. A bundle that
 * installs but cannot start (a missing package, a wrong version range) is reported with the
 * framework's reason.
 */
@Component(immediate = true)
public final class DeployWatcher implements Runnable {
    static final String FOLDER = dev.ferry.worker.spi.FrameworkProperties.DEPLOY_DIR;
    static final String POLL = dev.ferry.worker.spi.FrameworkProperties.DEPLOY_POLL;
    /** The framework property that sets the largest jar deploy/ takes, in bytes (64 MiB unless set). */
    static final String MAX_BYTES = dev.ferry.worker.spi.FrameworkProperties.DEPLOY_MAX_BYTES;

    private static final Logger LOG = LoggerFactory.getLogger(DeployWatcher.class);

    /** What was last seen of a file, and what became of it. */
    private static final class Seen {
        long size;
        long modified;
        /** Whether this (size, time) was already acted on or reported. */
        boolean handled;
        /** The bundle installed from this file, if any. */
        Bundle bundle;
    }

    private final BundleContext context;
    private final Path folder;
    private final long pollMillis;
    private final long maxBytes;
    private final Map<String, Seen> files = new HashMap<>(); // touched by the watch thread only
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;

    @Activate
    public DeployWatcher(BundleContext context) {
        this.context = context;
        String dir = context.getProperty(FOLDER);
        this.folder = dir == null || dir.isBlank() ? null : Path.of(dir);
        this.pollMillis = pollMillis(context);
        this.maxBytes = maxBytes(context);
        if (folder == null) {
            this.thread = null;
            return;
        }
        scan(true); // what is there at start is complete: install it before the worker says it is ready
        this.thread = dev.ferry.support.Threads.daemon("ferry-deploy", this);
        thread.start();
    }

    private static long pollMillis(BundleContext context) {
        String p = context.getProperty(POLL);
        if (p == null) {
            p = context.getProperty("felix.fileinstall.poll");
        }
        try {
            return p == null ? 250 : Math.max(10, Long.parseLong(p.trim()));
        } catch (NumberFormatException e) {
            LOG.warn("{} = '{}' is not a number of milliseconds; deploy/ is polled every 250 ms", POLL, p);
            return 250;
        }
    }

    private static long maxBytes(BundleContext context) {
        String p = context.getProperty(MAX_BYTES);
        try {
            return p == null ? 64L * 1024 * 1024 : Math.max(1024, Long.parseLong(p.trim()));
        } catch (NumberFormatException e) {
            LOG.warn("{} = '{}' is not a number of bytes; deploy/ takes jars of up to 64 MiB", MAX_BYTES, p);
            return 64L * 1024 * 1024;
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        stop.countDown();
        if (thread != null) {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    @Override
    public void run() {
        try {
            while (!stop.await(pollMillis, TimeUnit.MILLISECONDS)) {
                try {
                    scan(false);
                } catch (Throwable e) { // an Error too: a watcher that dies installs nothing dropped after
                    LOG.warn("Watching {} failed once ({}); the next look tries again", folder, e.toString());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void scan(boolean initial) {
        Set<String> present = new HashSet<>();
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(folder, "*.jar")) {
            for (Path jar : jars) {
                String name = jar.getFileName().toString();
                BasicFileAttributes attrs;
                try {
                    attrs = Files.readAttributes(jar, BasicFileAttributes.class);
                } catch (IOException e) {
                    continue; // gone meanwhile
                }
                if (!attrs.isRegularFile()) {
                    continue;
                }
                present.add(name);
                look(jar, name, attrs.size(), attrs.lastModifiedTime().toMillis(), initial);
            }
        } catch (IOException e) {
            LOG.warn("Cannot list {} ({}); bundles there are not watched until it is readable", folder, e.getMessage());
            return;
        }
        for (var it = files.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Seen> e = it.next();
            if (!present.contains(e.getKey())) {
                it.remove();
                if (e.getValue().bundle != null) {
                    uninstall(e.getKey(), e.getValue().bundle);
                }
            }
        }
    }

    private void look(Path jar, String name, long size, long modified, boolean initial) {
        Seen seen = files.get(name);
        if (seen == null) {
            seen = new Seen();
            seen.size = -1;
            files.put(name, seen);
        }
        if (seen.size != size || seen.modified != modified) {
            // changed since the last look: act once it has stopped changing
            seen.size = size;
            seen.modified = modified;
            seen.handled = false;
            if (!initial) {
                return;
            }
        }
        if (seen.handled) {
            return;
        }
        seen.handled = true;
        WholeFile.Outcome read = WholeFile.read(jar, maxBytes);
        if (read instanceof WholeFile.Refused refused) {
            LOG.warn(
                    "deploy/{} {}; nothing changed (the largest bundle deploy/ takes is set by {})",
                    name,
                    refused.why(),
                    MAX_BYTES);
            if (refused.why().startsWith("changed while")) {
                seen.handled = false; // looked at again once it is still
            }
            return;
        }
        if (!(read instanceof WholeFile.Read whole)) {
            return; // gone meanwhile: the next look uninstalls what it installed
        }
        byte[] bytes = whole.bytes();
        String problem = problem(bytes);
        if (problem != null) {
            if (seen.bundle != null) {
                LOG.warn(
                        "deploy/{} was replaced by a file that is not a valid bundle ({}); {} {} stays installed and"
                                + " serving. Copy a complete bundle jar to update it",
                        name,
                        problem,
                        seen.bundle.getSymbolicName(),
                        seen.bundle.getVersion());
            } else {
                LOG.warn(
                        "deploy/{} is not a valid bundle ({}); it is ignored until it is replaced by one",
                        name,
                        problem);
            }
            return;
        }
        if (seen.bundle == null || seen.bundle.getState() == Bundle.UNINSTALLED) {
            install(jar, name, bytes, seen);
        } else {
            update(name, bytes, seen.bundle);
        }
    }

    /** @return null when the bytes are a complete jar with a bundle manifest, else what is wrong */
    static String problem(byte[] bytes) {
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(bytes), true)) {
            Manifest manifest = in.getManifest();
            if (manifest == null) {
                return "no META-INF/MANIFEST.MF: not a jar, or not a bundle";
            }
            String bsn = manifest.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
            if (bsn == null || bsn.isBlank()) {
                return "its manifest has no " + Constants.BUNDLE_SYMBOLICNAME + ": a plain jar, not an OSGi bundle";
            }
            // reading every entry checks each one's CRC: a truncated or damaged jar fails here
            byte[] buffer = new byte[8192];
            for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                while (in.read(buffer) >= 0) {
                    // read to the end of the entry
                }
            }
            return central(bytes) ? null : "it ends before its table of contents: truncated, or still being written";
        } catch (IOException | RuntimeException e) {
            return "unreadable as a jar, truncated or damaged ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")";
        }
    }

    /** Whether the zip's end-of-central-directory record is there (a truncated copy lacks it). */
    private static boolean central(byte[] b) {
        for (int i = b.length - 22; i >= Math.max(0, b.length - 22 - 65535); i--) {
            if (b[i] == 0x50 && b[i + 1] == 0x4b && b[i + 2] == 0x05 && b[i + 3] == 0x06) {
                return true;
            }
        }
        return false;
    }

    private void install(Path jar, String name, byte[] bytes, Seen seen) {
        Bundle b;
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            b = context.installBundle(jar.toUri().toString(), in);
        } catch (BundleException | IOException e) {
            LOG.warn("deploy/{} could not be installed: {}", name, e.getMessage());
            return;
        }
        seen.bundle = b;
        LOG.info("deploy/{}: installed {} {}", name, b.getSymbolicName(), b.getVersion());
        warnIfCore(name, b);
        start(name, b);
    }

    private void update(String name, byte[] bytes, Bundle b) {
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            b.update(in);
        } catch (BundleException | IOException e) {
            LOG.warn(
                    "deploy/{} could not update {} ({}); the previous version stays",
                    name,
                    b.getSymbolicName(),
                    e.getMessage());
            return;
        }
        refresh(b);
        LOG.info("deploy/{}: updated to {} {}", name, b.getSymbolicName(), b.getVersion());
        warnIfCore(name, b);
        start(name, b);
    }

    /**
     * A jar in deploy/ with the name of one of the worker's own bundles (installed from elsewhere than deploy/,
     * as the worker's dev.ferry.* bundles are): it runs beside that bundle, and with a higher service.ranking
     * takes over what it serves. Until deploy/ checks who made a jar, this is said loudly.
     */
    private void warnIfCore(String name, Bundle b) {
        String bsn = b.getSymbolicName();
        String ours = folder.toUri().toString();
        StringBuilder beside = new StringBuilder();
        for (Bundle other : context.getBundles()) {
            if (other != b
                    && bsn != null
                    && bsn.equals(other.getSymbolicName())
                    && !other.getLocation().startsWith(ours)) {
                beside.append(beside.length() == 0 ? "" : ", ").append(other.getVersion());
            }
        }
        if (beside.length() > 0) {
            LOG.warn(
                    "deploy/{} is {} {}, the name of one of the worker's own bundles (installed: {}): it runs beside it and"
                            + " can take over what it serves (an executor type, by a higher service.ranking). Remove it unless"
                            + " you built it; deploy/ is for executors of your own, under names of your own",
                    name,
                    bsn,
                    b.getVersion(),
                    beside);
        }
    }

    private void uninstall(String name, Bundle b) {
        try {
            b.uninstall();
            refresh(b);
            LOG.info("deploy/{} deleted: uninstalled {} {}", name, b.getSymbolicName(), b.getVersion());
        } catch (BundleException | IllegalStateException e) {
            LOG.warn(
                    "deploy/{} deleted, but {} could not be uninstalled: {}",
                    name,
                    b.getSymbolicName(),
                    e.getMessage());
        }
    }

    private void start(String name, Bundle b) {
        if (b.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
            return;
        }
        try {
            b.start();
        } catch (BundleException | IllegalStateException e) {
            if (b.getState() == Bundle.INSTALLED) {
                LOG.warn(
                        "deploy/{}: {} {} is installed but does not resolve: {}. It stays installed, not started;"
                                + " executor:list shows it until it is replaced",
                        name,
                        b.getSymbolicName(),
                        b.getVersion(),
                        Unresolved.explain(context, b));
            } else {
                LOG.warn(
                        "deploy/{}: {} {} is installed but cannot start: {}",
                        name,
                        b.getSymbolicName(),
                        b.getVersion(),
                        e.getMessage());
            }
        }
    }

    /** Refreshes the one bundle (and what depends on it), waiting for it so the next look sees the result. */
    private void refresh(Bundle b) {
        CountDownLatch done = new CountDownLatch(1);
        context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION)
                .adapt(FrameworkWiring.class)
                .refreshBundles(List.of(b), event -> done.countDown());
        try {
            if (!done.await(60, TimeUnit.SECONDS)) {
                LOG.warn("Refreshing {} took more than 60 s; the watch goes on", b.getSymbolicName());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
