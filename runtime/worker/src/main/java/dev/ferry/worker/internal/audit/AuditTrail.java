package dev.ferry.worker.internal.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Task;
import dev.ferry.support.Configs;
import dev.ferry.worker.internal.registry.TaskObserver;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.regex.Pattern;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail: one JSON line per task the registry answered, written by a thread of its own so that a task
 * pays only for handing its record over. A full hand-over queue makes tasks wait rather than go unaudited.
 */
@Designate(ocd = AuditConfig.class)
@Component(configurationPid = AuditConfig.PID, immediate = true, service = TaskObserver.class)
public final class AuditTrail implements TaskObserver {
    private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);
    /** Its configuration's PID. */
    public static final String PID = AuditConfig.PID;
    /** How it reads its configuration (no file is opened): the check config.yaml's bridge asks is this reader too. */
    public static final java.util.function.Function<Map<String, Object>, ?> READER =
            p -> Settings.from(Configs.read(AuditConfig.class, AuditConfig.PID, p), null);
    /** Keys whose values are masked, whatever the value (a string, a number, a list, an object). */
    private static final Pattern SECRET_KEY =
            Pattern.compile("(?i)pass|pwd|secret|token|auth|cookie|key|credential|session|private|signature|cert");

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private record Entry(long millis, Task task, Result result) {}

    /** How often the writer looks for lines to write. */
    private static final long WRITE_EVERY_MS = 50;

    /** The configuration, checked. */
    public record Settings(boolean enabled, boolean payloads, Path file, long maxFileBytes, int maxFiles) {
        static Settings from(AuditConfig c, BundleContext context) {
            if (c.max__file__bytes() < 1024) {
                throw new IllegalArgumentException("configuration " + AuditConfig.PID
                        + ", max_file_bytes: must be >= 1024, got " + c.max__file__bytes());
            }
            if (c.max__files() < 1) {
                throw new IllegalArgumentException(
                        "configuration " + AuditConfig.PID + ", max_files: must be >= 1, got " + c.max__files());
            }
            return new Settings(
                    c.enabled(), c.payloads(), fileOf(c.file(), context), c.max__file__bytes(), c.max__files());
        }
    }

    private final boolean enabled;
    private final boolean payloads;
    private final Path file;
    private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(16 * 1024);
    private final RotatingFile out;
    private final Thread writer;
    private volatile boolean running = true;

    @Activate
    public AuditTrail(BundleContext context, Map<String, Object> properties) throws IOException {
        // refused (said by the reader): the trail records nothing rather than something else than asked
        this(new dev.ferry.support.Configured<Settings>(LOG, "the audit trail", "records nothing", null)
                .start(() -> Settings.from(Configs.read(AuditConfig.class, AuditConfig.PID, properties), context))
                .get());
    }

    /** From checked settings, or null when they were refused: the component's way, and the benchmark's. */
    public AuditTrail(Settings s) throws IOException {
        this.enabled = s != null && s.enabled();
        this.payloads = s != null && s.payloads();
        this.file = s == null ? null : s.file();
        if (!enabled) {
            out = null;
            writer = null;
            if (s != null) {
                LOG.info("Audit trail off (enabled = false in {})", AuditConfig.PID);
            }
            return;
        }
        out = new RotatingFile(file, s.maxFileBytes(), s.maxFiles());
        writer = dev.ferry.support.Threads.daemon("ferry-audit", this::write);
        writer.start();
        LOG.info("Audit trail in {}{}", file, payloads ? " (with payloads, secrets masked)" : "");
    }

    private static Path fileOf(String configured, BundleContext context) {
        if (!configured.isBlank()) {
            return Path.of(configured.trim());
        }
        if (context == null) { // a check of the configuration: no file is opened
            return Path.of("data", "log", "audit.log");
        }
        String home = context.getProperty(dev.ferry.worker.spi.FrameworkProperties.HOME);
        if (home != null) {
            return Path.of(home, "data", "log", "audit.log");
        }
        String karaf = context.getProperty("karaf.data");
        return karaf != null ? Path.of(karaf, "log", "ferry-audit.log") : Path.of("data", "log", "audit.log");
    }

    @Override
    public void ended(Task task, Result result) {
        if (!enabled) {
            return;
        }
        Entry e = new Entry(System.currentTimeMillis(), task, result);
        if (!queue.offer(e)) {
            try {
                queue.put(e); // the writer is behind: this task waits for it, so nothing goes unaudited
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
                LOG.warn(
                        "Task {} is missing from the audit trail: its thread was interrupted while the trail was full",
                        task.id());
            }
        }
    }

    @Deactivate
    public void deactivate() throws InterruptedException {
        if (writer != null) {
            running = false; // the writer empties the queue, then ends
            writer.join(5000);
        }
    }

    private void write() {
        List<Entry> batch = new ArrayList<>(1024);
        StringBuilder line = new StringBuilder(256);
        while (true) {
            // a look every WRITE_EVERY_MS, not a wake-up per task: a task waking this thread would pay a system
            // call for it (measured: 4 % of an HTTP task's throughput), handing its line over costs it ~40 ns
            boolean stopping = !running;
            queue.drainTo(batch, 4096);
            if (batch.isEmpty()) {
                if (stopping) {
                    break;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(WRITE_EVERY_MS * 1_000_000L);
                if (Thread.interrupted()) {
                    running = false; // the bundle is going: what is queued is still written
                }
                continue;
            }
            try {
                for (Entry e : batch) {
                    line.setLength(0);
                    format(e, line, payloads);
                    if (payloads && utf8Length(line) > out.maxBytes()) {
                        // a line never takes a file past max_file_bytes: this one goes without its payload
                        line.setLength(0);
                        format(e, line, false);
                        line.insert(
                                line.length() - 2,
                                ",\"payload_note\":\"left out: the line would be larger than" + " max_file_bytes of "
                                        + AuditConfig.PID + "\"");
                    }
                    out.write(line);
                }
                out.flush();
            } catch (IOException e) {
                LOG.error(
                        "Cannot write the audit trail to {}: {}; {} task(s) are missing from it",
                        file,
                        e.toString(),
                        batch.size());
            }
            batch.clear();
        }
        try {
            out.close();
        } catch (IOException e) {
            LOG.warn("Closing the audit trail {} failed: {}", file, e.toString());
        }
    }

    /** The bytes a line takes in UTF-8, counted without encoding it. */
    private static long utf8Length(CharSequence s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3; // a pair: 4 bytes, 2 each
        }
        return n;
    }

    void format(Entry e, StringBuilder b, boolean withPayload) {
        Task t = e.task();
        Result r = e.result();
        Map<String, String> meta = t.metadata();
        Map<String, String> rm = r.metadata();
        b.append("{\"time\":\"").append(Instant.ofEpochMilli(e.millis())).append('"');
        field(b, "task_id", t.id());
        field(b, "type", t.type());
        String caller = meta.get(Task.CALLER);
        field(b, "caller", caller != null ? caller : "in-process");
        String remote = meta.get(Task.REMOTE);
        if (remote != null) {
            field(b, "remote", remote);
        }
        String by = rm.get(Result.EXECUTED_BY);
        if (by != null) {
            field(b, "executor", by);
        }
        field(b, "status", r.status().name());
        if (r.rejection() != null) {
            field(b, "rejection", r.rejection().name());
        }
        b.append(",\"exit_code\":").append(r.exitCode());
        String us = rm.get(Result.DURATION_MICROS);
        if (us != null) {
            b.append(",\"duration_ms\":").append(dev.ferry.support.Numbers.millis(Long.parseLong(us) * 1000));
        }
        b.append(",\"payload_bytes\":").append(t.payload().length);
        if (withPayload) {
            String payload = masked(t.payload());
            if (payload != null) {
                field(b, "payload", payload);
            } else {
                field(b, "payload_note", "not valid JSON: not written (secrets in it could not be found to mask)");
            }
        }
        b.append("}\n");
    }

    /**
     * A JSON payload with the value of every secret-looking key replaced by {@code "***"}, in one pass of
     * Jackson's parser (the executors' own reader), so a key is judged decoded ({@code pass\u0077ord} is
     * password) and a value of any type is masked whole. Null when the payload is not JSON: then nothing of
     * it is written, as secrets in it could not be found.
     */
    static String masked(byte[] payload) {
        java.io.StringWriter out = new java.io.StringWriter(payload.length + 16);
        try (JsonParser in = JSON.createParser(payload);
                JsonGenerator g = JSON.createGenerator(out)) {
            for (JsonToken t = in.nextToken(); t != null; t = in.nextToken()) {
                if (t == JsonToken.FIELD_NAME) {
                    String name = in.currentName();
                    g.writeFieldName(name);
                    if (SECRET_KEY.matcher(name).find()) {
                        in.nextToken();
                        in.skipChildren();
                        g.writeString("***");
                    }
                } else {
                    g.copyCurrentEvent(in);
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return out.toString();
    }

    private static void field(StringBuilder b, String name, String value) {
        b.append(",\"").append(name).append("\":\"");
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        b.append('"');
    }
}
