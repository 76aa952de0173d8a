package dev.ferry.worker.internal.config;

import dev.ferry.executor.api.ConfigurationCheck;
import dev.ferry.executor.api.Executor;
import dev.ferry.support.Configs;
import dev.ferry.support.WholeFile;
import dev.ferry.worker.internal.config.ConfigYaml.Entry;
import dev.ferry.worker.internal.config.ConfigYaml.Parsed;
import dev.ferry.worker.internal.config.ConfigYaml.Section;
import dev.ferry.worker.internal.registry.Switches;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge from {@code config.yaml} to Configuration Admin: reads the file at start and whenever
 * it changes, and writes each section into the configuration it names (the same PIDs as the
 * {@code etc/<pid>.cfg} files), so the components see one configuration system. A file is applied
 * whole or not at all: its structure is checked here, every section by the {@link ConfigurationCheck}
 * of the component it configures, and a PID that an {@code etc/<pid>.cfg} file also sets is a
 * conflict. Refused while running, the previous configuration stays; refused at start, no task runs
 * until the file is fixed (its settings may be what keeps a type from being more permissive).
 * {@code enabled: false} under a type switches it off in the registry.
 */
@Component(immediate = true, service = {Switches.class, ConfigBridge.class})
public final class ConfigBridge implements Switches {
    /** The framework property naming the file ({@code --config FILE}); else {@code <etc>/config.yaml}. */
    public static final String FILE = dev.ferry.worker.spi.FrameworkProperties.CONFIG_FILE;
    static final String POLL = dev.ferry.worker.spi.FrameworkProperties.CONFIG_POLL;
    public static final String DATASOURCE_FACTORY_PID = "dev.ferry.datasource";

    /** The worker's own parts (registry, grpc, metrics, audit, logging) and their PIDs, as config.yaml's worker: names them. */
    public static Map<String, String> workerPids() {
        return ConfigYaml.WORKER_SECTIONS;
    }
    private static final Logger LOG = LoggerFactory.getLogger(ConfigBridge.class);

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

    private final BundleContext context;
    private final ConfigurationAdmin cm;
    private final Path file;
    private final Path etc;
    private final ScheduledExecutorService watch;
    private final org.osgi.framework.ServiceListener checkListener;
    private final org.osgi.framework.ServiceRegistration<?> cmListener;

    // written under this, read by task threads
    private volatile Map<String, String> off = Map.of();
    private volatile String hold;
    private volatile String refused;
    /** Sections applied before anything could check them (guarded by this), by path. */
    private volatile Map<String, Target> unchecked = Map.of();
    /** Whether the file applied at start is still in force: a late refusal of it holds every task. */
    private boolean started = true;
    private volatile Parsed applied = Parsed.EMPTY;
    /** Types whose config.yaml settings have not reached their service since the start; see awaitArrival. */
    private volatile Map<String, String> arriving = Map.of();
    private org.osgi.framework.ServiceListener arrivalListener;
    private byte[] seen; // guarded by this: the content last looked at, applied or refused
    private byte[] pending; // guarded by this: content that changed at the last look, applied when the next finds it the same

    @Activate
    public ConfigBridge(BundleContext context, @Reference ConfigurationAdmin cm) {
        this.context = context;
        this.cm = cm;
        String etcDir = firstSet(context.getProperty("felix.fileinstall.dir"), context.getProperty("karaf.etc"));
        this.etc = etcDir == null ? null : Path.of(etcDir).toAbsolutePath().normalize();
        String named = context.getProperty(FILE);
        this.file = named != null && !named.isBlank() ? Path.of(named).toAbsolutePath().normalize()
                : etc != null ? etc.resolve("config.yaml") : null;
        if (file == null) {
            this.watch = null;
            this.checkListener = null;
            this.cmListener = null;
            LOG.debug("No config.yaml: neither {} nor an etc/ folder is set", FILE);
            return;
        }
        this.checkListener = event -> {
            if (event.getType() == org.osgi.framework.ServiceEvent.REGISTERED) {
                checkArrived(event.getServiceReference());
            }
        };
        try {
            context.addServiceListener(checkListener, "(" + Constants.OBJECTCLASS + "=" + ConfigurationCheck.class.getName() + ")");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        this.cmListener = context.registerService(org.osgi.service.cm.ConfigurationListener.class, this::changedElsewhere,
                null);
        poll(true); // before the registry serves (it waits for this service): the file's limits hold from the first task
        this.watch = dev.ferry.support.Threads.scheduled("ferry-config-yaml");
        long every = pollMillis(context.getProperty(POLL));
        watch.scheduleWithFixedDelay(this::look, every, every, TimeUnit.MILLISECONDS);
    }

    private static String firstSet(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    private static long pollMillis(String value) {
        try {
            return value == null ? 250 : Math.max(10, Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return 250;
        }
    }

    @Deactivate
    void deactivate() {
        if (watch != null) {
            watch.shutdownNow();
        }
        if (checkListener != null) {
            context.removeServiceListener(checkListener);
        }
        if (cmListener != null) {
            cmListener.unregister();
        }
        if (arrivalListener != null) {
            context.removeServiceListener(arrivalListener);
        }
    }

    @Override
    public java.util.Optional<String> off(String type) {
        String h = hold;
        if (h != null) {
            return java.util.Optional.of(h);
        }
        String why = off.get(type);
        return java.util.Optional.ofNullable(why != null ? why : arriving.get(type));
    }

    /**
     * At start (or when a file refused since the start is fixed), Configuration Admin hands the file's
     * settings to the executors on its own thread, after this bridge wrote them: until a type's service
     * carries them (DS adds a configuration's properties to the service's), it would run tasks with its
     * defaults, which may allow more. Its tasks are refused until then, a matter of milliseconds.
     */
    private void awaitArrival(Parsed parsed) {
        Map<String, String> waiting = new java.util.concurrent.ConcurrentHashMap<>();
        parsed.executors().forEach((type, s) -> {
            // a type whose component is not active yet gets the settings when it activates (DS reads an existing
            // configuration then): only one already serving can run a task with its defaults in between
            if (!s.entries().isEmpty() && served(type)) {
                waiting.put(type, "type '" + type + "' is starting: the settings " + file + " gives it (line " + s.line()
                        + ") have not reached it yet; retry in a moment");
            }
        });
        if (arrivalListener != null) {
            context.removeServiceListener(arrivalListener);
            arrivalListener = null;
        }
        if (waiting.isEmpty()) {
            return;
        }
        arriving = waiting;
        org.osgi.framework.ServiceListener listener = event -> {
            ServiceReference<?> ref = event.getServiceReference();
            Object type = ref.getProperty(Executor.TYPE);
            if (type != null && ref.getProperty(Configs.ORIGIN) != null && event.getType() != org.osgi.framework.ServiceEvent.UNREGISTERING) {
                waiting.remove(type.toString());
            }
        };
        try {
            context.addServiceListener(listener, "(" + Constants.OBJECTCLASS + "=" + Executor.class.getName() + ")");
            for (ServiceReference<Executor> ref : context.getServiceReferences(Executor.class, "(" + Configs.ORIGIN + "=*)")) {
                waiting.remove(String.valueOf(ref.getProperty(Executor.TYPE)));
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        arrivalListener = listener;
    }

    /** @return the file watched, or null */
    public Path file() {
        return file;
    }

    /** @return why the latest version of the file was refused (the previous configuration stays), or null */
    public String refused() {
        String h = hold;
        return h != null ? h : refused;
    }

    /** @return what the operator should know about the applied file: sections nothing checks, types nothing serves */
    public List<String> notes() {
        List<String> out = new ArrayList<>();
        unchecked.values().forEach(t -> out.add(t.section().path() + ": nothing installed checks or uses " + t.what()
                + " yet; its settings apply when a bundle that does is installed"));
        applied.switches().keySet().forEach(type -> {
            if (!served(type)) {
                out.add("executors." + type + ": no installed bundle serves type '" + type + "'");
            }
        });
        return out;
    }

    /** The most config.yaml may hold: a worker's whole configuration is a few kilobytes. */
    static final long MAX_BYTES = 1024 * 1024;

    /** A look that cannot fail: whatever goes wrong is said, and the next look comes (a dead watcher applies nothing). */
    private void look() {
        try {
            poll(false);
        } catch (Throwable t) { // an Error too: the scheduled look must never end
            String why = file + " could not be looked at (" + t + "); the previous configuration stays, and the next look"
                    + " tries again";
            synchronized (this) {
                if (!why.equals(refused)) {
                    LOG.error(why, t);
                }
                refused = why;
            }
        }
    }

    /**
     * Looks at the file; applies it when it changed and has stopped changing. It is read once, whole
     * ({@link WholeFile}: a regular file of at most {@value #MAX_BYTES} bytes, not changing while read),
     * and applied only when a later look finds the same bytes, so a file being written is not applied
     * half-written; an empty file is refused (deleting the file is how to drop its settings).
     */
    synchronized void poll(boolean atStart) {
        WholeFile.Outcome outcome = WholeFile.read(file, MAX_BYTES);
        if (outcome instanceof WholeFile.Refused refusal) {
            pending = null;
            refuse(file + " " + refusal.why(), atStart);
            return;
        }
        byte[] content = outcome instanceof WholeFile.Read read ? read.bytes() : null;
        // a refused file is tried again on every look, unchanged or not: a conflict goes when the .cfg file
        // does, a reference when the file it names appears (a refusal is logged once, not on every look)
        if (!atStart && Arrays.equals(content, seen) && refused() == null) {
            pending = null;
            return;
        }
        if (!atStart && content != null && !Arrays.equals(content, pending)) {
            pending = content; // changed since the last look: applied once a look finds it the same
            return;
        }
        pending = null;
        seen = content;
        if (content != null && new String(content, StandardCharsets.UTF_8).isBlank()) {
            refuse(file + " is empty: an empty file would drop every setting it made; delete the file to go back to"
                    + " the etc/*.cfg files and the defaults", atStart);
            return;
        }
        if (content == null) {
            if (atStart) {
                LOG.debug("No {}; the etc/*.cfg files and the defaults configure the worker", file);
                return;
            }
            LOG.info("{} was removed: its settings go, the etc/*.cfg files and the defaults apply", file);
            apply(Parsed.EMPTY, atStart);
            return;
        }
        Parsed parsed;
        try {
            parsed = ConfigYaml.parse(file, new String(content, StandardCharsets.UTF_8), System::getenv);
        } catch (ConfigYaml.Refused e) {
            refuse(e.getMessage(), atStart);
            return;
        }
        apply(parsed, atStart);
    }

    private void refuse(String why, boolean atStart) {
        if (atStart || hold != null) { // refused since the start: still nothing runs
            String next = "the worker runs no task: " + why + "; fix the file (it is watched) to start serving";
            if (!next.equals(hold)) {
                LOG.error("{}; the worker runs no task until the file is fixed (it is watched)", why);
            }
            hold = next;
        } else {
            if (!why.equals(refused)) {
                LOG.warn("{}; the previous configuration stays", why);
            }
            refused = why;
        }
    }

    private void apply(Parsed parsed, boolean atStart) {
        List<Target> targets = targets(parsed);
        List<String> problems = new ArrayList<>();
        Map<String, Target> notChecked = new LinkedHashMap<>();
        for (Target t : targets) {
            String conflict = conflict(t);
            if (conflict != null) {
                problems.add("line " + t.section().line() + ": " + t.section().path() + " sets " + t.what() + ", which "
                        + conflict + " also sets; configure it in one place: move the settings into config.yaml and delete"
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
            refuse(file + " refused: " + String.join("; ", problems) + "; nothing in the file was applied", atStart);
            return;
        }
        try {
            write(targets);
        } catch (IOException | InvalidSyntaxException | RuntimeException e) {
            refuse(file + " could not be applied: Configuration Admin failed: " + e, atStart);
            return;
        }
        Map<String, String> nowOff = new HashMap<>();
        parsed.switches().forEach((type, s) -> {
            if (!s.enabled()) {
                nowOff.put(type, "type '" + type + "' is disabled in config.yaml (" + file + " line " + s.line()
                        + ": enabled: false); set enabled: true there to serve it again");
            }
        });
        off = Map.copyOf(nowOff);
        if (atStart || hold != null) { // nothing was served until now: nor is a type before its settings reach it
            awaitArrival(parsed);
        }
        applied = parsed;
        unchecked = notChecked;
        started = atStart;
        hold = null;
        refused = null;
        if (!atStart) { // at start, the bundles that check them may simply not have started yet: see checkArrived
            notes().forEach(n -> LOG.warn("{}: {}", file, n));
        }
        LOG.info("Applied {}: {} configuration(s){}", file, targets.size(),
                nowOff.isEmpty() ? "" : ", disabled: " + String.join(", ", new java.util.TreeSet<>(nowOff.keySet())));
    }

    /** What a target's check said: whether there is one, and its objection as a line of the refusal, or null. */
    private record Checked(boolean found, String problem) {
    }

    /**
     * Runs the check registered for the target's PID, holding the service only while it runs (a check is
     * a delayed component: released, it may be deactivated).
     */
    private Checked check(Target t) {
        Collection<ServiceReference<ConfigurationCheck>> refs;
        try {
            refs = context.getServiceReferences(ConfigurationCheck.class, "(" + ConfigurationCheck.PID + "="
                    + escaped(t.checkedPid()) + ")");
        } catch (InvalidSyntaxException e) {
            return new Checked(false, null); // a PID the filter cannot hold has no check
        }
        for (ServiceReference<ConfigurationCheck> ref : refs) {
            ConfigurationCheck check = context.getService(ref);
            if (check == null) {
                continue;
            }
            Optional<String> problem;
            try {
                problem = check.check(properties(t));
            } catch (RuntimeException e) {
                problem = Optional.of("its check failed: " + e);
            } finally {
                context.ungetService(ref);
            }
            return new Checked(true, problem.map(p -> "line " + t.section().lineOf(p) + ": " + t.section().path() + ": "
                    + withoutPreamble(p, t)).orElse(null));
        }
        return new Checked(false, null);
    }

    /**
     * A check registered after its section was applied (at start, its bundle started after this one):
     * the section is checked now, and refused, the file is refused as it would have been had the check
     * been there (at start: no task runs until the file is fixed).
     */
    private synchronized void checkArrived(ServiceReference<?> ref) {
        Object pid = ref.getProperty(ConfigurationCheck.PID);
        if (pid == null || unchecked.isEmpty()) {
            return;
        }
        Map<String, Target> left = new LinkedHashMap<>(unchecked);
        List<String> problems = new ArrayList<>();
        for (java.util.Iterator<Target> it = left.values().iterator(); it.hasNext();) {
            Target t = it.next();
            if (t.checkedPid().equals(pid)) {
                Checked checked = check(t);
                if (checked.found()) {
                    if (checked.problem() != null) {
                        problems.add(checked.problem());
                    }
                    it.remove();
                }
            }
        }
        unchecked = left;
        if (!problems.isEmpty()) {
            refuse(file + " refused: " + String.join("; ", problems) + "; fix it and the whole file is applied again",
                    started);
        }
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
                String pid = pidOf(type);
                out.add(new Target(s, pid, null, pid));
            }
        });
        ConfigYaml.WORKER_SECTIONS.forEach((name, pid) -> {
            Section s = parsed.worker().get(name);
            if (s != null) {
                out.add(new Target(s, pid, null, pid));
            }
        });
        parsed.datasources().forEach((name, s) -> out.add(new Target(s, null, DATASOURCE_FACTORY_PID,
                "datasource '" + name + "' (" + DATASOURCE_FACTORY_PID + ")")));
        return out;
    }

    /** A type's configuration PID: the one its check names, else Ferry's convention. */
    private String pidOf(String type) {
        try {
            for (ServiceReference<ConfigurationCheck> ref : context.getServiceReferences(ConfigurationCheck.class,
                    typeFilter(type))) {
                Object pid = ref.getProperty(ConfigurationCheck.PID);
                if (pid != null) {
                    return pid.toString();
                }
            }
        } catch (InvalidSyntaxException e) {
            // cannot happen: the type is escaped; the convention below
        }
        return "dev.ferry.executor." + type;
    }

    private boolean served(String type) {
        try {
            return !context.getServiceReferences(Executor.class, typeFilter(type)).isEmpty();
        } catch (InvalidSyntaxException e) {
            return false; // cannot happen: the type is escaped
        }
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
            List<Path> candidates = t.pid() != null ? List.of(etc.resolve(t.pid() + ".cfg"))
                    : List.of(etc.resolve(t.factoryPid() + "-" + t.section().name() + ".cfg"),
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
            return Files.readAllLines(cfg).stream().map(String::strip).anyMatch(l -> !l.isEmpty() && !l.startsWith("#")
                    && !l.startsWith("!"));
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
        return t.pid() != null ? configurations(t.pid(), null) : configurations(t.factoryPid(), t.section().name());
    }

    /** The configuration of a PID, or of the factory PID's instance with that name (a datasource's). */
    private List<Configuration> configurations(String pid, String factoryName) throws IOException, InvalidSyntaxException {
        String filter = factoryName == null ? "(" + Constants.SERVICE_PID + "=" + escaped(pid) + ")"
                : "(&(service.factoryPid=" + escaped(pid) + ")(name=" + escaped(factoryName) + "))";
        Configuration[] found = cm.listConfigurations(filter);
        return found == null ? List.of() : List.of(found);
    }

    private static String typeFilter(String type) {
        return "(" + Executor.TYPE + "=" + escaped(type) + ")";
    }

    /** A value as a filter holds it literally (RFC 1960: a backslash before each backslash, parenthesis and star). */
    private static String escaped(String value) {
        return value.replaceAll("([\\\\()*])", "\\\\$1");
    }

    /** Writes every target; deletes what an earlier version of the file set and this one does not. */
    private void write(List<Target> targets) throws IOException, InvalidSyntaxException {
        Map<String, Target> wanted = new LinkedHashMap<>();
        targets.forEach(t -> wanted.put(t.key(), t));
        Configuration[] ours = cm.listConfigurations("(" + Configs.ORIGIN + "=*)");
        if (ours != null) {
            for (Configuration c : ours) {
                String key = c.getFactoryPid() != null ? c.getFactoryPid() + "~" + c.getProperties().get("name") : c.getPid();
                if (!wanted.containsKey(key)) {
                    LOG.info("{}: no longer in {}, back to its defaults", key, file);
                    c.delete();
                }
            }
        }
        Map<String, Map<String, Object>> now = new java.util.concurrent.ConcurrentHashMap<>();
        for (Target t : wanted.values()) {
            Configuration c = t.pid() != null ? cm.getConfiguration(t.pid(), "?")
                    : cm.getFactoryConfiguration(t.factoryPid(), t.section().name(), "?");
            Map<String, Object> props = properties(t);
            now.put(c.getPid(), props);
            c.updateIfDifferent(new Hashtable<>(props));
        }
        written = now;
    }

    /** What this bridge last wrote, by configuration PID: to tell its own updates from someone else's. */
    private volatile Map<String, Map<String, Object>> written = Map.of();

    /**
     * A configuration this file owns, changed by someone else (Karaf's config: commands, the web console):
     * it takes effect, and the operator is told that config.yaml will set it again.
     */
    private void changedElsewhere(org.osgi.service.cm.ConfigurationEvent event) {
        Map<String, Object> ours = written.get(event.getPid());
        if (ours == null || event.getType() != org.osgi.service.cm.ConfigurationEvent.CM_UPDATED) {
            return;
        }
        try {
            List<Configuration> found = configurations(event.getPid(), null);
            Dictionary<String, Object> props = found.isEmpty() ? null : found.get(0).getProperties();
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
                LOG.warn("{} was changed outside {} ({}): the change applies now, and {} sets these keys again when it"
                        + " next changes or the worker starts; change them there to keep them", event.getPid(), file,
                        String.join(", ", changed), file.getFileName());
            }
        } catch (IOException | InvalidSyntaxException | RuntimeException e) {
            LOG.debug("Cannot compare {} with {}: {}", event.getPid(), file, e.toString());
        }
    }

    /** One effective setting, for {@code executor:config}. */
    public record Setting(String key, String value, String source) {
    }

    /**
     * The effective configuration of a PID, secrets masked, with where each value comes from.
     *
     * @param defaults the metatype's keys and defaults (empty when there is no metatype), in order
     * @param secretKeys keys the metatype marks as passwords
     */
    public List<Setting> effective(String pid, String factoryName, Map<String, String> defaults, java.util.Set<String> secretKeys)
            throws IOException, InvalidSyntaxException {
        List<Configuration> found = configurations(pid, factoryName);
        Dictionary<String, Object> props = found.isEmpty() ? null : found.get(0).getProperties();
        Map<String, Object> set = new TreeMap<>();
        if (props != null) {
            for (String k : java.util.Collections.list(props.keys())) {
                if (!k.startsWith("service.") && !k.startsWith("felix.") && !k.equals(Configs.ORIGIN)) {
                    set.put(k, props.get(k));
                }
            }
        }
        Section section = sectionFor(pid, factoryName);
        String cfgFile = props == null || props.get("felix.fileinstall.filename") == null ? null
                : Configs.source(pid, Map.of("felix.fileinstall.filename", props.get("felix.fileinstall.filename")));
        List<Setting> out = new ArrayList<>();
        Map<String, String> keys = new LinkedHashMap<>(defaults);
        set.keySet().forEach(k -> keys.putIfAbsent(k, null));
        for (Map.Entry<String, String> k : keys.entrySet()) {
            String key = k.getKey();
            boolean secret = secretKeys.contains(key);
            if (!set.containsKey(key)) {
                out.add(new Setting(key, k.getValue() == null ? "" : Secrets.show(key, secret, k.getValue()), "default"));
                continue;
            }
            Object value = set.get(key);
            String source;
            Entry fromYaml = section == null ? null : section.entries().get(key);
            if (fromYaml != null && sameValue(fromYaml.value(), value)) {
                source = "config.yaml line " + fromYaml.line();
            } else if (props.get(Configs.ORIGIN) != null) {
                // config.yaml wrote this configuration, and something changed it since (Karaf's config:
                // commands, which also write it back to a .cfg file, the web console)
                source = "set at runtime (config.yaml sets it again when it changes)";
            } else if (cfgFile != null) {
                source = cfgFile;
            } else {
                source = "set at runtime (Configuration Admin)";
            }
            out.add(new Setting(key, Secrets.show(key, secret, value), source));
        }
        return out;
    }

    private static boolean sameValue(Object a, Object b) {
        if (a instanceof Object[] x && b instanceof Object[] y) {
            return Arrays.equals(x, y);
        }
        return Objects.equals(a, b);
    }

    private Section sectionFor(String pid, String factoryName) {
        Parsed p = applied;
        if (factoryName != null) {
            return DATASOURCE_FACTORY_PID.equals(pid) ? p.datasources().get(factoryName) : null;
        }
        for (Map.Entry<String, String> w : ConfigYaml.WORKER_SECTIONS.entrySet()) {
            if (w.getValue().equals(pid)) {
                return p.worker().get(w.getKey());
            }
        }
        for (Map.Entry<String, Section> e : p.executors().entrySet()) {
            if (pidOf(e.getKey()).equals(pid)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** @return the datasource names configured now (factory configurations of {@value #DATASOURCE_FACTORY_PID}) */
    public List<String> datasourceNames() throws IOException, InvalidSyntaxException {
        Configuration[] found = cm.listConfigurations("(service.factoryPid=" + DATASOURCE_FACTORY_PID + ")");
        List<String> names = new ArrayList<>();
        if (found != null) {
            for (Configuration c : found) {
                Object n = c.getProperties() == null ? null : c.getProperties().get("name");
                if (n != null) {
                    names.add(n.toString());
                }
            }
        }
        names.sort(null);
        return names;
    }

    /** @return the configuration PID of each task type served or named in config.yaml */
    public Map<String, String> typePids() {
        Map<String, String> out = new TreeMap<>();
        try {
            for (ServiceReference<Executor> ref : context.getServiceReferences(Executor.class, null)) {
                Object type = ref.getProperty(Executor.TYPE);
                if (type != null) {
                    out.put(type.toString(), pidOf(type.toString()));
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        applied.executors().keySet().forEach(t -> out.putIfAbsent(t, pidOf(t)));
        return out;
    }
}
