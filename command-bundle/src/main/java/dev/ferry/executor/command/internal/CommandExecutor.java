package dev.ferry.executor.command.internal;

import dev.ferry.executor.api.ExecutionContext;
import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.ExecutorType;
import dev.ferry.executor.api.Health;
import dev.ferry.executor.api.InvalidPayloadException;
import dev.ferry.executor.api.OutputSink;
import dev.ferry.executor.api.Prepared;
import dev.ferry.executor.api.Rejection;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import dev.ferry.support.Configs;
import dev.ferry.support.Configured;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code command} executor: runs a program from argv (never through a shell unless the shell
 * is the program), with a filtered environment, capped output, and the whole process tree killed
 * on timeout or cancel.
 */
@Designate(ocd = CommandConfig.class)
// the defaults are service properties too: the registry reads the limits from the service, and without them
// it applied its own (the container type once ran 64 at once, where its configuration said 16)
@Component(
        configurationPid = CommandConfig.PID,
        property = {
            Executor.MAX_CONCURRENCY + ":Integer=" + CommandConfig.DEFAULT_CONCURRENCY,
            Executor.MAX_TIMEOUT_SECONDS + ":Double=" + CommandConfig.DEFAULT_TIMEOUT_MAX_SECONDS
        })
@ExecutorType("command")
public final class CommandExecutor implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(CommandExecutor.class);
    /** How long output may stay open after the program exited before its leftovers are killed. */
    private static final long LINGER_MILLIS = 200;

    private static final File DEV_NULL = new File("/dev/null");

    private final SecureRandom random = new SecureRandom();
    private final ExecutorService io;
    // Output still open after the program exited means it left processes behind: they belong to
    // the task, and go when it ends.
    private final Leftovers leftovers;
    private final MarkerSweep sweep;
    private final Configured<CommandSettings> config;
    /** The start of every marker this worker's tasks carry, in any run; and in this run of its JVM. */
    private final String workerMark;

    private final String runMark;

    @Activate
    public CommandExecutor(BundleContext context, Map<String, Object> properties) {
        this(home(context), properties);
    }

    /** Configured as the component is, in the given worker folder (tests). */
    CommandExecutor(String home, Map<String, ?> properties) {
        this((CommandSettings) null, home);
        // never fall back to something more permissive: refused, the type stays listed but runs nothing until fixed
        config.start(() -> CommandSettings.from(Configs.read(CommandConfig.class, CommandConfig.PID, properties)));
        killLeftoversOfEarlierRuns();
    }

    /** Configured as the component is, in the current folder (tests and the benchmarks). */
    public CommandExecutor(Map<String, ?> properties) {
        this(System.getProperty("user.dir", ""), properties);
    }

    /** The worker's folder (the standalone worker's ferry.home, Karaf's karaf.home), which names its tasks' markers. */
    private static String home(BundleContext context) {
        String home = context.getProperty(dev.ferry.support.Home.PROPERTY);
        if (home == null) {
            home = context.getProperty("karaf.home");
        }
        return home != null ? home : System.getProperty("user.dir", "");
    }

    CommandExecutor(CommandConfig config) {
        this(CommandSettings.from(config));
    }

    CommandExecutor(CommandSettings settings) {
        this(settings, System.getProperty("user.dir", ""));
    }

    private CommandExecutor(CommandSettings settings, String home) {
        LaunchMechanism.choose(); // before this bundle starts any process, the probes below included
        // every task's marker: this worker's folder, this run of its JVM, then the task's own random part
        this.workerMark = Integer.toHexString(home.hashCode()) + "-";
        ProcessHandle self = ProcessHandle.current();
        this.runMark = workerMark + Long.toHexString(self.pid()) + "."
                + Long.toHexString(self.info()
                        .startInstant()
                        .map(java.time.Instant::toEpochMilli)
                        .orElse(0L)) + "-";
        this.config = new Configured<>(LOG, "the command type", settings);
        this.io = dev.ferry.support.Threads.elastic("ferry-command-io", 1024, 30);
        this.sweep = new MarkerSweep(dev.ferry.support.Threads.orCaller(io));
        // leftovers exist only while tasks run, and tasks run only with settings
        this.leftovers = new Leftovers(
                LINGER_MILLIS,
                w -> killAsync(w.process, w.marker, config.get().killGraceMillis),
                w -> pumpStderr(w, config.get().maxOutputBytes, null));
    }

    @Modified
    void modified(Map<String, Object> properties) {
        if (config.update(
                () -> CommandSettings.from(Configs.read(CommandConfig.class, CommandConfig.PID, properties)))) {
            LOG.info("Command executor reconfigured");
        }
    }

    /** The settings tasks run with, or why there are none. */
    private CommandSettings current() throws InvalidPayloadException {
        CommandSettings s = config.get();
        if (s == null) {
            throw new InvalidPayloadException(null, config.notServing());
        }
        return s;
    }

    @Deactivate
    void deactivate() {
        leftovers.close();
        sweep.close();
        io.shutdownNow();
    }

    @Override
    public Prepared prepare(Task task) throws InvalidPayloadException {
        CommandSettings s = current();
        CommandPayload payload = CommandPayload.parse(task.payload(), s);
        return context -> run(task, payload, s, context);
    }

    @Override
    public Health health() {
        CommandSettings s = config.get();
        if (s == null) {
            return Health.unhealthy(config.refused());
        }
        Health h = probe(s);
        String pending = config.pendingNote();
        return pending != null && h.isHealthy() ? Health.degraded(pending + "; " + h.message()) : h;
    }

    private static Health probe(CommandSettings s) {
        try {
            Process p = new ProcessBuilder("true").redirectInput(DEV_NULL).start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return Health.unhealthy("cannot run 'true': it did not exit 0 within 10 s");
            }
        } catch (IOException e) {
            return Health.unhealthy("cannot run 'true': " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.unhealthy("interrupted");
        }
        if (s.sandbox == CommandSettings.SandboxMode.BWRAP) {
            String problem = Sandbox.problem();
            return problem == null
                    ? Health.healthy("ok; sandbox: bwrap; " + s.isolationNote + "; " + LaunchMechanism.describe())
                    : Health.unhealthy(problem);
        }
        return Health.healthy(
                "ok; sandbox: none" + (Sandbox.bwrap() != null ? " (bwrap is available: set sandbox=bwrap)" : "") + "; "
                        + s.isolationNote + "; " + LaunchMechanism.describe());
    }

    private Result run(Task task, CommandPayload payload, CommandSettings s, ExecutionContext context)
            throws InterruptedException {
        ProgramPolicy.Program program;
        try {
            program = ProgramResolver.resolve(payload.command, payload.workingDir);
        } catch (ProgramResolver.NotFound e) {
            if (s.policy.hasAllowlist() && !s.policy.names(payload.command)) {
                // missing, not executable or a folder: answered as any program not allowed, so no caller can map
                // the worker's files through the difference
                return Result.rejected(Rejection.POLICY_DENIED, s.policy.notAllowed(payload.command));
            }
            return Result.error(e.getMessage());
        }
        String denial = s.policy.check(program);
        if (denial != null) {
            return Result.rejected(Rejection.POLICY_DENIED, denial);
        }
        // The file that was checked is the file that runs: its real path, never the name or symlink that
        // was sent, which could be pointed elsewhere between the check and the start.
        List<String> argv = new ArrayList<>(s.launchPrefix.size() + payload.args.size() + 1);
        argv.add(program.real.toString());
        argv.addAll(payload.args);
        if (s.sandbox == CommandSettings.SandboxMode.BWRAP) {
            Path bwrap = Sandbox.bwrap();
            if (bwrap == null) {
                return Result.error("sandbox=bwrap is configured but bwrap is not installed on this worker;"
                        + " install bubblewrap or set sandbox=none in " + CommandConfig.PID);
            }
            argv = Sandbox.wrap(bwrap, argv, payload.workingDir, s.sandboxNetwork);
        }
        if (!s.launchPrefix.isEmpty()) {
            argv.addAll(0, s.launchPrefix);
        }

        String marker = cookie();
        ProcessBuilder pb = new ProcessBuilder(argv);
        if (payload.workingDir != null) {
            pb.directory(payload.workingDir.toFile());
        }
        environment(pb.environment(), payload.env, s, marker);
        if (payload.stdin == null) {
            pb.redirectInput(DEV_NULL);
        }

        long started = System.nanoTime();
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            return Result.error("cannot start '" + payload.command + "': " + e.getMessage());
        }
        Leftovers.Watched watched = leftovers.watch(process, marker);
        // taken live, stderr goes to the sink from the start, on its own thread, as stdout does on this one
        OutputSink live = context.liveOutput().orElse(null);
        if (live != null && watched.stderrClaimed.compareAndSet(false, true)) {
            pumpStderr(watched, s.maxOutputBytes, live);
        }
        try (ExecutionContext.Hook hook = context.onCancel(() -> killAsync(process, marker, s.killGraceMillis))) {
            Future<?> stdin =
                    payload.stdin == null ? null : io.submit(() -> feed(process.getOutputStream(), payload.stdin));
            Capture out = live != null
                    ? Capture.stream(process.getInputStream(), live, OutputSink.Channel.OUTPUT)
                    : Capture.read(process.getInputStream(), s.maxOutputBytes);
            Capture err = watched.stderrClaimed.compareAndSet(false, true)
                    ? Capture.read(process.getErrorStream(), s.maxOutputBytes)
                    : watched.stderr.get();
            leftovers.done(watched);
            int code = process.waitFor();
            if (!s.pidNamespace) {
                // without a namespace to end with the program, whatever still carries the task's marker goes
                // at the next shared sweep (walking the process table per task cost as much as the task)
                sweep.ended(marker, s.killGraceMillis);
            }
            if (stdin != null) {
                stdin.cancel(true);
            }
            Result.Builder b = Result.builder(code == 0 ? Status.SUCCEEDED : Status.FAILED)
                    .output(out.bytes)
                    .exitCode(code)
                    .metadata("pid", Long.toString(process.pid()))
                    .metadata("duration_ms", dev.ferry.support.Numbers.millis(System.nanoTime() - started))
                    .metadata("program", program.real.toString());
            if (code != 0) {
                b.error("exit code " + code);
            }
            if (live == null) { // streamed, stderr went out as it came
                b.metadata("stderr", new String(err.bytes, StandardCharsets.UTF_8));
            }
            if (out.truncated()) {
                b.metadata("stdout_truncated", "true").metadata("stdout_bytes", Long.toString(out.total));
            }
            if (err.truncated()) {
                b.metadata("stderr_truncated", "true").metadata("stderr_bytes", Long.toString(err.total));
            }
            if (s.sandbox == CommandSettings.SandboxMode.BWRAP) {
                b.metadata("sandbox", "bwrap");
            }
            return b.build();
        } catch (IOException | ExecutionException e) {
            ProcessTree.kill(process.toHandle(), marker, 0);
            return Result.error("reading the output of '" + payload.command + "' failed: " + e.getMessage());
        } catch (InterruptedException e) {
            // the registry interrupts on timeout/cancel after the hook started the kill; it answers the stop itself
            killAsync(process, marker, s.killGraceMillis);
            throw e;
        } finally {
            leftovers.done(watched);
        }
    }

    private void killAsync(Process process, String marker, long grace) {
        try {
            io.execute(() -> ProcessTree.kill(process.toHandle(), marker, grace));
        } catch (RuntimeException e) {
            ProcessTree.kill(process.toHandle(), marker, 0);
        }
    }

    /** Reads stderr on an io thread, kept up to {@code cap}, or handed to {@code live} when that is not null. */
    private void pumpStderr(Leftovers.Watched w, int cap, OutputSink live) {
        try {
            io.execute(() -> {
                try {
                    w.stderr.complete(
                            live != null
                                    ? Capture.stream(w.process.getErrorStream(), live, OutputSink.Channel.STDERR)
                                    : Capture.read(w.process.getErrorStream(), cap));
                } catch (IOException | InterruptedException | RuntimeException e) {
                    w.stderr.completeExceptionally(e);
                }
            });
        } catch (RuntimeException e) {
            w.stderr.completeExceptionally(e); // shutting down
        }
    }

    private static Void feed(OutputStream stdin, String text) throws IOException {
        try (OutputStream out = stdin) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the program closed its stdin early (e.g. head): not an error of the task
        }
        return null;
    }

    private static void environment(
            Map<String, String> env, Map<String, String> extra, CommandSettings s, String marker) {
        env.clear();
        env.putAll(s.baseEnvironment);
        env.putAll(extra);
        env.put(ProcessTree.MARKER_VARIABLE, marker);
    }

    private String cookie() {
        byte[] b = new byte[12];
        random.nextBytes(b);
        return runMark + HexFormat.of().formatHex(b);
    }

    /**
     * Whether a marker is of a task this worker's folder ran in a JVM that is gone: another JVM still running
     * there (a benchmark or a second worker started in the same folder) keeps its tasks.
     */
    private boolean ofADeadRun(String marker) {
        if (!marker.startsWith(workerMark) || marker.startsWith(runMark)) {
            return false;
        }
        String run = marker.substring(workerMark.length());
        int dot = run.indexOf('.');
        int dash = run.indexOf('-');
        if (dot < 0 || dash < dot) {
            return false; // not a marker this worker writes
        }
        try {
            long pid = Long.parseLong(run.substring(0, dot), 16);
            long startMillis = Long.parseLong(run.substring(dot + 1, dash), 16);
            return ProcessHandle.of(pid)
                    .flatMap(h -> h.info().startInstant())
                    .map(t -> t.toEpochMilli() != startMillis)
                    .orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * Processes of tasks that an earlier run of this worker started (in the same folder) and that outlived it
     * (the worker was killed with SIGKILL, or the machine's power went while the JVM did not): found by their
     * marker, killed with the default grace period, and said. A hot swap in the same JVM keeps its run's mark,
     * so tasks still running on the old instance are never touched.
     */
    private void killLeftoversOfEarlierRuns() {
        java.util.Map<String, List<Long>> earlier = ProcessTree.marked(this::ofADeadRun);
        if (earlier.isEmpty()) {
            return;
        }
        java.util.Set<ProcessHandle> targets = new java.util.LinkedHashSet<>();
        earlier.values()
                .forEach(pids -> pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(targets::add)));
        LOG.warn(
                "Killing {} process(es) of {} task(s) that an earlier run of this worker left running (pids {}): the worker"
                        + " stopped without ending them",
                targets.size(),
                earlier.size(),
                targets.stream().map(ProcessHandle::pid).toList());
        io.execute(() -> ProcessTree.terminate(targets, 2000, () -> {
            java.util.Set<ProcessHandle> again = new java.util.LinkedHashSet<>();
            ProcessTree.marked(this::ofADeadRun)
                    .values()
                    .forEach(pids -> pids.forEach(pid ->
                            ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(again::add)));
            return again;
        }));
    }
}
