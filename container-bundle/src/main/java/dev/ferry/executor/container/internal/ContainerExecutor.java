package dev.ferry.executor.container.internal;

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
import dev.ferry.support.Numbers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
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
 * The {@code container} executor: runs a task in a container through the Docker Engine API — only
 * allowed images, never pulled unless allowed, host folders only from allowed prefixes and read-only
 * by default, no network, no capabilities, no new privileges, limits on memory, CPU and processes —
 * and removes the container whatever happens: on exit, timeout or cancel, and at the next start for
 * containers a crashed worker left behind.
 *
 * <p>Exit code: the container's main process's exit status (SUCCEEDED when 0, FAILED otherwise); -1
 * when it could not run (ERROR) or was stopped (TIMED_OUT, CANCELLED).
 */
@Designate(ocd = ContainerConfig.class)
// the defaults are service properties too: the registry reads the limits from the service, and without them
// it applied its own (the container type once ran 64 at once, where its configuration said 16)
@Component(
        configurationPid = ContainerConfig.PID,
        property = {
            Executor.MAX_CONCURRENCY + ":Integer=" + ContainerConfig.DEFAULT_CONCURRENCY,
            Executor.MAX_TIMEOUT_SECONDS + ":Double=" + ContainerConfig.DEFAULT_TIMEOUT_MAX_SECONDS
        })
@ExecutorType("container")
public final class ContainerExecutor implements Executor {
    static final String WORKER_LABEL = "dev.ferry.worker";
    static final String PROCESS_LABEL = "dev.ferry.worker.process";
    static final String TASK_LABEL = "dev.ferry.task";
    private static final Logger LOG = LoggerFactory.getLogger(ContainerExecutor.class);
    /** Tries at removing a container (50, 100, 200 ms apart): see {@link #remove}. */
    private static final int REMOVE_ATTEMPTS = 4;
    /** This JVM, told apart from an earlier run of the same worker (a pid can be reused, with another start time). */
    static final String PROCESS = ProcessHandle.current().pid() + "@"
            + ProcessHandle.current()
                    .info()
                    .startInstant()
                    .map(i -> Long.toString(i.toEpochMilli()))
                    .orElse("0");

    private final SecureRandom random = new SecureRandom();
    private final ExecutorService io = dev.ferry.support.Threads.elastic("ferry-container-io", 512, 30);
    /** Keeps the deadline of each call to the engine. */
    private final java.util.concurrent.ScheduledThreadPoolExecutor timers =
            dev.ferry.support.Threads.scheduled("ferry-container-deadlines");

    private final Configured<ContainerSettings> config;

    private final String home;

    @Activate
    public ContainerExecutor(BundleContext context, Map<String, Object> properties) {
        String h = context.getProperty(dev.ferry.support.Home.PROPERTY);
        this.home = h != null ? h : context.getProperty("karaf.home");
        this.config = new Configured<ContainerSettings>(LOG, "the container type", null)
                .start(() -> ContainerSettings.from(
                        Configs.read(ContainerConfig.class, ContainerConfig.PID, properties), home));
        ContainerSettings s = config.get();
        if (s != null) {
            io.execute(() -> removeLeftovers(s));
        }
    }

    ContainerExecutor(ContainerSettings settings) {
        this.home = null;
        this.config = new Configured<>(LOG, "the container type", settings);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        if (config.update(() ->
                ContainerSettings.from(Configs.read(ContainerConfig.class, ContainerConfig.PID, properties), home))) {
            LOG.info("Container executor reconfigured");
        }
    }

    @Deactivate
    void deactivate() {
        io.shutdownNow();
        timers.shutdownNow();
    }

    /**
     * Containers labelled with this worker's id but another worker process: left behind when an earlier
     * run of this worker ended without removing them (a crash, a kill -9). Containers of this process
     * belong to tasks still running (an earlier instance of this bundle draining) and stay.
     *
     * @return how many were removed
     */
    int removeLeftovers(ContainerSettings s) {
        Engine engine = new Engine(s.socket, timers);
        int removed = 0;
        try {
            String filters = "{\"label\":[\"" + WORKER_LABEL + "=" + s.workerId.replace("\"", "") + "\"]}";
            Engine.Answer list = engine.call("GET", "/containers/json?all=1&filters=" + encode(filters), null);
            if (!list.ok()) {
                LOG.warn("Cannot list this worker's containers at {}: {}", s.socket, list.message());
                return 0;
            }
            for (Object c : (List<?>) Json.read(list.body())) {
                Object process = Json.at(c, "Labels", PROCESS_LABEL);
                Object task = Json.at(c, "Labels", TASK_LABEL);
                if (PROCESS.equals(process)) {
                    continue;
                }
                String id = String.valueOf(Json.at(c, "Id"));
                if (remove(engine, id)) {
                    removed++;
                    LOG.warn(
                            "Removed container {} of task {}, left behind by an earlier run of this worker (process {})",
                            shortId(id),
                            task,
                            process);
                }
            }
        } catch (Engine.Unreachable e) {
            // no engine at all (a worker that runs no containers) is said by health, not at every start
            LOG.debug("Cannot look for containers an earlier run of this worker left behind: {}", e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot look for containers an earlier run of this worker left behind: {}", e.getMessage());
        }
        return removed;
    }

    private ContainerSettings current() throws InvalidPayloadException {
        ContainerSettings s = config.get();
        if (s == null) {
            throw new InvalidPayloadException(null, config.notServing());
        }
        return s;
    }

    @Override
    public Prepared prepare(Task task) throws InvalidPayloadException {
        ContainerSettings s = current();
        ContainerPayload payload = ContainerPayload.parse(task.payload(), s);
        return context -> run(task, payload, s, context);
    }

    private Result run(Task task, ContainerPayload p, ContainerSettings s, ExecutionContext context) {
        if (p.denial != null) {
            return Result.rejected(Rejection.POLICY_DENIED, p.denial);
        }
        if (p.timeoutSeconds != null) {
            context.tighten(Duration.ofNanos((long) (p.timeoutSeconds * 1e9)));
        }
        long start = System.nanoTime();
        Engine engine = new Engine(s.socket, timers);
        String id = null;
        try {
            if (s.pull == ContainerSettings.Pull.ALWAYS) {
                Result failed = ensureImage(engine, p.image, s, true);
                if (failed != null) {
                    return failed;
                }
            }
            if (context.isCancelled()) {
                return stopped(context, "stopped before the container was created");
            }
            // not on this thread: a stop interrupts it, and an interrupt in the middle of a create would leave a
            // container made whose id was never read
            id = uninterruptibly(() -> create(engine, task, p, s));
            if (id == null) { // the engine has no such image: pulled if the policy allows, else the answer says so
                Result missing = ensureImage(engine, p.image, s, false);
                if (missing != null) {
                    return missing;
                }
                id = uninterruptibly(() -> create(engine, task, p, s));
                if (id == null) {
                    return Result.error("image '" + p.image + "' is still not on this host after it was pulled");
                }
            }
            return runCreated(engine, id, p, s, context, start);
        } catch (InterruptedException e) { // a sink's write, stopped: the registry reports the stop
            Thread.currentThread().interrupt();
            return stopped(context, "the container was killed");
        } catch (IOException | RuntimeException e) {
            if (context.isCancelled()) {
                return stopped(context, "the container was killed");
            }
            return Result.error(e.getMessage() == null ? e.toString() : e.getMessage());
        } finally {
            if (id != null) {
                removeSurely(engine, id);
            }
        }
    }

    /** Starts a created container, feeds its stdin, waits for it and collects what it wrote. */
    private Result runCreated(
            Engine engine, String id, ContainerPayload p, ContainerSettings s, ExecutionContext context, long start)
            throws IOException, InterruptedException {
        String created = id;
        Engine.Exchange attach = p.stdin == null
                ? null
                : engine.open("POST", "/containers/" + id + "/attach?stream=1&stdin=1", null, true);
        try (ExecutionContext.Hook hook = context.onCancel(() -> kill(engine, created))) {
            Engine.Answer started = engine.call("POST", "/containers/" + id + "/start", null);
            if (!started.ok()) {
                return Result.error("the engine could not start the container: " + started.message());
            }
            if (attach != null) {
                io.execute(() -> {
                    try {
                        attach.out.write(p.stdin);
                        attach.out.flush();
                        attach.shutdownOutput(); // the container's stdin ends here
                    } catch (IOException e) {
                        // the program closed its stdin early, or ended: not the task's failure
                        LOG.debug("stdin of container {} not written whole: {}", shortId(created), e.getMessage());
                    }
                });
            }
            // taken live, the output is followed as the container writes it, up to its exit; else read after it
            OutputSink live = context.liveOutput().orElse(null);
            Output out = live == null ? null : logs(engine, id, s.maxOutputBytes, live);
            // the wait lasts as long as the container runs: bounded by the task's deadline (its hook kills the
            // container then) and a call's time for the answer after it
            Engine.Answer waited = engine.call(
                    "POST",
                    "/containers/" + id + "/wait",
                    null,
                    context.remaining().plus(Engine.CALL_TIMEOUT));
            if (context.isCancelled()) {
                return stopped(context, "the container was killed");
            }
            if (!waited.ok()) {
                return Result.error("waiting for the container failed: " + waited.message());
            }
            Object exit = Json.at(Json.read(waited.body()), "StatusCode");
            int code = exit instanceof Number n ? n.intValue() : -1;
            if (out == null) {
                out = logs(engine, id, s.maxOutputBytes, null);
            }
            return finished(engine, id, code, out, live, p, s, start);
        } finally {
            if (attach != null) {
                attach.close();
            }
        }
    }

    /** The result of a container that exited with {@code code}: its output, and what its exit means. */
    private static Result finished(
            Engine engine,
            String id,
            int code,
            Output out,
            OutputSink live,
            ContainerPayload p,
            ContainerSettings s,
            long start)
            throws IOException {
        // only a failed container can have run out of memory: one call fewer for the rest
        Object oom = code == 0
                ? null
                : Json.at(
                        Json.read(engine.call("GET", "/containers/" + id + "/json", null)
                                .body()),
                        "State",
                        "OOMKilled");
        Result.Builder r = Result.builder(code == 0 ? Status.SUCCEEDED : Status.FAILED)
                .exitCode(code)
                .output(out.stdout.toByteArray())
                .metadata("container_id", shortId(id))
                .metadata("image", p.image);
        if (live == null) { // streamed, stderr went out as it came
            r.metadata("stderr", out.stderr.toString(StandardCharsets.UTF_8));
        }
        if (out.stdoutTruncated) {
            r.metadata("stdout_truncated", "true");
        }
        if (out.stderrTruncated) {
            r.metadata("stderr_truncated", "true");
        }
        if (Boolean.TRUE.equals(oom)) {
            r.metadata("oom_killed", "true");
        } else if (code == 137) {
            // SIGKILL, which the worker did not send (a stop would have returned above). Podman on cgroup v1
            // reports no out-of-memory kill (State.OOMKilled stays false), so the likely cause is said
            r.metadata("signal", "SIGKILL").metadata("oom_killed", "unknown");
        }
        if (code != 0) {
            r.error(
                    Boolean.TRUE.equals(oom)
                            ? "the container ran out of memory (memory_bytes " + s.memoryBytes + ")"
                            : code == 137
                                    ? "the container was killed by SIGKILL, which the worker did not send: most often"
                                            + " the memory limit (memory_bytes " + s.memoryBytes
                                            + "); the engine did not say it was"
                                            + " out of memory (Podman does not on cgroup v1 hosts)"
                                    : "the container exited with " + code);
        }
        return r.metadata("duration_ms", Numbers.millis(System.nanoTime() - start))
                .build();
    }

    /** Removes the container, on an io thread (see {@link #uninterruptibly}). */
    private void removeSurely(Engine engine, String id) {
        try {
            uninterruptibly(() -> remove(engine, id));
        } catch (IOException e) {
            LOG.warn(
                    "Cannot remove container {}: {}; the next start of this worker removes it",
                    shortId(id),
                    e.getMessage());
        }
    }

    /**
     * Runs an engine call on an io thread and waits for it whatever happens to this one: the registry
     * interrupts a stopped task's thread, and an interrupt closes the channel in use, which would cut a
     * create (a container made, its id never read) or a removal in the middle.
     */
    private <T> T uninterruptibly(java.util.concurrent.Callable<T> call) throws IOException {
        Future<T> done;
        try {
            done = io.submit(call);
        } catch (java.util.concurrent.RejectedExecutionException e) { // the bundle is stopping: on this thread
            boolean wasInterrupted = Thread.interrupted();
            try {
                return call.call();
            } catch (IOException | RuntimeException x) {
                throw x;
            } catch (Exception x) {
                throw new IOException(x);
            } finally {
                if (wasInterrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return done.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IOException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** What happened to a stopped task's container: the registry answers the stop (TIMED_OUT, CANCELLED), this is its detail. */
    private static Result stopped(ExecutionContext context, String what) {
        return Result.error(what);
    }

    /**
     * @param present whether the engine has the image (pull = always pulls it anyway)
     * @return null when the image is there now (pulled if the policy allows), else the answer
     */
    private Result ensureImage(Engine engine, String image, ContainerSettings s, boolean present) throws IOException {
        if (!present && s.pull == ContainerSettings.Pull.NEVER) {
            return Result.error(
                    "image '" + image + "' is not on this host, and " + ContainerConfig.PID + " has pull = never;"
                            + " load it on the host (docker pull / podman pull / podman load), or allow pulling it");
        }
        String registry = ContainerSettings.registryOf(image);
        if (registry == null) {
            return present
                    ? null
                    : Result.rejected(
                            Rejection.POLICY_DENIED,
                            "image '" + image + "' names no registry, and"
                                    + " a short name is never pulled (which registry the engine would ask depends on its own settings);"
                                    + " name the image with its registry, e.g. registry.example.com/" + image);
        }
        if (!s.allowedRegistries.contains(registry)) {
            return present
                    ? null
                    : Result.rejected(
                            Rejection.POLICY_DENIED,
                            "image '" + image + "' would be pulled from " + registry
                                    + ", which is not in allowed_registries " + s.allowedRegistries + " of "
                                    + ContainerConfig.PID);
        }
        try (Engine.Exchange pull = engine.open("POST", "/images/create?fromImage=" + encode(image), null, false)) {
            byte[] progress = Engine.readAll(pull.body, 64 * 1024 * 1024);
            String text = new String(progress, StandardCharsets.UTF_8);
            if (pull.status != 200 || text.contains("\"error\"")) {
                return Result.error("pulling image '" + image + "' from " + registry + " failed: "
                        + new Engine.Answer(pull.status, progress).message());
            }
        }
        return null;
    }

    /** @return the new container's id, or null when the engine has no such image */
    private String create(Engine engine, Task task, ContainerPayload p, ContainerSettings s) throws IOException {
        String name = "ferry-" + task.id().replaceAll("[^A-Za-z0-9_.-]", "_") + "-"
                + HexFormat.of().formatHex(randomBytes());
        if (name.length() > 120) {
            name = name.substring(0, 120);
        }
        byte[] body = Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("Image", p.image);
            if (p.command != null) {
                g.writeArrayFieldStart("Cmd");
                for (String arg : p.command) {
                    g.writeString(arg);
                }
                g.writeEndArray();
            }
            g.writeArrayFieldStart("Env");
            for (Map.Entry<String, String> e : p.env.entrySet()) {
                g.writeString(e.getKey() + "=" + e.getValue());
            }
            g.writeEndArray();
            if (p.workingDir != null) {
                g.writeStringField("WorkingDir", p.workingDir);
            }
            if (p.user != null) {
                g.writeStringField("User", p.user);
            }
            g.writeBooleanField("Tty", false);
            g.writeBooleanField("OpenStdin", p.stdin != null);
            g.writeBooleanField("StdinOnce", p.stdin != null);
            g.writeBooleanField("AttachStdin", p.stdin != null);
            g.writeBooleanField("NetworkDisabled", s.network.equals("none"));
            g.writeObjectFieldStart("Labels");
            g.writeStringField(WORKER_LABEL, s.workerId);
            g.writeStringField(PROCESS_LABEL, PROCESS);
            g.writeStringField(TASK_LABEL, task.id());
            g.writeEndObject();
            g.writeObjectFieldStart("HostConfig");
            g.writeStringField("NetworkMode", s.network);
            g.writeNumberField("Memory", s.memoryBytes);
            g.writeNumberField("MemorySwap", s.memoryBytes);
            g.writeNumberField("NanoCpus", s.nanoCpus);
            g.writeNumberField("PidsLimit", s.pidsLimit);
            g.writeBooleanField("ReadonlyRootfs", s.readOnlyRootfs);
            g.writeBooleanField("Privileged", false);
            g.writeArrayFieldStart("CapDrop");
            g.writeString("ALL");
            g.writeEndArray();
            g.writeArrayFieldStart("SecurityOpt");
            g.writeString("no-new-privileges");
            g.writeEndArray();
            g.writeArrayFieldStart("Binds");
            for (ContainerPayload.Mount m : p.mounts) {
                g.writeString(m.bind());
            }
            g.writeEndArray();
            if (s.readOnlyRootfs) {
                g.writeObjectFieldStart("Tmpfs");
                g.writeStringField("/tmp", "rw,nosuid,nodev,size=64m");
                g.writeEndObject();
            }
            g.writeBooleanField("AutoRemove", false); // removed by this executor, after its logs are read
            g.writeEndObject();
            g.writeEndObject();
        });
        Engine.Answer created = engine.call("POST", "/containers/create?name=" + encode(name), body);
        if (created.status() == 404) {
            return null; // no such image
        }
        if (!created.ok()) {
            throw new IOException("the engine could not create the container: " + created.message());
        }
        Object id = Json.at(Json.read(created.body()), "Id");
        if (id == null) {
            throw new IOException("the engine created a container but gave no id: " + created.text());
        }
        return id.toString();
    }

    private byte[] randomBytes() {
        byte[] b = new byte[4];
        random.nextBytes(b);
        return b;
    }

    /** stdout and stderr, each capped, from the engine's multiplexed log stream. */
    private static final class Output {
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        boolean stdoutTruncated;
        boolean stderrTruncated;
    }

    /**
     * The container's output from the engine's log, demultiplexed: kept up to {@code cap} per stream after the
     * container ended, or, when {@code live} is not null, followed while it runs and handed to the sink as it
     * comes (kept nowhere; the engine's log of it stays until the container is removed).
     */
    private static Output logs(Engine engine, String id, int cap, OutputSink live)
            throws IOException, InterruptedException {
        Output out = new Output();
        String follow = live == null ? "" : "&follow=1";
        try (Engine.Exchange logs =
                engine.open("GET", "/containers/" + id + "/logs?stdout=1&stderr=1" + follow, null, false)) {
            if (logs.status != 200) {
                throw new IOException("reading the container's output failed: "
                        + new Engine.Answer(logs.status, Engine.readAll(logs.body, 1 << 20)).message());
            }
            InputStream in = logs.body;
            byte[] header = new byte[8];
            byte[] buf = new byte[16 * 1024];
            while (readFully(in, header)) {
                int size = ((header[4] & 0xff) << 24)
                        | ((header[5] & 0xff) << 16)
                        | ((header[6] & 0xff) << 8)
                        | (header[7] & 0xff);
                boolean err = header[0] == 2;
                ByteArrayOutputStream to = err ? out.stderr : out.stdout;
                for (int left = size; left > 0; ) {
                    int n = in.read(buf, 0, Math.min(buf.length, left));
                    if (n < 0) {
                        throw new IOException("the container's output ended mid-frame");
                    }
                    left -= n;
                    if (live != null) { // to the end: a sink that wants no more drops it at once, counting it
                        live.write(err ? OutputSink.Channel.STDERR : OutputSink.Channel.OUTPUT, buf, 0, n);
                        continue;
                    }
                    int room = cap - to.size();
                    if (room > 0) {
                        to.write(buf, 0, Math.min(n, room));
                    }
                    if (n > room) {
                        if (err) {
                            out.stderrTruncated = true;
                        } else {
                            out.stdoutTruncated = true;
                        }
                    }
                }
            }
        }
        return out;
    }

    private static boolean readFully(InputStream in, byte[] b) throws IOException {
        int at = 0;
        while (at < b.length) {
            int n = in.read(b, at, b.length - at);
            if (n < 0) {
                if (at == 0) {
                    return false;
                }
                throw new IOException("the container's output ended mid-header");
            }
            at += n;
        }
        return true;
    }

    private void kill(Engine engine, String id) {
        io.execute(() -> {
            try {
                engine.call("POST", "/containers/" + id + "/kill?signal=KILL", null);
            } catch (IOException e) {
                LOG.warn("Cannot kill container {}: {}; it is removed when its task ends", shortId(id), e.getMessage());
            }
        });
    }

    /** @return whether the container is gone (removed now, or already); a failure is logged */
    private static boolean remove(Engine engine, String id) {
        String why = null;
        for (int attempt = 0; attempt < REMOVE_ATTEMPTS; attempt++) {
            try {
                Engine.Answer gone = engine.call("DELETE", "/containers/" + id + "?force=1&v=1", null);
                if (gone.ok() || gone.status() == 404) {
                    return true;
                }
                why = gone.message();
            } catch (IOException e) {
                why = e.getMessage();
            }
            // Podman refuses a forced removal that races the container's own end (a kill on its way: "could not be
            // stopped … container state improper: stopped"); a moment later the container is stopped and goes
            try {
                Thread.sleep(50L << attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the bundle is stopping: the next start removes it
                break;
            }
        }
        LOG.warn("Cannot remove container {}: {}; the next start of this worker removes it", shortId(id), why);
        return false;
    }

    @Override
    public Health health() {
        ContainerSettings s = config.get();
        if (s == null) {
            return Health.unhealthy(config.refused());
        }
        Health h = probe(s);
        String pending = config.pendingNote();
        return pending != null && h.isHealthy() ? Health.degraded(pending + "; " + h.message()) : h;
    }

    private Health probe(ContainerSettings s) {
        Engine engine = new Engine(s.socket, timers);
        Future<Health> answer = io.submit(() -> {
            Engine.Answer version = engine.call("GET", "/version", null);
            if (!version.ok()) {
                return Health.unhealthy(
                        "the engine at " + s.socket + " answered " + version.status() + ": " + version.message());
            }
            Object json = Json.read(version.body());
            String product = String.valueOf(Json.at(json, "Version"));
            String api = String.valueOf(Json.at(json, "ApiVersion"));
            List<String> missing = new ArrayList<>();
            for (String image : s.allowedImages) {
                if (!image.endsWith("*")
                        && !engine.call("GET", "/images/" + encode(image) + "/json", null)
                                .ok()) {
                    missing.add(image);
                }
            }
            String about = "engine " + product + " at " + s.socket + ", API " + api + "; network " + s.network
                    + "; pull " + s.pull.name().toLowerCase(java.util.Locale.ROOT);
            if (s.allowedImages.isEmpty()) {
                return Health.degraded(
                        about + "; allowed_images is empty, so no task can run: name the images tasks may use");
            }
            if (!missing.isEmpty()) {
                String why = "allowed images not on this host: " + missing
                        + (s.pull == ContainerSettings.Pull.NEVER
                                ? " (pull = never: load them on the host)"
                                : " (pulled when needed)");
                return s.pull == ContainerSettings.Pull.NEVER
                        ? Health.degraded(about + "; " + why)
                        : Health.healthy(about + "; " + why);
            }
            return Health.healthy(about);
        });
        try {
            return answer.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            answer.cancel(true);
            return Health.unhealthy("the engine at " + s.socket + " did not answer within 10 s");
        } catch (java.util.concurrent.ExecutionException e) {
            return Health.unhealthy(
                    e.getCause() instanceof Engine.Unreachable
                            ? e.getCause().getMessage()
                            : "cannot reach the engine at " + s.socket + ": "
                                    + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.unhealthy("interrupted");
        }
    }

    static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
