package dev.ferry.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.client.FerryClient;
import dev.ferry.client.NoWorkerException;
import dev.ferry.client.OutputListener;
import dev.ferry.client.TaskRequest;
import dev.ferry.client.TaskResult;
import dev.ferry.client.Validation;
import dev.ferry.client.WorkerHealth;
import dev.ferry.client.WorkerInfo;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code ferry} command line: tasks and questions for one worker or a fleet, through {@link FerryClient}. */
@Command(
        name = "ferry",
        mixinStandardHelpOptions = true,
        versionProvider = Ferry.Version.class,
        description = "Runs tasks on Ferry workers and asks them what they serve.",
        subcommands = {
            Ferry.Run.class,
            Ferry.Validate.class,
            Ferry.Types.class,
            Ferry.HealthCommand.class,
            AutoComplete.GenerateCompletion.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the task succeeded (types, health: every worker answered, and serves)",
            "1:the task ran and failed (a non-zero exit, HTTP 4xx/5xx, an SQL error)",
            "2:the command line or the payload is wrong",
            "3:the task could not run (ERROR: program not found …)",
            "4:the task timed out",
            "5:the task was cancelled",
            "6:a worker refused the task before it ran (REJECTED; invalid payload for validate)",
            "7:the outcome is unknown: the connection broke after the task was sent",
            "8:no worker could be asked (none reachable, or none serving the type; some worker down for types/health)"
        })
public final class Ferry implements Runnable {
    static final int SUCCEEDED = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int ERROR = 3;
    static final int TIMED_OUT = 4;
    static final int CANCELLED = 5;
    static final int REJECTED = 6;
    static final int UNKNOWN = 7;
    static final int NO_WORKER = 8;

    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line with these streams; returns the exit code (tests call it in process). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Ferry());
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof NoWorkerException) {
                err.println("ferry: " + e.getMessage());
                return NO_WORKER;
            }
            if (e instanceof IllegalArgumentException || e instanceof IOException) {
                err.println("ferry: " + e.getMessage());
                return USAGE;
            }
            throw e;
        });
        Streams.set(out, err);
        return cl.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: run, validate, types or health");
    }

    /** Where the output goes: the process's streams, or a test's. */
    static final class Streams {
        static PrintStream out = System.out;
        static PrintStream err = System.err;

        static void set(PrintStream o, PrintStream e) {
            out = o;
            err = e;
        }
    }

    /** The target and credentials every command takes. */
    static final class Connection {
        @Option(
                names = {"-t", "--target"},
                paramLabel = "TARGET",
                description = "The workers: host:port, dns:///name:port (every address of the name), file:///path"
                        + " (host:port lines). Default: $FERRY_TARGET, else 127.0.0.1:50051.")
        String target;

        @Option(
                names = "--token-file",
                paramLabel = "FILE",
                description = "Send the bearer token on the file's first line.")
        Path tokenFile;

        @Option(
                names = "--tls-ca",
                paramLabel = "FILE",
                description = "Speak TLS; trust worker certificates signed by these PEM CAs.")
        Path tlsCa;

        @Option(
                names = "--tls-cert",
                paramLabel = "FILE",
                description = "Present this PEM client certificate chain (mutual TLS; with --tls-key).")
        Path tlsCert;

        @Option(names = "--tls-key", paramLabel = "FILE", description = "The client certificate's PEM (PKCS#8) key.")
        Path tlsKey;

        FerryClient client() {
            String t = target;
            if (t == null || t.isBlank()) {
                t = System.getenv("FERRY_TARGET");
            }
            FerryClient.Builder b = FerryClient.builder();
            if (t != null && !t.isBlank()) {
                b.target(t);
            }
            if (tokenFile != null) {
                b.tokenFile(tokenFile);
            }
            if (tlsCa != null || tlsCert != null || tlsKey != null) {
                b.tls(tlsCa, tlsCert, tlsKey);
            }
            return b.build();
        }
    }

    @Command(
            name = "run",
            mixinStandardHelpOptions = true,
            description = "Runs one task; its output goes to stdout, its outcome line to stderr.")
    static final class Run implements Callable<Integer> {
        @Mixin
        Connection connection;

        @Option(
                names = "--timeout",
                paramLabel = "DURATION",
                description = "The longest the task may run: 30s, 500ms, 2m, 1h or seconds. Default: the worker's.")
        String timeout;

        @Option(
                names = {"-f", "--follow"},
                description = "Stream the output as the task produces it (stderr to stderr).")
        boolean follow;

        @Option(names = "--json", description = "Print the whole result as one JSON object on stdout.")
        boolean json;

        @Option(
                names = "--id",
                paramLabel = "ID",
                description = "The task id (a retry of a task must carry the first one's: it never runs twice on a"
                        + " worker). Default: a fresh one.")
        String id;

        @Parameters(index = "0", paramLabel = "TYPE", description = "The executor type, e.g. command, http, jdbc.")
        String type;

        @Parameters(
                index = "1",
                paramLabel = "PAYLOAD",
                description = "The payload: JSON text, @file to read it from a file, or - for stdin.")
        String payload;

        @Override
        public Integer call() throws IOException {
            TaskRequest task = TaskRequest.of(type, Ferry.payload(payload));
            if (timeout != null) {
                task = task.withTimeout(Durations.parse(timeout, "--timeout"));
            }
            if (id != null) {
                task = task.withId(id);
            }
            PrintStream out = Streams.out;
            PrintStream err = Streams.err;
            long start = System.nanoTime();
            TaskResult r;
            try (FerryClient client = connection.client()) {
                if (follow && !json) {
                    r = client.stream(task, new OutputListener() {
                        @Override
                        public void output(Channel channel, byte[] data) {
                            PrintStream to = channel == Channel.STDERR ? err : out;
                            to.write(data, 0, data.length);
                            to.flush();
                        }
                    });
                } else {
                    r = client.execute(task);
                }
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (json) {
                out.println(JSON.writeValueAsString(asJson(r)));
            } else {
                if (!follow) {
                    out.write(r.output());
                    out.flush();
                    String stderr = r.metadata().get("stderr");
                    if (stderr != null && !stderr.isEmpty()) {
                        err.print(stderr.endsWith("\n") ? stderr : stderr + "\n");
                    }
                }
            }
            err.println(outcomeLine(r, ms));
            return exitCode(r);
        }
    }

    @Command(
            name = "validate",
            mixinStandardHelpOptions = true,
            description = "Asks a worker serving the type whether it would take the payload; runs nothing.")
    static final class Validate implements Callable<Integer> {
        @Mixin
        Connection connection;

        @Parameters(index = "0", paramLabel = "TYPE")
        String type;

        @Parameters(index = "1", paramLabel = "PAYLOAD", description = "JSON text, @file, or - for stdin.")
        String payload;

        @Override
        public Integer call() throws IOException {
            try (FerryClient client = connection.client()) {
                Validation v = client.validate(type, Ferry.payload(payload));
                Streams.out.println(v.valid() ? "valid" : "invalid: " + v.error());
                return v.valid() ? SUCCEEDED : REJECTED;
            }
        }
    }

    @Command(
            name = "types",
            mixinStandardHelpOptions = true,
            description = "What each worker of the target serves: types, bundles, versions, health.")
    static final class Types implements Callable<Integer> {
        @Mixin
        Connection connection;

        @Option(names = "--json", description = "Print it as JSON.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            List<WorkerInfo> workers;
            try (FerryClient client = connection.client()) {
                workers = client.capabilities();
            }
            if (json) {
                Streams.out.println(JSON.writeValueAsString(workers));
            } else {
                Streams.out.printf(
                        "%-22s %-12s %-32s %-16s %-8s %s%n",
                        "WORKER", "TYPE", "BUNDLE", "VERSION", "HEALTH", "IN-FLIGHT");
                for (WorkerInfo w : workers) {
                    if (!w.error().isEmpty()) {
                        Streams.out.printf("%-22s %s%n", w.worker(), "unreachable: " + w.error());
                    }
                    for (WorkerInfo.Executor e : w.executors()) {
                        Streams.out.printf(
                                "%-22s %-12s %-32s %-16s %-8s %d%n",
                                w.worker(),
                                e.type(),
                                e.bundle(),
                                e.version(),
                                e.healthy() ? "UP" : "DOWN",
                                e.inFlight());
                    }
                }
            }
            return workers.stream().allMatch(w -> w.error().isEmpty()) ? SUCCEEDED : NO_WORKER;
        }
    }

    @Command(
            name = "health",
            mixinStandardHelpOptions = true,
            description = "Each worker's grpc.health.v1 answer for a type (executor.TYPE), or for itself.")
    static final class HealthCommand implements Callable<Integer> {
        @Mixin
        Connection connection;

        @Parameters(index = "0", arity = "0..1", paramLabel = "TYPE", description = "The type; none: the workers'.")
        String type;

        @Override
        public Integer call() {
            List<WorkerHealth> health;
            try (FerryClient client = connection.client()) {
                health = client.health(type);
            }
            for (WorkerHealth h : health) {
                Streams.out.println(
                        h.worker() + " " + h.status() + (h.error().isEmpty() ? "" : " (" + h.error() + ")"));
            }
            return health.stream().allMatch(WorkerHealth::serving) ? SUCCEEDED : NO_WORKER;
        }
    }

    static byte[] payload(String arg) throws IOException {
        if ("-".equals(arg)) {
            return System.in.readAllBytes();
        }
        if (arg.startsWith("@")) {
            Path file = Path.of(arg.substring(1));
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("the payload file " + file + " is not a readable file");
            }
            return Files.readAllBytes(file);
        }
        return arg.getBytes(StandardCharsets.UTF_8);
    }

    static int exitCode(TaskResult r) {
        switch (r.status()) {
            case SUCCEEDED:
                return SUCCEEDED;
            case FAILED:
                return FAILED;
            case ERROR:
                return ERROR;
            case TIMED_OUT:
                return TIMED_OUT;
            case CANCELLED:
                return CANCELLED;
            case REJECTED:
                return REJECTED;
            default:
                return UNKNOWN;
        }
    }

    static String outcomeLine(TaskResult r, long ms) {
        StringBuilder b = new StringBuilder(r.status().name());
        if (r.refusal() != null) {
            b.append(' ').append(r.refusal());
        }
        b.append(" task ").append(r.taskId());
        if (!r.worker().isEmpty()) {
            b.append(" on ").append(r.worker());
        }
        if (r.status() != dev.ferry.client.TaskStatus.REJECTED
                && r.status() != dev.ferry.client.TaskStatus.OUTCOME_UNKNOWN) {
            b.append(" exit ").append(r.exitCode());
        }
        b.append(" (").append(ms).append(" ms)");
        if (!r.error().isEmpty()) {
            b.append(": ").append(r.error());
        }
        return b.toString();
    }

    static ObjectNode asJson(TaskResult r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("task_id", r.taskId());
        n.put("status", r.status().name());
        if (r.refusal() != null) {
            n.put("refusal", r.refusal().name());
        }
        n.put("exit_code", r.exitCode());
        n.put("output", r.outputText());
        n.put("error", r.error());
        n.put("worker", r.worker());
        ObjectNode m = n.putObject("metadata");
        new java.util.TreeMap<>(r.metadata()).forEach(m::put);
        return n;
    }

    /** The jar's version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Ferry.class.getPackage().getImplementationVersion();
            return new String[] {"ferry " + (v == null ? "(development build)" : v)};
        }
    }
}
