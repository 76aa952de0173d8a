package dev.ferry.worker.internal.logging;

import dev.ferry.support.Configs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.LoggerFactory;

/**
 * Sets java.util.logging levels from {@code dev.ferry.logging} while the standalone worker runs (its launcher logs
 * through java.util.logging and says so with the framework property {@code ferry.logging=jul}). Anywhere else
 * (Karaf, whose logging has its own commands) it does nothing. A level it cannot read changes nothing.
 */
@Designate(ocd = LoggingConfig.class)
@Component(
        configurationPid = LoggingConfig.PID,
        immediate = true,
        service = {})
public final class LogLevels {
    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(LogLevels.class);
    /** Its configuration's PID. */
    public static final String PID = LoggingConfig.PID;
    /** How it reads its configuration: the check config.yaml's bridge asks is this reader too. */
    public static final java.util.function.Function<Map<String, Object>, ?> READER = LogLevels::read;

    private final boolean active;
    private final Level launcherLevel;
    /** The loggers set, held: java.util.logging keeps loggers only weakly, and a collected one forgets its level. */
    private final List<Logger> set = new ArrayList<>();

    private final dev.ferry.support.Configured<Levels> levels =
            new dev.ferry.support.Configured<>(LOG, "the log levels", "stay as the launcher set them", null);

    @Activate
    public LogLevels(BundleContext context, Map<String, Object> properties) {
        active = "jul".equals(context.getProperty(dev.ferry.worker.spi.FrameworkProperties.LOGGING));
        launcherLevel = Logger.getLogger("").getLevel();
        if (active) {
            apply(properties);
        }
    }

    @Modified
    void modified(Map<String, Object> properties) {
        if (active) {
            apply(properties);
        }
    }

    @Deactivate
    synchronized void deactivate() {
        if (active) {
            reset();
        }
    }

    /** The levels a configuration sets: the root's (null: the launcher's) and per logger. */
    record Levels(Level root, Map<String, Level> named) {}

    private static Levels read(Map<String, Object> properties) {
        return parse(Configs.read(LoggingConfig.class, LoggingConfig.PID, properties));
    }

    /** Reads a configuration; the exception names the key and what is wrong. */
    static Levels parse(LoggingConfig c) {
        Level root = c.level().isBlank() ? null : level(c.level(), "level");
        Map<String, Level> named = new LinkedHashMap<>();
        for (String entry : c.levels()) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("configuration " + LoggingConfig.PID + ", levels: entries are"
                        + " logger=level, e.g. dev.ferry.executor.http=debug; got '" + entry + "'");
            }
            named.put(
                    entry.substring(0, eq).trim(), level(entry.substring(eq + 1).trim(), "levels (" + entry + ")"));
        }
        return new Levels(root, named);
    }

    private synchronized void apply(Map<String, Object> properties) {
        if (!levels.update(() -> read(properties))) {
            return; // refused: said, and the levels stay as they are
        }
        Levels parsed = levels.get();
        Level root = parsed.root() == null ? launcherLevel : parsed.root();
        Map<String, Level> named = parsed.named();
        // said before the change when it can be heard then (a quieter level would hide it), else after
        String said = "Log levels: " + name(root) + (named.isEmpty() ? "" : ", " + named);
        boolean saidBefore = LOG.isInfoEnabled();
        if (saidBefore) {
            LOG.info(said);
        }
        reset();
        Logger.getLogger("").setLevel(root);
        named.forEach((name, level) -> {
            Logger l = Logger.getLogger(name);
            l.setLevel(level);
            set.add(l);
        });
        if (!saidBefore) {
            LOG.info(said);
        }
    }

    private void reset() {
        set.forEach(l -> l.setLevel(null));
        set.clear();
        Logger.getLogger("").setLevel(launcherLevel);
    }

    private static Level level(String name, String key) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
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
                throw new IllegalArgumentException("configuration " + LoggingConfig.PID + ", " + key + ": '" + name
                        + "' is not a level; use error, warn, info, debug or trace");
        }
    }

    private static String name(Level l) {
        return l == null ? "(unset)" : l.getName();
    }
}
