package dev.ferry.worker.internal.config;

import dev.ferry.executor.api.ConfigurationCheck;
import dev.ferry.support.Configs;
import dev.ferry.worker.internal.config.ConfigYaml.Entry;
import dev.ferry.worker.internal.config.ConfigYaml.Parsed;
import dev.ferry.worker.internal.config.ConfigYaml.Section;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a parsed config.yaml to Configuration Admin as one transaction: every section it sets is checked
 * first (a PID an {@code etc/<pid>.cfg} file also sets is a conflict; each section is asked of the
 * {@link ConfigurationCheck} of the component it configures), and only when nothing objects is anything
 * written; what an earlier version of the file set and this one does not is deleted. Not thread-safe: the
 * bridge applies under its lock.
 */
final class Transaction {
    private static final Logger LOG = LoggerFactory.getLogger(Transaction.class);

    /** One configuration the file sets: a PID, or a factory PID and the instance's name. */
    record Target(Section section, String pid, String factoryPid, String what) {
        String key() {
            return pid != null ? pid : factoryPid + "~" + section.name();
        }

        /** The PID a check names for this target. */
        String checkedPid() {
            return pid != null ? pid : factoryPid;
        }
    }

    /** What a target's check said: whether there is one, and its objection as a line of the refusal, or null. */
    record Checked(boolean found, String problem) {}

    /** How an apply ended. */
    sealed interface Outcome permits Applied, Refused {}

    /**
     * Written: {@code unchecked} are the sections nothing installed checks yet (their bundles may not have started),
     * by path.
     */
    record Applied(int configurations, Map<String, Target> unchecked) implements Outcome {}

    /** Nothing was written, and why. */
    record Refused(String why) implements Outcome {}

    private final CmLookup lookup;
    private final Path file;
    private final Path etc;
    /** What this bridge last wrote, by configuration PID: to tell its own updates from someone else's. */
    private volatile Map<String, Map<String, Object>> written = Map.of();

    Transaction(CmLookup lookup, Path file, Path etc) {
        this.lookup = lookup;
        this.file = file;
        this.etc = etc;
    }

    Outcome apply(Parsed parsed) {
        List<Target> targets = targets(parsed);
        List<String> problems = new ArrayList<>();
        Map<String, Target> notChecked = new LinkedHashMap<>();
        for (Target t : targets) {
            String conflict = conflict(t);
            if (conflict != null) {
                problems.add("line " + t.section().line() + ": " + t.section().path() + " sets " + t.what() + ", which "
                        + conflict
                        + " also sets; configure it in one place: move the settings into config.yaml and delete"
                        + " that file, or remove the section from config.yaml");
                continue;
            }
            Checked checked = check(t);
            if (!checked.found()) {
                notChecked.put(t.section().path(), t);
            } else if (checked.problem() != null) {
                problems.add(checked.problem());
            }
        }
        if (!problems.isEmpty()) {
            return new Refused(file + " refused: " + String.join("; ", problems) + "; nothing in the file was applied");
        }
        try {
            write(targets);
        } catch (IOException | InvalidSyntaxException | RuntimeException e) {
            return new Refused(file + " could not be applied: Configuration Admin failed: " + e);
        }
        return new Applied(targets.size(), notChecked);
    }

    /**
     * Runs the check registered for the target's PID, holding the service only while it runs (a third party's
     * check may be a delayed component: released, it may be deactivated).
     */
    Checked check(Target t) {
        Collection<ServiceReference<ConfigurationCheck>> refs;
        try {
            refs = lookup.context()
                    .getServiceReferences(
                            ConfigurationCheck.class,
                            "(" + ConfigurationCheck.PID + "=" + CmLookup.escaped(t.checkedPid()) + ")");
        } catch (InvalidSyntaxException e) {
            return new Checked(false, null); // a PID the filter cannot hold has no check
        }
        for (ServiceReference<ConfigurationCheck> ref : refs) {
            ConfigurationCheck check = lookup.context().getService(ref);
            if (check == null) {
                continue;
            }
            Optional<String> problem;
            try {
                problem = check.check(properties(t));
            } catch (RuntimeException e) {
                problem = Optional.of("its check failed: " + e);
            } finally {
                lookup.context().ungetService(ref);
            }
            return new Checked(
                    true,
                    problem.map(p -> "line " + t.section().lineOf(p) + ": "
                                    + t.section().path() + ": " + withoutPreamble(p, t))
                            .orElse(null));
        }
        return new Checked(false, null);
    }

    /** A check's answer without the "configuration FILE, SECTION refused: " this message already says. */
    private String withoutPreamble(String problem, Target t) {
        String preamble = "configuration " + properties(t).get(Configs.ORIGIN) + " refused: ";
        return problem.startsWith(preamble) ? problem.substring(preamble.length()) : problem;
    }

    private List<Target> targets(Parsed parsed) {
        List<Target> out = new ArrayList<>();
        parsed.executors().forEach((type, s) -> {
            if (!s.entries().isEmpty()) {
                String pid = lookup.pidOf(type);
                out.add(new Target(s, pid, null, pid));
            }
        });
        ConfigYaml.WORKER_SECTIONS.forEach((name, pid) -> {
            Section s = parsed.worker().get(name);
            if (s != null) {
                out.add(new Target(s, pid, null, pid));
            }
        });
        parsed.datasources()
                .forEach((name, s) -> out.add(new Target(
                        s,
                        null,
                        ConfigBridge.DATASOURCE_FACTORY_PID,
                        "datasource '" + name + "' (" + ConfigBridge.DATASOURCE_FACTORY_PID + ")")));
        return out;
    }

    /** The properties a target's configuration gets. */
    private Map<String, Object> properties(Target t) {
        Map<String, Object> props = new LinkedHashMap<>();
        for (Entry e : t.section().entries().values()) {
            props.put(e.key(), e.value());
        }
        props.put(Configs.ORIGIN, file + ", " + t.section().path());
        return props;
    }

    /** @return the file that also sets the target's PID, or null */
    private String conflict(Target t) {
        if (etc != null) {
            List<Path> candidates = t.pid() != null
                    ? List.of(etc.resolve(t.pid() + ".cfg"))
                    : List.of(
                            etc.resolve(t.factoryPid() + "-" + t.section().name() + ".cfg"),
                            etc.resolve(t.factoryPid() + "~" + t.section().name() + ".cfg"));
            for (Path p : candidates) {
                if (Files.isRegularFile(p) && setsSomething(p) && !writtenBack(p)) {
                    return p.toString();
                }
            }
        }
        try {
            for (Configuration c : existing(t)) {
                Dictionary<String, Object> props = c.getProperties();
                Object from = props == null ? null : props.get("felix.fileinstall.filename");
                if (from != null && props.get(Configs.ORIGIN) == null && hasSettings(props)) {
                    return Configs.source(c.getPid(), Map.of("felix.fileinstall.filename", from));
                }
            }
        } catch (IOException | InvalidSyntaxException e) {
            return null;
        }
        return null;
    }

    /** A .cfg file of only comments (the templates Karaf's features install) sets nothing, so it is no conflict. */
    private static boolean setsSomething(Path cfg) {
        try {
            return Files.readAllLines(cfg).stream()
                    .map(String::strip)
                    .anyMatch(l -> !l.isEmpty() && !l.startsWith("#") && !l.startsWith("!"));
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    private static boolean hasSettings(Dictionary<String, Object> props) {
        for (String k : java.util.Collections.list(props.keys())) {
            if (!k.startsWith("service.") && !k.startsWith("felix.") && !k.startsWith("component.")) {
                return true;
            }
        }
        return false;
    }

    /** Karaf writes configurations back into etc/: one that carries this bridge's origin came from config.yaml. */
    private static boolean writtenBack(Path cfg) {
        try {
            return Files.readString(cfg).contains(Configs.ORIGIN);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private List<Configuration> existing(Target t) throws IOException, InvalidSyntaxException {
        return t.pid() != null
                ? lookup.configurations(t.pid(), null)
                : lookup.configurations(t.factoryPid(), t.section().name());
    }

    /** Writes every target; deletes what an earlier version of the file set and this one does not. */
    private void write(List<Target> targets) throws IOException, InvalidSyntaxException {
        Map<String, Target> wanted = new LinkedHashMap<>();
        targets.forEach(t -> wanted.put(t.key(), t));
        Configuration[] ours = lookup.cm().listConfigurations("(" + Configs.ORIGIN + "=*)");
        if (ours != null) {
            for (Configuration c : ours) {
                String key = c.getFactoryPid() != null
                        ? c.getFactoryPid() + "~" + c.getProperties().get("name")
                        : c.getPid();
                if (!wanted.containsKey(key)) {
                    LOG.info("{}: no longer in {}, back to its defaults", key, file);
                    c.delete();
                }
            }
        }
        Map<String, Map<String, Object>> now = new java.util.concurrent.ConcurrentHashMap<>();
        for (Target t : wanted.values()) {
            Configuration c = t.pid() != null
                    ? lookup.cm().getConfiguration(t.pid(), "?")
                    : lookup.cm()
                            .getFactoryConfiguration(t.factoryPid(), t.section().name(), "?");
            Map<String, Object> props = properties(t);
            now.put(c.getPid(), props);
            c.updateIfDifferent(new Hashtable<>(props));
        }
        written = now;
    }

    /**
     * A configuration this file owns, changed by someone else (Karaf's config: commands, the web console):
     * it takes effect, and the operator is told that config.yaml will set it again.
     */
    void changedElsewhere(org.osgi.service.cm.ConfigurationEvent event) {
        Map<String, Object> ours = written.get(event.getPid());
        if (ours == null || event.getType() != org.osgi.service.cm.ConfigurationEvent.CM_UPDATED) {
            return;
        }
        try {
            List<Configuration> found = lookup.configurations(event.getPid(), null);
            Dictionary<String, Object> props =
                    found.isEmpty() ? null : found.get(0).getProperties();
            if (props == null) {
                return;
            }
            List<String> changed = new ArrayList<>();
            java.util.Set<String> keys = new java.util.TreeSet<>(ours.keySet());
            keys.addAll(java.util.Collections.list(props.keys()));
            for (String k : keys) {
                if (k.startsWith("service.") || k.startsWith("felix.") || k.equals(Configs.ORIGIN)) {
                    continue;
                }
                if (!java.util.Objects.deepEquals(ours.get(k), props.get(k))) {
                    changed.add(k);
                }
            }
            if (!changed.isEmpty()) {
                LOG.warn(
                        "{} was changed outside {} ({}): the change applies now, and {} sets these keys again when it"
                                + " next changes or the worker starts; change them there to keep them",
                        event.getPid(),
                        file,
                        String.join(", ", changed),
                        file.getFileName());
            }
        } catch (IOException | InvalidSyntaxException | RuntimeException e) {
            LOG.debug("Cannot compare {} with {}: {}", event.getPid(), file, e.toString());
        }
    }
}
