package dev.ferry.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * {@code java -jar bench/target/ferry-bench.jar [dispatch|command|command-load|command-grpc|client|startup|stream|deadline|http|http-jmh|jdbc|container|grpc|all] [--runs N]}: runs the
 * benchmarks N times (default 3) and prints, per run and as the median of the runs, each Ferry
 * path beside its plain baseline as a ratio.
 */
public final class Report {
    private Report() {}

    public static void main(String[] args) throws Exception {
        String which = "all";
        int runs = 3;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--runs")) {
                runs = Integer.parseInt(args[++i]);
            } else {
                which = args[i];
            }
        }
        if (which.equals("all") || which.equals("dispatch")) {
            dispatch(runs);
            handoff(runs);
        }
        if (which.equals("all") || which.equals("command")) {
            command(runs, 1);
            command(runs, 2);
        }
        if (which.equals("all") || which.equals("http")) {
            HttpLoad.run(4, 10_000, 1); // warms the JIT for both paths; not reported
            for (int threads : new int[] {1, 8, 32}) {
                httpLoad(runs, threads);
            }
        }
        if (which.equals("command-grpc")) {
            CommandGrpcLoad.run(runs);
        }
        if (which.equals("client")) {
            ClientLoad.run(runs);
        }
        if (which.equals("startup")) {
            Startup.run(runs);
        }
        if (which.equals("stream")) {
            StreamLoad.run(runs);
        }
        if (which.equals("command-load")) {
            commandLoad(runs);
        }
        if (which.equals("all") || which.equals("deadline")) {
            for (int threads : new int[] {0, 2, 8}) {
                DeadlineLoad.run(threads, 10);
            }
            for (int threads : new int[] {0, 2, 8}) {
                DeadlineLoad.runGrpc(threads, 10);
            }
        }
        if (which.equals("all") || which.equals("jdbc")) {
            jdbc(runs);
        }
        if (which.equals("all") || which.equals("container")) {
            container(runs);
        }
        if (which.equals("all") || which.equals("grpc")) {
            grpc(runs);
        }
        if (which.equals("http-jmh")) {
            for (int threads : new int[] {1, 8, 32}) {
                http(runs, threads);
            }
        }
    }

    static void dispatch(int runs) throws Exception {
        List<Map<String, Double>> p50s = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            Map<String, Double> p50 = new LinkedHashMap<>();
            for (RunResult rr : run(DispatchBenchmark.class.getName() + "\\.", 1)) {
                p50.put(label(rr), rr.getPrimaryResult().getStatistics().getPercentile(50));
            }
            p50s.add(p50);
            System.out.printf(
                    Locale.ROOT,
                    "dispatch run %d: p50 direct %.0f ns, registry %.0f ns (+%.0f ns, %.2fx), with the audit"
                            + " trail %.0f ns (+%.0f ns), submit %.0f ns%n",
                    r + 1,
                    p50.get("direct"),
                    p50.get("registry"),
                    p50.get("registry") - p50.get("direct"),
                    p50.get("registry") / p50.get("direct"),
                    p50.get("registryAudited"),
                    p50.get("registryAudited") - p50.get("registry"),
                    p50.get("registrySubmit"));
        }
        double direct = median(p50s, "direct");
        double registry = median(p50s, "registry");
        double audited = median(p50s, "registryAudited");
        System.out.printf(
                Locale.ROOT,
                "DISPATCH (median of %d runs, p50): direct %.0f ns, registry %.0f ns, added %.0f ns"
                        + " (%.2fx); with the audit trail %.0f ns, %.0f ns more; submit to another thread %.0f ns%n",
                runs,
                direct,
                registry,
                registry - direct,
                registry / direct,
                audited,
                audited - registry,
                median(p50s, "registrySubmit"));
    }

    /** submit's hand-off to the task's thread, beside a plain cached thread pool's, in the same run. */
    static void handoff(int runs) throws Exception {
        List<Map<String, Double>> all = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            long[] plain = Handoff.plain(50_000, 100_000);
            long[] registry = Handoff.registry(50_000, 100_000);
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("registryP50", registry[0] / 1e3);
            m.put("registryP99", registry[1] / 1e3);
            m.put("plainP50", plain[0] / 1e3);
            m.put("plainP99", plain[1] / 1e3);
            all.add(m);
            System.out.printf(
                    Locale.ROOT,
                    "hand-off run %d: submit to the executor's first line p50 %.1f µs, p99 %.1f µs;"
                            + " a plain cached pool p50 %.1f µs, p99 %.1f µs%n",
                    r + 1,
                    m.get("registryP50"),
                    m.get("registryP99"),
                    m.get("plainP50"),
                    m.get("plainP99"));
        }
        System.out.printf(
                Locale.ROOT,
                "HAND-OFF (median of %d runs, 100,000 submits each, one caller): registry p50 %.1f µs,"
                        + " p99 %.1f µs; plain cached pool p50 %.1f µs, p99 %.1f µs%n",
                runs,
                median(all, "registryP50"),
                median(all, "registryP99"),
                median(all, "plainP50"),
                median(all, "plainP99"));
    }

    static void command(int runs, int threads) throws Exception {
        List<Map<String, Double>> all = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            Map<String, Double> tps = new LinkedHashMap<>();
            for (RunResult rr : run(CommandBenchmark.class.getName() + "\\.", threads)) {
                tps.put(label(rr), rr.getPrimaryResult().getScore());
            }
            all.add(tps);
            System.out.printf(Locale.ROOT, "command run %d, %d thread(s): %s%n", r + 1, threads, fmt(tps));
        }
        double reg = median(all, "registryVfork");
        double plainDefault = median(all, "plainDefault");
        double plainVfork = median(all, "plainVfork");
        System.out.printf(
                Locale.ROOT,
                "COMMAND %d thread(s) (median of %d runs, tasks/s): registry (VFORK, as the worker runs)"
                        + " %.0f, registry (default launch) %.0f, plain default %.0f, plain VFORK %.0f; registry/plain default"
                        + " %.2fx, registry/plain VFORK %.2fx%n",
                threads,
                runs,
                reg,
                median(all, "registryDefault"),
                plainDefault,
                plainVfork,
                reg / plainDefault,
                reg / plainVfork);
    }

    /** The command comparison interleaved, in this JVM: run with -Djdk.lang.Process.launchMechanism=VFORK. */
    static void commandLoad(int runs) throws Exception {
        System.out.println(
                "command-load: launch mechanism " + System.getProperty("jdk.lang.Process.launchMechanism", "default")
                        + (Audit.on() ? ", audit trail on" : ""));
        CommandLoad.run(2, 8000, 1); // warms the JIT for both paths; not reported
        for (int threads : new int[] {1, 2}) {
            List<Map<String, Double>> all = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                double[] result = CommandLoad.run(threads, 3000, 8000);
                System.out.printf(
                        Locale.ROOT,
                        "command run %d, %d thread(s): plain %.0f/s, registry %.0f/s (%.2fx)%n",
                        r + 1,
                        threads,
                        result[0],
                        result[1],
                        result[1] / result[0]);
                all.add(Map.of("plain", result[0], "registry", result[1], "ratio", result[1] / result[0]));
            }
            System.out.printf(
                    Locale.ROOT,
                    "COMMAND interleaved %d thread(s) (median of %d runs, tasks/s): registry %.0f,"
                            + " plain loop %.0f; registry/plain %.2fx (median of the per-run ratios)%n",
                    threads,
                    runs,
                    median(all, "registry"),
                    median(all, "plain"),
                    median(all, "ratio"));
        }
    }

    /** The interleaved load driver: plain and registry alternate on every client thread. */
    static void httpLoad(int runs, int threads) throws Exception {
        List<Map<String, Double>> all = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            double[] result = HttpLoad.run(threads, 5000, 10_000);
            System.out.println("http run " + (r + 1) + (Audit.on() ? " (audit trail on)" : "") + ", "
                    + HttpLoad.describe(threads, result));
            all.add(Map.of("plain", result[0], "registry", result[1], "ratio", result[1] / result[0]));
        }
        System.out.printf(
                Locale.ROOT,
                "HTTP %d thread(s) (median of %d runs, requests/s): registry %.0f, plain HttpClient"
                        + " %.0f; registry/plain %.2fx (median of the per-run ratios)%n",
                threads,
                runs,
                median(all, "registry"),
                median(all, "plain"),
                median(all, "ratio"));
    }

    /** When FERRY_BENCH_DOCKER_HOST (or FERRY_TEST_DOCKER_HOST) and the image to run are set. */
    static void container(int runs) throws Exception {
        String host = System.getenv().getOrDefault("FERRY_BENCH_DOCKER_HOST", System.getenv("FERRY_TEST_DOCKER_HOST"));
        String image = System.getenv().getOrDefault("FERRY_BENCH_IMAGE", System.getenv("FERRY_TEST_IMAGE"));
        if (host == null || image == null) {
            System.out.println(
                    "container: skipped; set FERRY_BENCH_DOCKER_HOST=unix:///…/podman.sock and FERRY_BENCH_IMAGE"
                            + " (an image with /bin/true) to include it");
            return;
        }
        ContainerLoad.run(host, image, 1, 0, 5000); // warms the JIT and the engine; not reported
        for (int threads : new int[] {1, 2}) {
            List<Map<String, Double>> all = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                double[] result = ContainerLoad.run(host, image, threads, 2000, 20_000);
                System.out.println("container run " + (r + 1) + ", " + ContainerLoad.describe(threads, result));
                all.add(Map.of(
                        "plain",
                        result[0],
                        "registry",
                        result[1],
                        "ratio",
                        result[1] / result[0],
                        "plainP50",
                        result[2],
                        "registryP50",
                        result[3],
                        "overhead",
                        result[3] - result[2]));
            }
            System.out.printf(
                    Locale.ROOT,
                    "CONTAINER %d thread(s) (median of %d runs): registry %.2f tasks/s, plain sequence"
                            + " %.2f/s; registry/plain %.2fx; p50 %.1f ms vs the engine's own %.1f ms (%.1f ms more per task)%n",
                    threads,
                    runs,
                    median(all, "registry"),
                    median(all, "plain"),
                    median(all, "ratio"),
                    median(all, "registryP50"),
                    median(all, "plainP50"),
                    median(all, "overhead"));
        }
    }

    /** H2 (in memory) and, when FERRY_BENCH_PG_URL or FERRY_TEST_PG_URL names one, PostgreSQL. */
    static void jdbc(int runs) throws Exception {
        Map<String, javax.sql.DataSource> dbs = new LinkedHashMap<>();
        org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
        h2.setURL("jdbc:h2:mem:bench;DB_CLOSE_DELAY=-1");
        dbs.put("H2", h2);
        String pg = System.getenv().getOrDefault("FERRY_BENCH_PG_URL", System.getenv("FERRY_TEST_PG_URL"));
        if (pg != null) {
            org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
            ds.setURL(pg);
            dbs.put("PostgreSQL", ds);
        } else {
            System.out.println(
                    "jdbc: PostgreSQL skipped; set FERRY_BENCH_PG_URL=jdbc:postgresql://host:port/db?user=… to include it");
        }
        for (Map.Entry<String, javax.sql.DataSource> db : dbs.entrySet()) {
            String driver = db.getKey().equals("H2") ? "org.h2.Driver" : "org.postgresql.Driver";
            JdbcLoad.run(db.getValue(), driver, 4, 8000, 1); // warms the JIT for both paths; not reported
            for (int threads : new int[] {1, 8}) {
                List<Map<String, Double>> all = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    double[] result = JdbcLoad.run(db.getValue(), driver, threads, 3000, 8000);
                    System.out.println("jdbc run " + (r + 1) + ", " + JdbcLoad.describe(db.getKey(), threads, result));
                    all.add(Map.of(
                            "plain",
                            result[0],
                            "registry",
                            result[1],
                            "ratio",
                            result[1] / result[0],
                            "json",
                            result[2],
                            "ratioJson",
                            result[1] / result[2],
                            "direct",
                            result[3],
                            "ratioDirect",
                            result[3] / result[0]));
                }
                System.out.printf(
                        Locale.ROOT,
                        "JDBC %s %d thread(s) (median of %d runs, queries/s): registry %.0f, plain JDBC"
                                + " %.0f; registry/plain %.2fx (median of the per-run ratios); plain JDBC + rows as JSON %.0f, registry"
                                + " of it %.2fx; the executor called directly %.0f, %.2fx of plain%n",
                        db.getKey(),
                        threads,
                        runs,
                        median(all, "registry"),
                        median(all, "plain"),
                        median(all, "ratio"),
                        median(all, "json"),
                        median(all, "ratioJson"),
                        median(all, "direct"),
                        median(all, "ratioDirect"));
            }
        }
    }

    /** Round trips to a real worker process: Execute of a no-op task beside the health check. */
    static void grpc(int runs) throws Exception {
        try (GrpcLoad load = GrpcLoad.start()) {
            load.run(4, 10_000, 1); // warms the JIT of both processes; not reported
            for (int threads : new int[] {1, 16}) {
                List<Map<String, Double>> all = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    double[][] result = load.run(threads, 2000, 8000);
                    System.out.println("grpc run " + (r + 1) + ", " + GrpcLoad.describe(threads, result));
                    all.add(Map.of(
                            "rate",
                            result[1][0],
                            "p50",
                            result[1][1],
                            "p99",
                            result[1][2],
                            "checkRate",
                            result[0][0],
                            "checkP50",
                            result[0][1],
                            "checkP99",
                            result[0][2],
                            "ratio",
                            result[1][0] / result[0][0]));
                }
                System.out.printf(
                        Locale.ROOT,
                        "GRPC %d client thread(s) (median of %d runs): Execute(hello) %.0f calls/s,"
                                + " p50 %.0f µs, p99 %.0f µs; Health/Check on the same server %.0f calls/s, p50 %.0f µs, p99 %.0f µs;"
                                + " Execute/Check %.2fx%n",
                        threads,
                        runs,
                        median(all, "rate"),
                        median(all, "p50"),
                        median(all, "p99"),
                        median(all, "checkRate"),
                        median(all, "checkP50"),
                        median(all, "checkP99"),
                        median(all, "ratio"));
            }
        }
    }

    static void http(int runs, int threads) throws Exception {
        List<Map<String, Double>> all = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            Map<String, Double> rps = new LinkedHashMap<>();
            for (RunResult rr : run(HttpBenchmark.class.getName() + "\\.", threads)) {
                rps.put(label(rr), rr.getPrimaryResult().getScore());
            }
            all.add(rps);
            System.out.printf(
                    Locale.ROOT,
                    "http run %d, %d thread(s): %s (%.2fx)%n",
                    r + 1,
                    threads,
                    fmt(rps),
                    rps.get("registry") / rps.get("plain"));
        }
        double reg = median(all, "registry");
        double plain = median(all, "plain");
        System.out.printf(
                Locale.ROOT,
                "HTTP %d thread(s) (median of %d runs, requests/s): registry %.0f, plain HttpClient"
                        + " %.0f; registry/plain %.2fx%n",
                threads,
                runs,
                reg,
                plain,
                reg / plain);
    }

    private static Collection<RunResult> run(String include, int threads) throws Exception {
        Options opt = new OptionsBuilder()
                .include(include)
                .threads(threads)
                .verbosity(VerboseMode.SILENT)
                // nodelay: the JDK's test server otherwise stalls 40 ms per response on delayed ACKs
                .jvmArgsPrepend("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dsun.net.httpserver.nodelay=true")
                .build();
        return new Runner(opt).run();
    }

    private static String label(RunResult rr) {
        String name = rr.getParams().getBenchmark();
        return name.substring(name.lastIndexOf('.') + 1);
    }

    private static String fmt(Map<String, Double> m) {
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "%s %.0f  ", k, v)));
        return sb.toString().trim();
    }

    private static double median(List<Map<String, Double>> runs, String key) {
        double[] v = runs.stream()
                .mapToDouble(m -> m.getOrDefault(key, Double.NaN))
                .sorted()
                .toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
