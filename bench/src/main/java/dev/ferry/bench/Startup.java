package dev.ferry.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java -jar ferry-worker.jar} from the process's start to its ready line, and its resident memory once idle,
 * over several restarts, each in a home of its own after a first start there (also measured); beside a bare JVM in the same run (a main that prints a line and waits):
 * the floor no worker in Java starts under.
 */
final class Startup {
    private static final Pattern READY = Pattern.compile("ferry worker ready .* startup=([0-9.]+)s");
    private static final long IDLE_MILLIS = 10_000;

    private Startup() {}

    static void run(int runs) throws Exception {
        Path jar = Path.of(System.getProperty("ferry.worker.jar", "runtime/launcher/target/ferry-worker.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the benchmark from the project folder after 'mvn -q"
                    + " package -DskipTests'");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> jvm = new ArrayList<>();
        String extra = System.getProperty("ferry.bench.worker.jvm", "").trim();
        if (!extra.isEmpty()) {
            jvm.addAll(Arrays.asList(extra.split("\\s+")));
        }
        List<double[]> rounds = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            Path home = Files.createTempDirectory("ferry-bench-start");
            List<String> worker = new ArrayList<>(List.of(java));
            worker.addAll(jvm);
            worker.addAll(List.of("-jar", jar.toString(), "--home", home.toString(), "--no-shell", "--grpc-port", "0"));
            double[] first = measure(worker, READY);
            double[] w = measure(worker, READY); // a restart: the same home, as an operator's worker starts
            List<String> bare = new ArrayList<>(List.of(java));
            bare.addAll(jvm);
            bare.addAll(List.of("-cp", System.getProperty("java.class.path"), Idle.class.getName()));
            double[] b = measure(bare, Pattern.compile("idle (ready)"));
            rounds.add(new double[] {w[0], w[1], w[2], b[0], b[2], first[0]});
            System.out.printf(
                    Locale.ROOT,
                    "startup run %d: worker ready after %.2f s (its own figure %.2f s), idle RSS %.0f MB;"
                            + " the first start in a new home %.2f s; bare JVM %.2f s, %.0f MB%n",
                    r + 1,
                    w[0],
                    w[1],
                    w[2],
                    first[0],
                    b[0],
                    b[2]);
        }
        System.out.printf(
                Locale.ROOT,
                "STARTUP (median of %d): worker %.2f s to ready (the first start in a new home %.2f s),"
                        + " idle RSS %.0f MB, jar %.1f MB; bare JVM %.2f s, %.0f MB%n",
                runs,
                CommandGrpcLoad.median(rounds, 0),
                CommandGrpcLoad.median(rounds, 5),
                CommandGrpcLoad.median(rounds, 2),
                Files.size(jar) / 1e6,
                CommandGrpcLoad.median(rounds, 3),
                CommandGrpcLoad.median(rounds, 4));
    }

    /** @return {seconds from start to the ready line, the figure the line gives (or 0), RSS in MB after IDLE_MILLIS} */
    private static double[] measure(List<String> command, Pattern ready) throws Exception {
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            double own = -1;
            for (String line; (line = out.readLine()) != null; ) {
                Matcher m = ready.matcher(line);
                if (m.find()) {
                    own = m.group(1).equals("ready") ? 0 : Double.parseDouble(m.group(1));
                    break;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (own < 0) {
                throw new IllegalStateException(command + " did not get ready; exit " + p.waitFor());
            }
            GrpcLoad.drain(out);
            p.waitFor(IDLE_MILLIS, TimeUnit.MILLISECONDS); // idle: nothing is asked of it meanwhile
            if (!p.isAlive()) {
                throw new IllegalStateException(command + " ended while idle; exit " + p.exitValue());
            }
            return new double[] {seconds, own, rssMb(p.pid())};
        } finally {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static double rssMb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }

    /** The bare JVM: says it is ready and waits to be stopped. */
    public static final class Idle {
        private Idle() {}

        public static void main(String[] args) throws InterruptedException {
            System.out.println("idle ready");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
