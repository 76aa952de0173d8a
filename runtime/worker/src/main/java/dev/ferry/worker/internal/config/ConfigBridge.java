package dev.ferry.worker.internal.config;

import dev.ferry.executor.api.ConfigurationCheck;
import dev.ferry.worker.internal.config.ConfigYaml.Parsed;
import dev.ferry.worker.internal.registry.Switches;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
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
 * whole or not at all. Refused while running, the previous configuration stays; refused at start, no
 * task runs until the file is fixed (its settings may be what keeps a type from being more permissive).
 * {@code enabled: false} under a type switches it off in the registry.
 *
 * <p>Its parts, each owning what it holds: the {@link FileWatch} (when the file is read, and that it is whole),
 * the {@link Transaction} (checks, conflicts, and the writes to Configuration Admin), the {@link TypeGate}
 * (what the registry may serve, asked on every task) and the {@link EffectiveView} ({@code executor:config}).
 * This class holds the refusal state and moves the parts, always under its own lock.
 */
@Component(
        immediate = true,
        service = {Switches.class, ConfigBridge.class})
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

    /** One effective setting, for {@code executor:config}. */
    public record Setting(String key, String value, String source) {}

    private final BundleContext context;
    private final CmLookup lookup;
    private final Path file;
    private final FileWatch watch;
    private final Transaction transaction;
    private final TypeGate gate;
    private final EffectiveView view;
    private final ScheduledExecutorService looks;
    private final org.osgi.framework.ServiceListener checkListener;
    private final org.osgi.framework.ServiceRegistration<?> cmListener;

    // written under this
    private volatile String refused;
    /** Sections applied before anything could check them, by path. */
    private volatile Map<String, Transaction.Target> unchecked = Map.of();
    /** Whether the file applied at start is still in force: a late refusal of it holds every task. */
    private boolean started = true;

    private volatile Parsed applied = Parsed.EMPTY;

    @Activate
    public ConfigBridge(BundleContext context, @Reference ConfigurationAdmin cm) {
        this.context = context;
        String etcDir = firstSet(context.getProperty("felix.fileinstall.dir"), context.getProperty("karaf.etc"));
        Path etc = etcDir == null ? null : Path.of(etcDir).toAbsolutePath().normalize();
        String named = context.getProperty(FILE);
        this.file = named != null && !named.isBlank()
                ? Path.of(named).toAbsolutePath().normalize()
                : etc != null ? etc.resolve("config.yaml") : null;
        this.lookup = new CmLookup(context, cm);
        this.watch = new FileWatch(file);
        this.transaction = new Transaction(lookup, file, etc);
        this.gate = new TypeGate(lookup, file);
        this.view = new EffectiveView(lookup, () -> applied);
        if (file == null) {
            this.looks = null;
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
            context.addServiceListener(
                    checkListener, "(" + Constants.OBJECTCLASS + "=" + ConfigurationCheck.class.getName() + ")");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        this.cmListener = context.registerService(
                org.osgi.service.cm.ConfigurationListener.class, transaction::changedElsewhere, null);
        poll(true); // before the registry serves (it waits for this service): the file's limits hold from the first
        // task
        this.looks = dev.ferry.support.Threads.scheduled("ferry-config-yaml");
        long every = pollMillis(context.getProperty(POLL));
        looks.scheduleWithFixedDelay(this::look, every, every, TimeUnit.MILLISECONDS);
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
        if (looks != null) {
            looks.shutdownNow();
        }
        if (checkListener != null) {
            context.removeServiceListener(checkListener);
        }
        if (cmListener != null) {
            cmListener.unregister();
        }
        gate.close();
    }

    @Override
    public Optional<String> off(String type) {
        return gate.off(type);
    }

    /** @return the file watched, or null */
    public Path file() {
        return file;
    }

    /** @return why the latest version of the file was refused (the previous configuration stays), or null */
    public String refused() {
        String h = gate.hold();
        return h != null ? h : refused;
    }

    /** @return what the operator should know about the applied file: sections nothing checks, types nothing serves */
    public List<String> notes() {
        List<String> out = new ArrayList<>();
        unchecked
                .values()
                .forEach(t -> out.add(t.section().path() + ": nothing installed checks or uses " + t.what()
                        + " yet; its settings apply when a bundle that does is installed"));
        applied.switches().keySet().forEach(type -> {
            if (!lookup.served(type)) {
                out.add("executors." + type + ": no installed bundle serves type '" + type + "'");
            }
        });
        return out;
    }

    /** A look that cannot fail: whatever goes wrong is said, and the next look comes (a dead watcher applies nothing). */
    private void look() {
        try {
            poll(false);
        } catch (Throwable t) { // an Error too: the scheduled look must never end
            String why = file + " could not be looked at (" + t
                    + "); the previous configuration stays, and the next look" + " tries again";
            synchronized (this) {
                if (!why.equals(refused)) {
                    LOG.error(why, t);
                }
                refused = why;
            }
        }
    }

    /** Looks at the file; applies it when it changed and has stopped changing (see {@link FileWatch}). */
    synchronized void poll(boolean atStart) {
        FileWatch.Look look = watch.look(atStart, refused() != null);
        if (look instanceof FileWatch.Refused r) {
            refuse(r.why(), atStart);
        } else if (look == FileWatch.Absent.ABSENT) {
            if (atStart) {
                LOG.debug("No {}; the etc/*.cfg files and the defaults configure the worker", file);
                return;
            }
            LOG.info("{} was removed: its settings go, the etc/*.cfg files and the defaults apply", file);
            apply(Parsed.EMPTY, atStart);
        } else if (look instanceof FileWatch.Content c) {
            Parsed parsed;
            try {
                parsed = ConfigYaml.parse(file, c.text(), System::getenv);
            } catch (ConfigYaml.Refused e) {
                refuse(e.getMessage(), atStart);
                return;
            }
            apply(parsed, atStart);
        }
        // Unchanged: nothing to do
    }

    private void refuse(String why, boolean atStart) {
        if (atStart || gate.hold() != null) { // refused since the start: still nothing runs
            String next = "the worker runs no task: " + why + "; fix the file (it is watched) to start serving";
            if (!next.equals(gate.hold())) {
                LOG.error("{}; the worker runs no task until the file is fixed (it is watched)", why);
            }
            gate.hold(next);
        } else {
            if (!why.equals(refused)) {
                LOG.warn("{}; the previous configuration stays", why);
            }
            refused = why;
        }
    }

    private void apply(Parsed parsed, boolean atStart) {
        Transaction.Outcome outcome = transaction.apply(parsed);
        if (outcome instanceof Transaction.Refused r) {
            refuse(r.why(), atStart);
            return;
        }
        Transaction.Applied done = (Transaction.Applied) outcome;
        Map<String, String> nowOff = gate.applied(parsed);
        if (atStart
                || gate.hold() != null) { // nothing was served until now: nor is a type before its settings reach it
            gate.awaitArrival(parsed);
        }
        applied = parsed;
        unchecked = done.unchecked();
        started = atStart;
        gate.released();
        refused = null;
        if (!atStart) { // at start, the bundles that check them may simply not have started yet: see checkArrived
            notes().forEach(n -> LOG.warn("{}: {}", file, n));
        }
        LOG.info(
                "Applied {}: {} configuration(s){}",
                file,
                done.configurations(),
                nowOff.isEmpty() ? "" : ", disabled: " + String.join(", ", new java.util.TreeSet<>(nowOff.keySet())));
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
        Map<String, Transaction.Target> left = new LinkedHashMap<>(unchecked);
        List<String> problems = new ArrayList<>();
        for (java.util.Iterator<Transaction.Target> it = left.values().iterator(); it.hasNext(); ) {
            Transaction.Target t = it.next();
            if (t.checkedPid().equals(pid)) {
                Transaction.Checked checked = transaction.check(t);
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
            refuse(
                    file + " refused: " + String.join("; ", problems) + "; fix it and the whole file is applied again",
                    started);
        }
    }

    // -- the effective view, for executor:config

    /**
     * The effective configuration of a PID, secrets masked, with where each value comes from.
     *
     * @param defaults the metatype's keys and defaults (empty when there is no metatype), in order
     * @param secretKeys keys the metatype marks as passwords
     */
    public List<Setting> effective(
            String pid, String factoryName, Map<String, String> defaults, java.util.Set<String> secretKeys)
            throws IOException, InvalidSyntaxException {
        return view.effective(pid, factoryName, defaults, secretKeys);
    }

    /** @return the datasource names configured now (factory configurations of {@value #DATASOURCE_FACTORY_PID}) */
    public List<String> datasourceNames() throws IOException, InvalidSyntaxException {
        return view.datasourceNames();
    }

    /** @return the configuration PID of each task type served or named in config.yaml */
    public Map<String, String> typePids() {
        return view.typePids();
    }
}
