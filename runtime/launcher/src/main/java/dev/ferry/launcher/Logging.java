package dev.ferry.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.FileHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The standalone worker's logging: the bundles log through SLF4J to java.util.logging (slf4j-jdk14), which writes
 * {@code data/log/ferry.N.log} under the home folder, rotated by size ({@code ferry.0.log} is the newest), and the
 * console: WARN and above under the interactive shell, so the prompt stays readable; the level given otherwise.
 * The configuration {@code dev.ferry.logging} changes levels while the worker runs. In Karaf none of this runs:
 * Karaf's own logging takes the bundles' SLF4J calls.
 */
final class Logging {
    /** The framework property that tells the worker's logging component it may set java.util.logging levels. */
    static final String FRAMEWORK_PROPERTY = dev.ferry.worker.spi.FrameworkProperties.LOGGING;

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT);

    private Logging() {}

    /**
     * java.util.logging's manager, without its reset at JVM shutdown: by default a shutdown hook of its own closes
     * every handler, so what the worker says while it stops (executors leaving, tasks draining) would be lost.
     * Handlers flush each line, so nothing waits to be closed.
     */
    public static final class Manager extends LogManager {
        @Override
        public void reset() {
            if (!configured) {
                super.reset();
            }
        }
    }

    private static volatile boolean configured;

    /** Makes {@link Manager} java.util.logging's manager; before anything logs, and unless the operator chose one. */
    static void install() {
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", Manager.class.getName());
        }
    }

    /** SLF4J's level names, as the log lines show them. */
    static Level level(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "error":
                return Level.SEVERE;
            case "warn":
                return Level.WARNING;
            case "info":
                return Level.INFO;
            case "debug":
                return Level.FINE;
            case "trace":
                return Level.FINEST;
            default:
                throw new IllegalArgumentException(
                        "--log-level " + name + " is not a level; use error, warn, info, debug or trace");
        }
    }

    static String name(Level level) {
        int v = level.intValue();
        return v >= Level.SEVERE.intValue()
                ? "ERROR"
                : v >= Level.WARNING.intValue()
                        ? "WARN"
                        : v >= Level.INFO.intValue() ? "INFO" : v >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
    }

    /**
     * @param interactive whether a person reads the console (the shell on a terminal): it then shows WARN and above
     * @param limit bytes per file before it rotates; {@code files} files are kept
     */
    static void configure(Path logDir, Level level, boolean interactive, long limit, int files) throws IOException {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        Files.createDirectories(logDir);
        FileHandler file = new FileHandler(logDir.resolve("ferry.%g.log").toString(), limit, files, true);
        file.setFormatter(new Line(true));
        file.setLevel(Level.ALL);
        file.setEncoding("UTF-8");
        root.addHandler(file);
        Handler console = new ConsoleHandler(); // System.err, as before
        console.setFormatter(new Line(false));
        console.setLevel(interactive ? Level.WARNING : Level.ALL);
        console.setEncoding("UTF-8");
        root.addHandler(console);
        configured = true; // from here on, only this configuration; the shutdown's reset leaves it in place
    }

    /** {@code [thread] LEVEL logger - message}, as slf4j-simple wrote it; the file's lines start with the time. */
    static final class Line extends Formatter {
        private final boolean time;

        Line(boolean time) {
            this.time = time;
        }

        @Override
        public String format(LogRecord r) {
            StringBuilder b = new StringBuilder(160);
            if (time) {
                b.append(TIME.format(LocalDateTime.ofInstant(r.getInstant(), java.time.ZoneId.systemDefault())))
                        .append(' ');
            }
            // handlers publish on the logging thread, so its name is the record's
            b.append('[')
                    .append(Thread.currentThread().getName())
                    .append("] ")
                    .append(name(r.getLevel()))
                    .append(' ')
                    .append(r.getLoggerName())
                    .append(" - ")
                    .append(formatMessage(r))
                    .append(System.lineSeparator());
            if (r.getThrown() != null) {
                StringWriter trace = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(trace));
                b.append(trace);
            }
            return b.toString();
        }
    }
}
