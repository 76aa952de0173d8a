package dev.ferry.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.client.FerryClient;
import dev.ferry.client.Refusal;
import dev.ferry.client.TaskRequest;
import dev.ferry.client.TaskResult;
import dev.ferry.client.TaskStatus;
import dev.ferry.client.WorkerInfo;
import dev.ferry.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many workers, one client: three real worker processes on loopback behind one target (a file of host:port lines,
 * read again when gRPC resolves again), and {@link FerryClient} balancing over them with gRPC's round_robin and
 * client-side health checking.
 */
class FleetIT {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Path BUNDLES = Path.of("target/it-bundles");
    private static final String TRUE = "{\"command\":\"true\"}";

    @TempDir
    Path base;

    private final List<WorkerProcess> workers = new ArrayList<>();
    private final List<String> addresses = new ArrayList<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        for (WorkerProcess w : workers) {
            w.close();
        }
    }

    /** Starts a worker in base/NAME with these etc/dev.ferry.grpc.cfg lines; returns its index. */
    private int worker(String name, boolean shell, String... grpc) throws Exception {
        Path home = base.resolve(name);
        Files.createDirectories(home.resolve("etc"));
        if (grpc.length > 0) {
            WorkerProcess.cfg(home, "dev.ferry.grpc", grpc);
        }
        WorkerProcess w = shell
                ? WorkerProcess.start("--home", home.toString())
                : WorkerProcess.start("--home", home.toString(), "--no-shell");
        workers.add(w);
        addresses.add("127.0.0.1:" + GrpcIT.port(w, "127.0.0.1"));
        return workers.size() - 1;
    }

    /** The target file naming these workers. */
    private Path targets(int... indexes) throws Exception {
        Path file = base.resolve("workers");
        List<String> lines = new ArrayList<>(List.of("# the fleet"));
        for (int i : indexes) {
            lines.add(addresses.get(i));
        }
        Files.write(file, lines);
        return file;
    }

    private static FerryClient client(Path targets) {
        return FerryClient.builder().target("file://" + targets).build();
    }

    @Test
    void aTypeServedByOneWorkerGoesOnlyThere() throws Exception {
        worker("w0", false);
        for (String name : List.of("w1", "w2")) {
            Path home = base.resolve(name);
            Files.createDirectories(home.resolve("etc"));
            Files.writeString(home.resolve("etc/config.yaml"), "executors:\n  command:\n    enabled: false\n");
            worker(name, false);
        }
        try (FerryClient c = client(targets(0, 1, 2));
                Load load = new Load(c, 4, () -> TaskRequest.of("command", TRUE))) {
            load.awaitTotal(300);
        }
        // (the Load's close stops it and waits for its threads)
        Load last = lastLoad;
        assertThat(last.failures()).isEmpty();
        assertThat(last.byWorker()).containsOnlyKeys(addresses.get(0));
    }

    @Test
    void commandTasksSpreadEvenlyOverThreeWorkers() throws Exception {
        for (String name : List.of("w0", "w1", "w2")) {
            worker(name, false);
        }
        try (FerryClient c = client(targets(0, 1, 2));
                Load load = new Load(c, 8, () -> TaskRequest.of("command", TRUE), 6000)) {
            load.awaitTotal(6000);
        }
        assertThat(lastLoad.failures()).isEmpty();
        Map<String, Integer> by = lastLoad.byWorker();
        assertThat(by).containsOnlyKeys(addresses);
        for (Map.Entry<String, Integer> e : by.entrySet()) {
            assertThat(e.getValue() / 6000.0)
                    .as("share of " + e.getKey() + " in " + by)
                    .isBetween(0.28, 0.38);
        }
    }

    @Test
    void aDrainedWorkerGetsNoNewTaskOfTheTypeASecondLaterAndNothingFails() throws Exception {
        int drained = worker("w0", true);
        worker("w1", false);
        worker("w2", false);
        long mark;
        try (FerryClient c = client(targets(0, 1, 2));
                Load load = new Load(c, 4, () -> TaskRequest.of("command", TRUE))) {
            load.awaitTotal(200);
            assertThat(workers.get(drained).ask("executor:drain command")).anyMatch(l -> l.contains("drained"));
            mark = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            load.awaitSentAfter(mark, 300);
        }
        assertThat(lastLoad.failures()).isEmpty();
        assertThat(lastLoad.sentAfter(mark).stream().map(TaskResult::worker))
                .as("tasks sent a second after the drain")
                .hasSizeGreaterThanOrEqualTo(300)
                .doesNotContain(addresses.get(drained));
    }

    @Test
    void sigtermOfOneWorkerUnderLoadFailsNothing() throws Exception {
        worker("w0", false);
        int stopping = worker("w1", false);
        worker("w2", false);
        Path fleet = withSwap(0, 1, 2);
        try (FerryClient c = client(fleet);
                Load load = new Load(c, 6, () -> TaskRequest.of("swap", "50"))) {
            load.awaitTotal(300);
            long before = load.onWorker(addresses.get(stopping));
            assertThat(before).isPositive();
            workers.get(stopping).process.destroy(); // SIGTERM
            assertThat(workers.get(stopping).process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS))
                    .isTrue();
            long mark = System.nanoTime();
            load.awaitSentAfter(mark, 300);
        }
        assertThat(lastLoad.failures()).isEmpty();
        // said in its log (the console's logger is gone by then)
        assertThat(Files.readString(base.resolve("w1/data/log/ferry.0.log")))
                .contains("The worker stops: gRPC health reports NOT_SERVING");
    }

    @Test
    void killingOneWorkerLeavesOnlyItsTasksUnknownEachNamingIt() throws Exception {
        worker("w0", false);
        int killed = worker("w1", false);
        worker("w2", false);
        Path fleet = withSwap(0, 1, 2);
        try (FerryClient c = client(fleet);
                Load load = new Load(c, 6, () -> TaskRequest.of("swap", "1000"))) {
            load.awaitTotal(12);
            // the balancer sends to the worker (its health stream for the type said SERVING): tasks run there now
            Await.until(
                    "tasks answered by " + addresses.get(killed),
                    START,
                    () -> load.onWorker(addresses.get(killed)) >= 3);
            workers.get(killed).process.destroyForcibly(); // SIGKILL: its running tasks' answers never come
            long mark = System.nanoTime();
            load.awaitSentAfter(mark, 12);
        }
        List<TaskResult> unknown = lastLoad.results().stream()
                .filter(r -> r.status() != TaskStatus.SUCCEEDED)
                .collect(Collectors.toList());
        assertThat(lastLoad.errors()).isEmpty();
        assertThat(unknown)
                .as("the tasks running on the killed worker")
                .isNotEmpty()
                .hasSizeLessThanOrEqualTo(6);
        for (TaskResult r : unknown) {
            assertThat(r.status()).as(r.toString()).isEqualTo(TaskStatus.OUTCOME_UNKNOWN);
            assertThat(r.worker()).isEqualTo(addresses.get(killed));
            assertThat(r.error()).contains(addresses.get(killed)).contains(r.taskId());
        }
    }

    @Test
    void aWorkerAddedToTheTargetGetsTasksWithinTheConnectionAgePlusTwoSeconds() throws Exception {
        String[] age = {"max_connection_age_seconds = 2"};
        worker("w0", false, age);
        worker("w1", false, age);
        Path file = targets(0, 1);
        try (FerryClient c = client(file);
                Load load = new Load(c, 4, () -> TaskRequest.of("command", TRUE))) {
            load.awaitTotal(100);
            int added = worker("w2", false, age);
            Files.writeString(file, addresses.get(added) + "\n", StandardOpenOption.APPEND);
            long listed = System.nanoTime();
            Await.until(
                    "a task on the added worker " + addresses.get(added),
                    Duration.ofSeconds(30),
                    () -> load.onWorker(addresses.get(added)) > 0);
            Duration took = Duration.ofNanos(load.firstOn(addresses.get(added)) - listed);
            assertThat(took)
                    .as("from the target file naming it to its first task")
                    .isLessThan(Duration.ofSeconds(4));
        }
        assertThat(lastLoad.failures()).isEmpty();
    }

    @Test
    void anExecutorUpgradedWorkerByWorkerUnderLoadFailsNothing() throws Exception {
        for (String name : List.of("w0", "w1", "w2")) {
            worker(name, false);
        }
        Path fleet = withSwap(0, 1, 2);
        try (FerryClient c = client(fleet);
                Load load = new Load(c, 4, () -> TaskRequest.of("swap", "20"))) {
            load.awaitTotal(200);
            for (int i = 0; i < 3; i++) {
                Path deployed = base.resolve("w" + i + "/deploy/swap.jar");
                Path next = base.resolve("w" + i + "/swap-v2.jar.part");
                Files.copy(BUNDLES.resolve("swap-v2.jar"), next);
                Files.move(next, deployed, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                String worker = addresses.get(i);
                long mark = System.nanoTime();
                Await.until(
                        "v2 answering on " + worker,
                        START,
                        () -> load.sentAfter(mark).stream()
                                .anyMatch(r -> r.worker().equals(worker)
                                        && r.outputText().equals("v2")));
            }
            long mark = System.nanoTime();
            load.awaitSentAfter(mark, 100);
            assertThat(load.sentAfter(mark)).allMatch(r -> r.outputText().equals("v2"));
        }
        assertThat(lastLoad.failures()).isEmpty();
    }

    @Test
    void aTaskRefusedOverCapacityIsOfferedAgain() throws Exception {
        // one swap task at a time on w0, and no waiting for the slot: the rest are refused, RESOURCE_EXHAUSTED
        WorkerProcess.cfg(base.resolve("w0"), "dev.ferry.registry", "type_concurrency = swap=1");
        int refusing = worker("w0", false);
        worker("w1", false);
        Path fleet = withSwap(0, 1);
        try (FerryClient c = client(fleet);
                Load load = new Load(c, 6, () -> TaskRequest.of("swap", "100"), 180)) {
            load.awaitTotal(180);
        }
        // a task refused on every attempt (each attempt is the balancer's next pick: under this contention, the
        // busy worker again at times) is REJECTED OVER_CAPACITY; nothing else fails
        List<TaskResult> notRun =
                lastLoad.results().stream().filter(r -> !r.succeeded()).collect(Collectors.toList());
        assertThat(lastLoad.errors()).isEmpty();
        assertThat(notRun).allMatch(r -> r.status() == TaskStatus.REJECTED && r.refusal() == Refusal.OVER_CAPACITY);
        // the worker refused more than the client saw refused: the rest were offered again, and ran
        Path audit = base.resolve("w0/data/log/audit.log");
        long refused = Files.readAllLines(audit).stream()
                .filter(l -> l.contains("\"rejection\":\"OVER_CAPACITY\""))
                .count();
        assertThat(refused)
                .as("tasks " + addresses.get(refusing) + " refused over capacity")
                .isGreaterThan(notRun.size());
        assertThat(lastLoad.results()).hasSize(180);
    }

    @Test
    void theSameTaskIdTwiceRunsOnce() throws Exception {
        worker("w0", false);
        Path runs = base.resolve("runs");
        String payload = "{\"command\":\"sh\",\"args\":[\"-c\",\"echo run >> " + runs + "; sleep 1\"]}";
        try (FerryClient c = client(targets(0))) {
            TaskRequest task = TaskRequest.of("command", payload).withId("nightly-42");
            var first = c.executeAsync(task);
            Await.until("the first run to start", START, () -> {
                if (first.isDone()) {
                    throw new AssertionError("the first run ended before it was repeated: " + first.get());
                }
                return Files.exists(runs);
            });
            TaskResult whileRunning = c.execute(task);
            TaskResult after = c.execute(task);
            TaskResult original = first.get();
            assertThat(List.of(original, whileRunning, after)).allMatch(TaskResult::succeeded);
            assertThat(whileRunning.metadata()).containsEntry("ferry.repeated", "true");
            assertThat(after.metadata()).containsEntry("ferry.repeated", "true");
            assertThat(Files.readAllLines(runs)).containsExactly("run");

            TaskResult other = c.execute(TaskRequest.of("command", TRUE).withId("nightly-42"));
            assertThat(other.status()).isEqualTo(TaskStatus.REJECTED);
            assertThat(other.refusal()).isEqualTo(Refusal.DUPLICATE_ID);
            assertThat(other.error()).contains("nightly-42").contains("different task");
        }
    }

    /**
     * Deploys the swap executor on these workers and waits until they serve it; returns the target file naming them.
     */
    private Path withSwap(int... indexes) throws Exception {
        for (int i : indexes) {
            Files.copy(BUNDLES.resolve("swap-v1.jar"), base.resolve("w" + i + "/deploy/swap.jar"));
        }
        Path fleet = targets(indexes);
        try (FerryClient c = client(fleet)) {
            awaitServing(c, "swap", indexes.length);
        }
        return fleet;
    }

    /** Waits until capabilities show the type healthy on this many workers, and their health entries serve it. */
    private static void awaitServing(FerryClient c, String type, int workers) throws InterruptedException {
        Await.until(type + " served by " + workers + " workers", START, () -> {
            List<WorkerInfo> all = c.capabilities();
            long serving = all.stream()
                    .filter(w -> w.executors().stream().anyMatch(e -> e.type().equals(type) && e.healthy()))
                    .count();
            return serving == workers
                    && c.health(type).stream().filter(h -> h.serving()).count() == workers;
        });
    }

    private Load lastLoad;

    /** Client threads sending tasks until closed (or until a total), keeping every outcome. */
    private final class Load implements AutoCloseable {
        private final ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final java.util.concurrent.atomic.AtomicInteger left;
        private final List<Thread> threads = new ArrayList<>();

        Load(FerryClient c, int threadCount, Supplier<TaskRequest> task) {
            this(c, threadCount, task, Integer.MAX_VALUE);
        }

        Load(FerryClient c, int threadCount, Supplier<TaskRequest> task, int total) {
            lastLoad = this;
            left = new java.util.concurrent.atomic.AtomicInteger(total);
            for (int i = 0; i < threadCount; i++) {
                Thread t = new Thread(
                        () -> {
                            while (!stop.get() && left.getAndDecrement() > 0) {
                                long at = System.nanoTime();
                                try {
                                    TaskResult r = c.execute(task.get());
                                    sent.add(new Sent(at, System.nanoTime(), r));
                                } catch (RuntimeException e) {
                                    errors.add(e.toString());
                                }
                            }
                        },
                        "fleet-load-" + i);
                t.start();
                threads.add(t);
            }
        }

        void awaitTotal(int n) throws InterruptedException {
            Await.until(
                    n + " tasks answered (" + sent.size() + " so far, errors " + errors + ")",
                    START,
                    () -> sent.size() >= n || !errors.isEmpty());
            assertThat(errors).as("calls that threw").isEmpty();
        }

        void awaitSentAfter(long mark, int n) throws InterruptedException {
            Await.until(
                    n + " tasks sent after the mark",
                    START,
                    () -> sentAfter(mark).size() >= n);
        }

        List<TaskResult> sentAfter(long mark) {
            return sent.stream().filter(s -> s.at - mark > 0).map(s -> s.result).collect(Collectors.toList());
        }

        long onWorker(String worker) {
            return sent.stream().filter(s -> s.result.worker().equals(worker)).count();
        }

        /** When the first task answered by the worker ended. */
        long firstOn(String worker) {
            return sent.stream()
                    .filter(s -> s.result.worker().equals(worker))
                    .mapToLong(s -> s.answeredAt)
                    .min()
                    .orElseThrow();
        }

        List<TaskResult> results() {
            return sent.stream().map(s -> s.result).collect(Collectors.toList());
        }

        List<String> errors() {
            return new ArrayList<>(errors);
        }

        /** Calls that threw, and tasks that did not succeed. */
        List<String> failures() {
            List<String> out = new ArrayList<>(errors);
            sent.stream().filter(s -> !s.result.succeeded()).forEach(s -> out.add(s.result.toString()));
            return out;
        }

        Map<String, Integer> byWorker() {
            Map<String, Integer> out = new TreeMap<>();
            sent.forEach(s -> out.merge(s.result.worker(), 1, Integer::sum));
            return out;
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(120_000);
            }
        }
    }

    private record Sent(long at, long answeredAt, TaskResult result) {}
}
