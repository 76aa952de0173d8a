package dev.ferry.worker.internal.shell;

import dev.ferry.executor.api.ExecutorInfo;
import dev.ferry.executor.api.ExecutorStats;
import dev.ferry.executor.api.Health;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import dev.ferry.executor.api.TaskHandle;
import dev.ferry.executor.api.Validation;
import dev.ferry.worker.internal.config.ConfigBridge;
import dev.ferry.worker.internal.registry.RegistryView;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * The {@code executor:*} shell commands. Every command returns text for a person; a mistake is one
 * line saying what to fix, never a stack trace.
 */
@Component(service = ExecutorCommands.class)
@GogoCommand(
        scope = "executor",
        function = {"list", "run", "validate", "health", "stats", "config", "drain", "resume"})
public class ExecutorCommands {
    private static final String TYPE = "the executor type, e.g. command (executor:list shows them)";
    private static final String PAYLOAD =
            "the payload, JSON in single quotes, e.g. '{\"command\":\"echo\",\"args\":[\"hi\"]}'";
    /** The property of the stopper a running executor:run registers; the standalone launcher runs it on Ctrl-C (SIGINT). */
    static final String INTERRUPT_PROPERTY = dev.ferry.worker.spi.ServiceProperties.SHELL_INTERRUPT;

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

    private final RegistryView registry;
    private final org.osgi.framework.BundleContext context;
    private final ConfigBridge config;
    private final MetaTypeService metatype;

    @Activate
    public ExecutorCommands(
            @Reference RegistryView registry,
            org.osgi.framework.BundleContext context,
            @Reference ConfigBridge config,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL) MetaTypeService metatype) {
        this.registry = registry;
        this.context = context;
        this.config = config;
        this.metatype = metatype;
    }

    /*
     * Each command prints its answer rather than returning it: Felix Gogo prints a returned value, but
     * Karaf's shell run through ssh or bin/client does not, and both give a command's System.out to its
     * session.
     */

    /** executor:list — every executor service: type, bundle, version, state, health, in-flight, counts. */
    @Descriptor("Lists every executor service: type, bundle, version, state, in-flight tasks, counts and health")
    public void list() {
        System.out.println(listText());
    }

    /** executor:run [--follow] TYPE JSON — runs a task with the registry's default timeout. */
    @Descriptor("Runs a task and prints its outcome")
    public void run(
            @Descriptor("print the output as it comes, then the outcome; Ctrl-C cancels the task")
                    @Parameter(
                            names = {"-f", "--follow"},
                            presentValue = "true",
                            absentValue = "false")
                    boolean follow,
            @Descriptor(TYPE) String type,
            @Descriptor(PAYLOAD) String json) {
        run(follow, type, json, null);
    }

    /** executor:run [--follow] TYPE JSON TIMEOUT — runs a task; TIMEOUT is like 30, 30s, 500ms, 2m. */
    @Descriptor("Runs a task with a timeout and prints its outcome")
    public void run(
            @Descriptor("print the output as it comes, then the outcome; Ctrl-C cancels the task")
                    @Parameter(
                            names = {"-f", "--follow"},
                            presentValue = "true",
                            absentValue = "false")
                    boolean follow,
            @Descriptor(TYPE) String type,
            @Descriptor(PAYLOAD) String json,
            @Descriptor("the longest the task may run: 30 (seconds), 30s, 500ms, 2m, 1h") String timeout) {
        if (follow) {
            System.out.println(runText(type, json, timeout, System.out, System.err));
        } else {
            System.out.println(runText(type, json, timeout));
        }
    }

    /** executor:validate TYPE JSON — checks a payload without running it. */
    @Descriptor("Checks a payload without running it: valid, or what is wrong with it")
    public void validate(@Descriptor(TYPE) String type, @Descriptor(PAYLOAD) String json) {
        System.out.println(validateText(type, json));
    }

    /** executor:health — each type's health. */
    @Descriptor("Shows each executor type's health, and why a type is down")
    public void health() {
        System.out.println(healthText());
    }

    /** executor:stats — counters and latency per type. */
    @Descriptor("Shows each type's task counts by status and its latency (p50, p99, max) since the worker started")
    public void stats() {
        System.out.println(statsText());
    }

    /** executor:config — the effective configuration of every type, the registry, gRPC and each datasource. */
    @Descriptor("Shows the configuration in effect, every key with where its value comes from")
    public void config() {
        System.out.println(configText(null));
    }

    /** executor:config NAME — the effective configuration of one type, of registry, grpc, or of datasource NAME. */
    @Descriptor(
            "Shows the configuration in effect of one part of the worker, every key with where its value comes from")
    public void config(
            @Descriptor(
                            "an executor type (command, http ...), registry, grpc, metrics, audit, logging, or a datasource's name")
                    String name) {
        System.out.println(configText(name));
    }

    /** executor:drain TYPE [REASON] — stops admitting tasks of a type while running ones finish. */
    @Descriptor(
            "Stops admitting tasks of a type for maintenance: callers are refused with the reason (gRPC UNAVAILABLE),"
                    + " its health is down, tasks running finish. executor:resume undoes it; a restart does too")
    public void drain(@Descriptor(TYPE) String type) {
        System.out.println(drainText(type, null));
    }

    /** executor:drain TYPE REASON */
    @Descriptor("Stops admitting tasks of a type for maintenance, saying why to the callers refused")
    public void drain(
            @Descriptor(TYPE) String type,
            @Descriptor("why, shown to the callers refused, e.g. 'disk swap'") String reason) {
        System.out.println(drainText(type, reason));
    }

    /** executor:resume TYPE — takes tasks of a drained type again. */
    @Descriptor("Takes tasks of a drained type again")
    public void resume(@Descriptor(TYPE) String type) {
        System.out.println(
                registry.resume(type)
                        ? "type '" + type + "' takes tasks again"
                        : "type '" + type + "' is not drained" + drainedNow());
    }

    String drainText(String type, String reason) {
        int running = registry.drain(type, reason);
        if (running < 0) {
            return "error: no executor type '" + type + "' (executor:list shows them)";
        }
        return "type '" + type + "' drained: new tasks are refused, " + running + " running finish"
                + (running == 0 ? "" : " (executor:list shows them as IN-FLIGHT)") + "; executor:resume " + type
                + " undoes it";
    }

    private String drainedNow() {
        Map<String, String> d = registry.drained();
        return d.isEmpty() ? "" : "; drained now: " + String.join(", ", d.keySet());
    }

    String configText(String only) {
        Map<String, String[]> pids = new java.util.LinkedHashMap<>(); // title -> {pid, factory name or null}
        config.typePids().forEach((type, pid) -> pids.put("type " + type, new String[] {pid, null}));
        ConfigBridge.workerPids().forEach((name, pid) -> pids.put(name, new String[] {pid, null}));
        try {
            for (String ds : config.datasourceNames()) {
                pids.put("datasource " + ds, new String[] {ConfigBridge.DATASOURCE_FACTORY_PID, ds});
            }
        } catch (java.io.IOException | org.osgi.framework.InvalidSyntaxException e) {
            return "error: Configuration Admin failed: " + e.getMessage();
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String[]> e : pids.entrySet()) {
            String title = e.getKey();
            if (only != null && !title.equals(only) && !title.endsWith(" " + only)) {
                continue;
            }
            String pid = e.getValue()[0];
            String name = e.getValue()[1];
            Map<String, String> defaults = new java.util.LinkedHashMap<>();
            java.util.Set<String> secrets = new java.util.HashSet<>();
            ObjectClassDefinition ocd = ocd(pid);
            if (ocd != null) {
                for (AttributeDefinition ad : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL)) {
                    String[] d = ad.getDefaultValue();
                    defaults.put(
                            ad.getID(),
                            d == null
                                    ? ""
                                    : ad.getCardinality() == 0 ? String.join("", d) : "[" + String.join(", ", d) + "]");
                    if (ad.getType() == AttributeDefinition.PASSWORD) {
                        secrets.add(ad.getID());
                    }
                }
            }
            List<ConfigBridge.Setting> settings;
            try {
                settings = config.effective(pid, name, defaults, secrets);
            } catch (java.io.IOException | org.osgi.framework.InvalidSyntaxException ex) {
                return "error: Configuration Admin failed: " + ex.getMessage();
            }
            sb.append(title)
                    .append(" (")
                    .append(name == null ? pid : pid + ", name " + name)
                    .append(")\n");
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"  KEY", "FROM", "VALUE"}); // VALUE last: long lists make no other column wide
            settings.forEach(st -> rows.add(new String[] {"  " + st.key(), st.source(), st.value()}));
            sb.append(table(rows)).append('\n');
            if (title.startsWith("type ")) {
                config.off(title.substring(5))
                        .ifPresent(
                                off -> sb.append("  not served: ").append(off).append('\n'));
            }
            sb.append('\n');
        }
        if (sb.length() == 0) {
            return "nothing is configured as '" + only + "'; give a type ("
                    + String.join(", ", config.typePids().keySet())
                    + "), registry, grpc, metrics, audit, logging, or a datasource's name";
        }
        return (sb + configNotes()).stripTrailing();
    }

    /** What config.yaml's bridge has to say: the file refused, types no bundle serves. */
    private String configNotes() {
        StringBuilder sb = new StringBuilder();
        if (config.file() != null) {
            String refused = config.refused();
            if (refused != null) {
                sb.append("\nConfiguration: ").append(refused);
            }
            for (String n : config.notes()) {
                sb.append("\nConfiguration: ")
                        .append(config.file())
                        .append(": ")
                        .append(n);
            }
        }
        return sb.toString();
    }

    private ObjectClassDefinition ocd(String pid) {
        if (metatype == null) {
            return null;
        }
        for (org.osgi.framework.Bundle b : context.getBundles()) {
            MetaTypeInformation info = metatype.getMetaTypeInformation(b);
            if (info == null) {
                continue;
            }
            boolean has = java.util.Arrays.asList(info.getPids()).contains(pid)
                    || java.util.Arrays.asList(info.getFactoryPids()).contains(pid);
            if (has) {
                try {
                    return info.getObjectClassDefinition(pid, null);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }

    String listText() {
        List<ExecutorInfo> infos = registry.capabilities();
        List<String> unresolved = dev.ferry.worker.internal.deploy.Unresolved.executorBundles(context);
        String notes =
                (unresolved.isEmpty() ? "" : "\nNot serving:\n  " + String.join("\n  ", unresolved)) + configNotes();
        if (infos.isEmpty()) {
            return "No executors are installed. Drop an executor bundle into deploy/ or install one." + notes;
        }
        List<String[]> rows = new ArrayList<>();
        // HEALTH last: a long reason (a refused configuration) then makes no other column wide
        rows.add(new String[] {"TYPE", "BUNDLE", "VERSION", "STATE", "IN-FLIGHT", "OK", "FAILED", "OTHER", "HEALTH"});
        for (ExecutorInfo i : infos) {
            ExecutorStats s = i.stats();
            long ok = s.count(Status.SUCCEEDED);
            long failed = s.count(Status.FAILED);
            rows.add(new String[] {
                i.type(),
                i.bundleSymbolicName(),
                i.bundleVersion(),
                i.isActive() ? "active" : "standby (ranking " + i.ranking() + ")",
                Integer.toString(i.inFlight()),
                Long.toString(ok),
                Long.toString(failed),
                Long.toString(s.total() - ok - failed),
                i.health() == null ? "-" : state(i.health())
            });
        }
        return table(rows) + notes;
    }

    String runText(String type, String json, String timeout) {
        return runText(type, json, timeout, null, null);
    }

    /**
     * Runs a task and returns its outcome as text. With {@code out} (--follow) the output is printed as it comes:
     * the task's output to {@code out}, stderr to {@code err}, on this thread (Gogo gives a command's System.out to
     * its session on the command's thread only), and the outcome comes without it. Ctrl-C cancels the task.
     */
    String runText(String type, String json, String timeout, java.io.PrintStream out, java.io.PrintStream err) {
        Duration limit;
        try {
            limit = timeout == null ? null : parseDuration(timeout);
        } catch (IllegalArgumentException e) {
            return "error: " + e.getMessage();
        }
        Task task = new Task(
                Task.nextId(),
                type,
                json.getBytes(StandardCharsets.UTF_8),
                Map.of("origin", "shell", Task.CALLER, "local shell"));
        Follow follow = out == null ? null : new Follow();
        // submit, not execute: the shell gets its answer at the deadline whatever the executor does
        TaskHandle handle = follow == null ? registry.submit(task, limit) : registry.submit(task, limit, follow);
        java.util.concurrent.CompletableFuture<Result> result = handle.result().toCompletableFuture();
        // Ctrl-C: Karaf's shell interrupts this thread itself; the standalone worker's launcher runs this stopper
        Thread self = Thread.currentThread();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        org.osgi.framework.ServiceRegistration<Runnable> stopper = context.registerService(
                Runnable.class,
                () -> {
                    if (running.get()) { // never the next command's thread
                        self.interrupt();
                    }
                },
                new java.util.Hashtable<>(Map.of(INTERRUPT_PROPERTY, "true")));
        try {
            if (follow != null) {
                follow.print(result, out, err);
            }
            return describe(task, result.get());
        } catch (InterruptedException e) {
            // Ctrl-C, handled: the task is cancelled. The interrupt is not passed on, since the shell's own
            // output to the session would fail on it.
            handle.cancel();
            return "cancelled task " + task.id();
        } catch (ExecutionException e) {
            return "error: " + e.getCause();
        } finally {
            running.set(false);
            stopper.unregister();
            if (follow != null) {
                follow.close(); // a stopped task's output still coming is dropped, its writers freed
            }
        }
    }

    String validateText(String type, String json) {
        Validation v = registry.validate(type, json.getBytes(StandardCharsets.UTF_8));
        return v.isValid()
                ? "valid"
                : "invalid (" + v.rejection().name().toLowerCase().replace('_', ' ') + "): " + v.message();
    }

    String healthText() {
        Map<String, Health> all = registry.health();
        if (all.isEmpty()) {
            return "No executors are installed.";
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"TYPE", "HEALTH", "DETAIL"});
        all.forEach((type, h) -> rows.add(new String[] {type, h.isHealthy() ? "UP" : "DOWN", h.message()}));
        return table(rows);
    }

    String statsText() {
        Map<String, ExecutorStats> all = new TreeMap<>(registry.stats());
        if (all.isEmpty()) {
            return "No tasks yet.";
        }
        Map<String, Integer> limits = registry.limits();
        List<String[]> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("TYPE", "LIMIT"));
        for (Status s : Status.values()) {
            header.add(s.name());
        }
        header.addAll(List.of("P50", "P99", "MAX"));
        rows.add(header.toArray(new String[0]));
        all.forEach((type, s) -> {
            List<String> row = new ArrayList<>(List.of(type, String.valueOf(limits.getOrDefault(type, 0))));
            for (Status st : Status.values()) {
                row.add(Long.toString(s.count(st)));
            }
            row.addAll(List.of(micros(s.p50Micros()), micros(s.p99Micros()), micros(s.maxMicros())));
            rows.add(row.toArray(new String[0]));
        });
        return table(rows);
    }

    static String describe(Task task, Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(r.status());
        if (r.rejection() != null) {
            sb.append(" (")
                    .append(r.rejection().name().toLowerCase().replace('_', ' '))
                    .append(')');
        }
        sb.append("  exit=").append(r.exitCode());
        String us = r.metadata().get(Result.DURATION_MICROS);
        if (us != null) {
            sb.append("  time=").append(micros(Long.parseLong(us)));
        }
        String by = r.metadata().get(Result.EXECUTED_BY);
        if (by != null) {
            sb.append("  by=").append(by);
        }
        sb.append("  task=").append(task.id()).append('\n');
        if (!r.error().isEmpty()) {
            sb.append("error: ").append(r.error()).append('\n');
        }
        new TreeMap<>(r.metadata()).forEach((k, v) -> {
            if (!k.startsWith("ferry.") && !v.isEmpty()) {
                sb.append(k).append(": ").append(v.replace("\n", "\n  ")).append('\n');
            }
        });
        String out = r.outputAsString();
        if (!out.isEmpty()) {
            sb.append("--- output ---\n").append(out);
            if (!out.endsWith("\n")) {
                sb.append('\n');
            }
        }
        return sb.toString().stripTrailing();
    }

    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "timeout '" + text + "' is not a duration; write 30, 30s, 500ms, 2m or 1h");
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double nanos = n
                * switch (unit) {
                    case "ms" -> 1e6;
                    case "m" -> 60e9;
                    case "h" -> 3600e9;
                    default -> 1e9;
                };
        if (nanos < 1e6) {
            throw new IllegalArgumentException("timeout '" + text + "' is too short; give at least 1ms");
        }
        return Duration.ofNanos((long) nanos);
    }

    private static String micros(long us) {
        if (us < 1000) {
            return us + "µs";
        }
        if (us < 1_000_000) {
            return dev.ferry.support.Numbers.decimal(us / 1000.0, 1) + "ms";
        }
        return dev.ferry.support.Numbers.decimal(us / 1e6, 2) + "s";
    }

    private static String state(Health h) {
        if (!h.isHealthy()) {
            return "DOWN: " + h.message();
        }
        return h.isDegraded() ? "UP, but " + h.message() : "UP";
    }

    static String table(List<String[]> rows) {
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] row : rows) {
            for (int c = 0; c < cols; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            for (int c = 0; c < cols; c++) {
                sb.append(c == cols - 1 ? row[c] : String.format("%-" + (width[c] + 2) + "s", row[c]));
            }
            sb.append('\n');
        }
        return sb.toString().stripTrailing();
    }
}
