package dev.ferry.worker.internal.metrics;

import dev.ferry.executor.api.Rejection;
import dev.ferry.worker.internal.registry.RegistryView;
import dev.ferry.worker.internal.registry.TaskMetrics;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The Prometheus text exposition format (version 0.0.4), written family by family. */
final class Exposition {
    /** Bucket bounds of the task duration histogram, in seconds. */
    static final double[] BOUNDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300
    };

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out = new StringBuilder(8192);

    /** Starts a metric family. */
    Exposition family(String name, String type, String help) {
        out.append("# HELP ")
                .append(name)
                .append(' ')
                .append(help.replace("\\", "\\\\").replace("\n", "\\n"))
                .append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /** One sample; {@code labels} are name, value pairs. */
    Exposition sample(String name, double value, String... labels) {
        out.append(name);
        if (labels.length > 0) {
            out.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                out.append(i == 0 ? "" : ",")
                        .append(labels[i])
                        .append("=\"")
                        .append(escape(labels[i + 1]))
                        .append('"');
            }
            out.append('}');
        }
        out.append(' ').append(number(value)).append('\n');
        return this;
    }

    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.isInfinite(v) ? (v > 0 ? "+Inf" : "-Inf") : Double.toString(v); // Go's ParseFloat reads it
    }

    @Override
    public String toString() {
        return out.toString();
    }

    // -- the worker's families

    void registry(RegistryView registry) {
        Map<String, RegistryView.TypeState> types = registry.typeStates(BOUNDS);
        family("ferry_tasks_total", "counter", "Tasks ended, by executor type and status (REJECTED ones too).");
        types.forEach((type, t) -> t.counters()
                .byStatus()
                .forEach((status, n) -> sample("ferry_tasks_total", n, "type", type, "status", status.name())));
        family(
                "ferry_tasks_rejected_total",
                "counter",
                "Tasks rejected before they ran, by executor type and reason; tasks"
                        + " whose type nobody serves are counted with type=\"\".");
        types.forEach((type, t) -> t.counters().rejected().forEach((reason, n) -> {
            if (reason != Rejection.UNKNOWN_TYPE) {
                sample("ferry_tasks_rejected_total", n, "type", type, "reason", reason.name());
            }
        }));
        sample(
                "ferry_tasks_rejected_total",
                registry.unknownTypeRejections(),
                "type",
                "",
                "reason",
                Rejection.UNKNOWN_TYPE.name());
        family(
                "ferry_task_duration_seconds",
                "histogram",
                "Time from arrival to answer of tasks that ran (waiting included).");
        types.forEach((type, t) -> {
            TaskMetrics m = t.counters();
            for (int i = 0; i < BOUNDS.length; i++) {
                sample("ferry_task_duration_seconds_bucket", m.durationBuckets()[i], "type", type, "le", le(BOUNDS[i]));
            }
            sample("ferry_task_duration_seconds_bucket", m.durationCount(), "type", type, "le", "+Inf");
            sample("ferry_task_duration_seconds_sum", m.durationSumSeconds(), "type", type);
            sample("ferry_task_duration_seconds_count", m.durationCount(), "type", type);
        });
        family("ferry_tasks_in_flight", "gauge", "Tasks running now, by executor type.");
        types.forEach((type, t) -> sample("ferry_tasks_in_flight", t.inFlight(), "type", type));
        family(
                "ferry_tasks_waiting",
                "gauge",
                "Tasks waiting now for a slot of their type or for its executor to come back.");
        types.forEach((type, t) -> sample("ferry_tasks_waiting", t.waiting(), "type", type));
        family("ferry_type_concurrency_limit", "gauge", "Tasks a type may run at once.");
        types.forEach((type, t) -> sample("ferry_type_concurrency_limit", t.limit(), "type", type));
        family("ferry_type_drained", "gauge", "1 while an operator has drained the type (executor:drain).");
        types.forEach((type, t) -> sample("ferry_type_drained", t.drained() ? 1 : 0, "type", type));
        family(
                "ferry_executor_services",
                "gauge",
                "Executor services registered now, by type (the active one and stand-bys).");
        types.forEach((type, t) -> sample("ferry_executor_services", t.services(), "type", type));
        family(
                "ferry_executor_changes_total",
                "counter",
                "Executor services that arrived or departed (installs, updates,"
                        + " uninstalls, configuration changes), by type.");
        types.forEach((type, t) -> {
            sample("ferry_executor_changes_total", t.counters().arrived(), "type", type, "change", "arrived");
            sample("ferry_executor_changes_total", t.counters().departed(), "type", type, "change", "departed");
        });
        family(
                "ferry_executor_drain_seconds_total",
                "counter",
                "Time departing executor services spent finishing their" + " running tasks, by type.");
        types.forEach((type, t) ->
                sample("ferry_executor_drain_seconds_total", t.counters().drainSeconds(), "type", type));
    }

    private static String le(double bound) {
        return bound == Math.rint(bound) ? Long.toString((long) bound) + ".0" : Double.toString(bound);
    }

    /** A family another bundle publishes (the gRPC API's calls): values by label values, in the order of its labels. */
    void source(
            String name, String type, String help, List<String> labels, Map<List<String>, ? extends Number> values) {
        family(name, type, help);
        values.forEach((key, value) -> {
            String[] pairs = new String[labels.size() * 2];
            for (int i = 0; i < labels.size(); i++) {
                pairs[2 * i] = labels.get(i);
                pairs[2 * i + 1] = i < key.size() ? key.get(i) : "";
            }
            sample(name, value.doubleValue(), pairs);
        });
    }

    /** Process and JVM basics, under the names Prometheus' own Java client uses. */
    void jvm() {
        var runtime = ManagementFactory.getRuntimeMXBean();
        double cpu = cpuSeconds();
        if (cpu >= 0) {
            family("process_cpu_seconds_total", "counter", "CPU time the worker process used.");
            sample("process_cpu_seconds_total", cpu);
        }
        family("process_start_time_seconds", "gauge", "When the worker process started, in seconds since the epoch.");
        sample("process_start_time_seconds", runtime.getStartTime() / 1e3);
        long rss = residentBytes();
        if (rss >= 0) {
            family("process_resident_memory_bytes", "gauge", "Resident memory of the worker process.");
            sample("process_resident_memory_bytes", rss);
        }
        long fds = openFiles();
        if (fds >= 0) {
            family("process_open_fds", "gauge", "Open file descriptors of the worker process.");
            sample("process_open_fds", fds);
        }
        var memory = ManagementFactory.getMemoryMXBean();
        family("jvm_memory_used_bytes", "gauge", "Memory in use, by area.");
        MemoryUsage heap = memory.getHeapMemoryUsage();
        MemoryUsage nonHeap = memory.getNonHeapMemoryUsage();
        sample("jvm_memory_used_bytes", heap.getUsed(), "area", "heap");
        sample("jvm_memory_used_bytes", nonHeap.getUsed(), "area", "nonheap");
        family("jvm_memory_max_bytes", "gauge", "Most memory the area may use (-1: no limit).");
        sample("jvm_memory_max_bytes", heap.getMax(), "area", "heap");
        sample("jvm_memory_max_bytes", nonHeap.getMax(), "area", "nonheap");
        family("jvm_threads_current", "gauge", "Live threads.");
        sample("jvm_threads_current", ManagementFactory.getThreadMXBean().getThreadCount());
        family("jvm_gc_collection_seconds", "summary", "Time spent in garbage collection, by collector.");
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sample("jvm_gc_collection_seconds_count", gc.getCollectionCount(), "gc", gc.getName());
            sample("jvm_gc_collection_seconds_sum", gc.getCollectionTime() / 1e3, "gc", gc.getName());
        }
    }

    /**
     * User and system CPU time from /proc/self/stat, in USER_HZ (100 per second on Linux): not
     * com.sun.management's bean, whose package Karaf does not give bundles.
     */
    private static double cpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return -1; // not Linux
        }
    }

    private static long residentBytes() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
            return lines.filter(l -> l.startsWith("VmRSS:"))
                    .findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024)
                    .orElse(-1L);
        } catch (IOException | RuntimeException e) {
            return -1; // not Linux
        }
    }

    private static long openFiles() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
