package dev.ferry.launcher;

import dev.ferry.worker.spi.FrameworkProperties;
import dev.ferry.worker.spi.ServiceProperties;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * {@code java -jar ferry-worker.jar [--home DIR] [--no-shell]}: starts a Felix framework with the
 * bundles packed in this jar, watching {@code HOME/etc} for configuration and {@code HOME/deploy}
 * for bundles.
 */
public final class Main {
    static final String READY = "ferry worker ready";
    private static final String REGISTRY = "dev.ferry.executor.api.ExecutorRegistry";
    private static final String SHELL_BSN = "org.apache.felix.gogo.shell";
    /** The service property of a running shell command's stopper, which Ctrl-C runs (see {@link #interruptsCommands}). */
    static final String INTERRUPT_PROPERTY = ServiceProperties.SHELL_INTERRUPT;

    private static final String USAGE = String.join(
            "\n",
            "usage: java -jar ferry-worker.jar [--home DIR] [--config FILE] [--no-shell] [--grpc-host HOST] [--grpc-port PORT]",
            "                                  [--log-level LEVEL] [--version] [--help]",
            "  --home DIR   the worker's folder: etc/ (configuration, watched), deploy/ (bundles, watched),",
            "               data/ (framework storage); default: the current folder",
            "  --config FILE  the config.yaml to read and watch; default: etc/config.yaml in the home folder",
            "  --no-shell   run as a daemon without the interactive shell; SIGTERM stops it cleanly",
            "  --grpc-host HOST  the address the gRPC API listens on; default 127.0.0.1 (anything else needs",
            "               a token or mutual TLS, see etc/dev.ferry.grpc.cfg)",
            "  --grpc-port PORT  its port; default 50051, 0 picks a free one (the ready line says which)",
            "  --log-level LEVEL  error, warn, info (default), debug or trace: data/log/ferry.0.log and, without",
            "               the interactive shell, the console (the shell's console shows warn and above)",
            "  --version    print the worker's version and its executor API's, and exit",
            "  --help       print this and exit");

    /** The version as the ready line says it: worker/api, e.g. 0.1.0-SNAPSHOT/api-2.0.0. */
    static String versionWord() {
        String v = version(); // ferry-worker W (executor API A)
        return v.substring("ferry-worker ".length(), v.indexOf(' ', "ferry-worker ".length())) + "/api-"
                + v.substring(v.lastIndexOf(' ') + 1, v.length() - 1);
    }

    /** The worker's version and its executor API's (the package version executors import), from the build. */
    static String version() {
        java.util.Properties p = new java.util.Properties();
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // said below as unknown
        }
        return "ferry-worker " + p.getProperty("worker", "unknown") + " (executor API "
                + p.getProperty("api", "unknown") + ")";
    }

    private Main() {}

    public static void main(String[] args) {
        long started = System.nanoTime();
        Logging.install();
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ferry: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.println(version());
            System.out.println(USAGE);
            return;
        }
        if (options.version) {
            System.out.println(version());
            return;
        }
        try {
            run(options, started);
        } catch (StartupException e) {
            System.err.println("ferry: " + e.getMessage());
            System.exit(1);
        }
    }

    /*
     * Only what must happen before the framework starts is done here: the home folders and a check
     * that every etc/*.cfg can be read (a broken file stops the start with one line, before any bundle
     * runs on a half-read configuration), and the JVM-wide serialization filter (it must be in place
     * before any bundle's code runs). Everything an executor needs is its own bundle's: the command
     * executor chooses the process launch mechanism, the jdbc bundle writes the embedded default
     * datasource (EmbeddedDefault), so both also hold when the bundles run in Karaf.
     */
    static void run(Options options, long started) throws StartupException {
        Home home = Home.prepare(options.home);
        refuseJavaDeserialization();
        try {
            // the console is a person's when the shell runs on a terminal: only what needs them shows there
            Logging.configure(
                    home.data.resolve("log"),
                    options.logLevel,
                    !options.noShell && System.console() != null,
                    Long.getLong("ferry.log.file.bytes", 10L * 1024 * 1024),
                    Integer.getInteger("ferry.log.files", 5));
        } catch (IOException | RuntimeException e) {
            throw new StartupException("cannot write the log in " + home.data.resolve("log") + ": " + e.getMessage());
        }
        Map<String, String> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, home.data.resolve("framework").toString());
        // Bundles come from this jar and deploy/ on every start, configuration from etc/: a clean
        // cache means no stale bundle revision survives a restart.
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // FileInstall watches etc/ for configuration; deploy/ is the worker's own watcher's (it keeps the
        // previous bundle when a file there is not a valid one, and says why)
        props.put("felix.fileinstall.dir", home.etc.toString());
        props.put(FrameworkProperties.DEPLOY_DIR, home.deploy.toString());
        props.put("felix.fileinstall.poll", System.getProperty("felix.fileinstall.poll", "250"));
        props.put("felix.fileinstall.noInitialDelay", "true");
        props.put("felix.fileinstall.log.level", "2");
        props.put("felix.fileinstall.enableConfigSave", "false");
        props.put(FrameworkProperties.HOME, home.root.toString());
        props.put(Logging.FRAMEWORK_PROPERTY, "jul"); // the worker's dev.ferry.logging sets java.util.logging levels
        props.put("gosh.home", home.root.toString());
        if (options.config != null) {
            if (java.nio.file.Files.isDirectory(options.config)) {
                throw new StartupException("--config " + options.config + " is a folder; give the config.yaml file");
            }
            props.put(FrameworkProperties.CONFIG_FILE, options.config.toString()); // read by the config.yaml bridge
        }
        if (options.grpcHost != null) {
            props.put(FrameworkProperties.GRPC_HOST, options.grpcHost);
        }
        if (options.grpcPort != null) {
            props.put(FrameworkProperties.GRPC_PORT, options.grpcPort);
        }
        // System properties given with -D pass through, so an operator can tune any bundle.
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("felix.")
                        || k.startsWith("ferry.")
                        || k.startsWith("gosh.")
                        || k.startsWith("org.osgi."))
                .forEach(k -> props.put(k, System.getProperty(k)));

        FrameworkFactory factory =
                ServiceLoader.load(FrameworkFactory.class).iterator().next();
        Framework framework = factory.newFramework(props);
        Bundle shell = null;
        try {
            framework.init();
            BundleContext context = framework.getBundleContext();
            List<Bundle> toStart = new ArrayList<>();
            for (Bundle b : installEmbeddedBundles(context)) {
                if (b.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
                    continue;
                }
                if (SHELL_BSN.equals(b.getSymbolicName())) {
                    shell = b;
                } else {
                    toStart.add(b);
                }
            }
            framework.start();
            for (Bundle b : toStart) {
                b.start();
            }
        } catch (BundleException | IOException e) {
            throw new StartupException("the framework did not start: " + e.getMessage()
                    + "; the jar may be damaged, rebuild it with 'mvn -q install -DskipTests'");
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(framework, stopped), "ferry-shutdown"));

        if (awaitService(framework.getBundleContext(), "(objectClass=" + REGISTRY + ")", 30_000) == null) {
            stopBeforeReady(framework, stopped);
            throw new StartupException("the executor registry did not start within 30 s; see the log above");
        }
        String grpc = grpcAddress(awaitService(
                framework.getBundleContext(),
                "(|(" + ServiceProperties.GRPC_ADDRESS + "=*)(" + ServiceProperties.GRPC_FAILURE + "=*))",
                30_000));
        if (grpc.startsWith("!")) {
            stopBeforeReady(framework, stopped);
            throw new StartupException("the gRPC API did not start: " + grpc.substring(1));
        }
        PrintStream out = System.out;
        // Locale.ROOT: a German default locale would print startup=0,95s
        out.printf(
                java.util.Locale.ROOT,
                "%s grpc=%s home=%s version=%s startup=%.2fs%n",
                READY,
                grpc,
                home.root,
                versionWord(),
                (System.nanoTime() - started) / 1e9);
        out.flush();

        if (!options.noShell && shell != null) {
            interruptsCommands(framework.getBundleContext());
            try {
                shell.start();
            } catch (BundleException e) {
                System.err.println(
                        "ferry: the shell did not start (" + e.getMessage() + "); the worker goes on without it");
            }
        }
        try {
            FrameworkEvent event = framework.waitForStop(0);
            if (event.getType() == FrameworkEvent.ERROR) {
                System.err.println("ferry: the framework stopped on an error: " + event.getThrowable());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopped.countDown();
        // The shell and the file watchers run non-daemon threads of their own; the framework is
        // down, so nothing is left to finish.
        Runtime.getRuntime().halt(0);
    }

    /**
     * Ctrl-C in the shell stops the command that is running (executor:run, with or without --follow, cancels its task), as in
     * Karaf's shell, instead of the whole worker. Felix's plain Gogo shell has no terminal handling of its
     * own: a command that can be stopped registers a {@link Runnable} with {@value #INTERRUPT_PROPERTY} while
     * it runs, and SIGINT runs it. With none registered, SIGINT does what it always did: stops the worker.
     */
    private static void interruptsCommands(BundleContext context) {
        try {
            sun.misc.Signal interrupt = new sun.misc.Signal("INT");
            sun.misc.SignalHandler[] previous = new sun.misc.SignalHandler[1];
            previous[0] = sun.misc.Signal.handle(interrupt, signal -> {
                try {
                    org.osgi.framework.ServiceReference<?>[] running =
                            context.getServiceReferences(Runnable.class.getName(), "(" + INTERRUPT_PROPERTY + "=true)");
                    if (running != null) {
                        for (org.osgi.framework.ServiceReference<?> r : running) {
                            Object command = context.getService(r);
                            if (command instanceof Runnable stop) {
                                stop.run();
                            }
                            context.ungetService(r);
                        }
                        return;
                    }
                } catch (org.osgi.framework.InvalidSyntaxException | IllegalStateException e) {
                    // the framework is stopping: the signal stops the worker, as below
                }
                previous[0].handle(signal);
            });
        } catch (IllegalArgumentException e) {
            // the JVM keeps SIGINT for itself (-Xrs): Ctrl-C stops the worker
        }
    }

    /**
     * Nothing in the worker reads Java serialization, so the JVM-wide filter refuses all of it: a
     * database value or any other bytes a caller made up can never become objects (and gadget chains)
     * here. Set before the framework starts, for every bundle; an operator's own jdk.serialFilter wins.
     */
    static void refuseJavaDeserialization() {
        if (System.getProperty("jdk.serialFilter") == null
                && java.io.ObjectInputFilter.Config.getSerialFilter() == null) {
            java.io.ObjectInputFilter.Config.setSerialFilter(info -> java.io.ObjectInputFilter.Status.REJECTED);
        }
    }

    /** Stops a worker that never became ready; the shutdown hook then has nothing left to wait for. */
    private static void stopBeforeReady(Framework framework, CountDownLatch stopped) {
        stop(framework, new CountDownLatch(0));
        stopped.countDown();
    }

    private static void stop(Framework framework, CountDownLatch stopped) {
        try {
            if ((framework.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
                beforeStop(framework.getBundleContext());
                framework.stop();
            }
            // the registry drains running tasks while the executor bundles stop
            framework.waitForStop(TimeUnit.SECONDS.toMillis(60));
            stopped.await(5, TimeUnit.SECONDS);
        } catch (BundleException | InterruptedException e) {
            System.err.println("ferry: could not stop cleanly: " + e);
        }
    }

    /**
     * Runs what must happen while the framework still runs (the gRPC API: NOT_SERVING, its grace, GOAWAY, the
     * running calls' end): each {@link Runnable} registered with {@value ServiceProperties#BEFORE_STOP}.
     */
    private static void beforeStop(BundleContext context) {
        try {
            org.osgi.framework.ServiceReference<?>[] refs = context.getServiceReferences(
                    Runnable.class.getName(), "(" + ServiceProperties.BEFORE_STOP + "=true)");
            for (org.osgi.framework.ServiceReference<?> r :
                    refs == null ? new org.osgi.framework.ServiceReference<?>[0] : refs) {
                Object service = context.getService(r);
                if (service instanceof Runnable first) {
                    try {
                        first.run();
                    } catch (RuntimeException e) {
                        System.err.println("ferry: " + service + " failed before the stop: " + e);
                    } finally {
                        context.ungetService(r);
                    }
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException | IllegalStateException e) {
            // a filter of our own making; or the framework is stopping already: nothing left to run before it
        }
    }

    /** Waits, bounded, for a service matching the filter; null when none came. */
    private static ServiceReference<?> awaitService(BundleContext context, String filter, long timeoutMillis) {
        org.osgi.util.tracker.ServiceTracker<Object, Object> tracker;
        try {
            tracker = new org.osgi.util.tracker.ServiceTracker<>(context, context.createFilter(filter), null);
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        tracker.open(true); // all services: the launcher's class space is not the bundles'
        try {
            return tracker.waitForService(timeoutMillis) == null ? null : tracker.getServiceReference();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            tracker.close();
        }
    }

    /**
     * Where the gRPC bundle says it listens ({@code ferry.grpc.address}, "off" when disabled) or,
     * after a "!", why it does not ({@code ferry.grpc.failure}).
     */
    private static String grpcAddress(ServiceReference<?> endpoint) {
        if (endpoint == null) {
            return "!it said nothing within 30 s; see the log above";
        }
        Object failure = endpoint.getProperty(ServiceProperties.GRPC_FAILURE);
        return failure != null ? "!" + failure : String.valueOf(endpoint.getProperty(ServiceProperties.GRPC_ADDRESS));
    }

    /**
     * Installs the bundles packed under {@code bundles/} in this jar (or classes folder), in name
     * order, streamed straight into the framework (read into memory first, they would grow the heap
     * by their size for good). Each location is a URL that opens the packed bundle, so the shell's
     * {@code update ID} reloads it.
     */
    static List<Bundle> installEmbeddedBundles(BundleContext context) throws IOException, BundleException {
        Path location;
        try {
            location = Paths.get(Main.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        List<Bundle> installed = new ArrayList<>();
        if (Files.isDirectory(location)) {
            List<Path> jars;
            try (Stream<Path> files = Files.list(location.resolve("bundles"))) {
                jars = files.filter(p -> p.toString().endsWith(".jar"))
                        .sorted()
                        .collect(java.util.stream.Collectors.toList());
            }
            for (Path p : jars) {
                try (InputStream in = Files.newInputStream(p)) {
                    installed.add(context.installBundle(p.toUri().toString(), in));
                }
            }
        } else {
            try (JarFile jar = new JarFile(location.toFile())) {
                List<JarEntry> entries = new ArrayList<>();
                for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                    JarEntry entry = e.nextElement();
                    if (entry.getName().startsWith("bundles/")
                            && entry.getName().endsWith(".jar")) {
                        entries.add(entry);
                    }
                }
                entries.sort(java.util.Comparator.comparing(JarEntry::getName));
                for (JarEntry entry : entries) {
                    try (InputStream in = jar.getInputStream(entry)) {
                        installed.add(context.installBundle("jar:" + location.toUri() + "!/" + entry.getName(), in));
                    }
                }
            }
        }
        if (installed.isEmpty()) {
            throw new IOException("no bundles packed in " + location);
        }
        return installed;
    }

    static final class StartupException extends Exception {
        private static final long serialVersionUID = 1L;

        StartupException(String message) {
            super(message);
        }
    }

    static final class Options {
        Path home = Paths.get("").toAbsolutePath();
        boolean noShell;
        boolean help;
        boolean version;
        String grpcHost;
        String grpcPort;
        Path config;
        java.util.logging.Level logLevel = java.util.logging.Level.INFO;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--home":
                        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                            throw new IllegalArgumentException("--home needs a folder, e.g. --home /var/lib/ferry");
                        }
                        o.home = Paths.get(args[++i]).toAbsolutePath().normalize();
                        break;
                    case "--grpc-host":
                        o.grpcHost = value(args, i++, "an address, e.g. --grpc-host 0.0.0.0");
                        break;
                    case "--grpc-port":
                        o.grpcPort = port(value(args, i++, "a port, e.g. --grpc-port 50051 (0: any free port)"));
                        break;
                    case "--config":
                        o.config = Paths.get(value(args, i++, "a file, e.g. --config /etc/ferry/config.yaml"))
                                .toAbsolutePath()
                                .normalize();
                        break;
                    case "--log-level":
                        o.logLevel = Logging.level(value(args, i++, "a level, e.g. --log-level debug"));
                        break;
                    case "--no-shell":
                        o.noShell = true;
                        break;
                    case "--help":
                    case "-h":
                        o.help = true;
                        break;
                    case "--version":
                    case "-V":
                        o.version = true;
                        break;
                    default:
                        if (a.startsWith("--home=")) {
                            o.home = Paths.get(a.substring(7)).toAbsolutePath().normalize();
                            break;
                        }
                        if (a.startsWith("--config=")) {
                            o.config = Paths.get(a.substring("--config=".length()))
                                    .toAbsolutePath()
                                    .normalize();
                            break;
                        }
                        if (a.startsWith("--grpc-host=")) {
                            o.grpcHost = a.substring("--grpc-host=".length());
                            break;
                        }
                        if (a.startsWith("--grpc-port=")) {
                            o.grpcPort = port(a.substring("--grpc-port=".length()));
                            break;
                        }
                        throw new IllegalArgumentException("unknown argument '" + a + "'");
                }
            }
            return o;
        }

        private static String value(String[] args, int i, String example) {
            if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                throw new IllegalArgumentException(args[i] + " needs " + example);
            }
            return args[i + 1];
        }

        private static String port(String value) {
            try {
                int p = Integer.parseInt(value.trim());
                if (p >= 0 && p <= 65535) {
                    return Integer.toString(p);
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new IllegalArgumentException(
                    "--grpc-port '" + value + "' is not a port; give 0 (any free port) to 65535");
        }
    }

    /** The worker's folder, checked before anything starts. */
    static final class Home {
        final Path root;
        final Path etc;
        final Path deploy;
        final Path data;

        private Home(Path root) {
            this.root = root;
            this.etc = root.resolve("etc");
            this.deploy = root.resolve("deploy");
            this.data = root.resolve("data");
        }

        static Home prepare(Path root) throws StartupException {
            if (Files.exists(root) && !Files.isDirectory(root)) {
                throw new StartupException("--home " + root + " is a file, not a folder; give a folder");
            }
            Home h = new Home(root);
            for (Path dir : List.of(root, h.etc, h.deploy, h.data)) {
                try {
                    Files.createDirectories(dir);
                } catch (IOException e) {
                    throw new StartupException(
                            "cannot create " + dir + " (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                                    + "); choose a --home you can write to");
                }
                if (!Files.isWritable(dir) || !Files.isReadable(dir)) {
                    throw new StartupException(dir + " is not readable and writable by this user; fix its"
                            + " permissions or choose another --home");
                }
            }
            h.checkConfiguration();
            return h;
        }

        /** Every etc/*.cfg must be a readable properties file; a broken one stops the start. */
        private void checkConfiguration() throws StartupException {
            try (Stream<Path> files = Files.list(etc)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    if (!p.getFileName().toString().endsWith(".cfg")) {
                        continue;
                    }
                    try (Reader r = Files.newBufferedReader(p, StandardCharsets.ISO_8859_1)) {
                        new Properties().load(r);
                    } catch (IOException | IllegalArgumentException e) {
                        throw new StartupException("cannot read configuration " + p + ": " + e.getMessage()
                                + "; fix the file (key = value lines) or remove it");
                    }
                }
            } catch (IOException e) {
                throw new StartupException("cannot list " + etc + ": " + e.getMessage());
            }
        }
    }
}
