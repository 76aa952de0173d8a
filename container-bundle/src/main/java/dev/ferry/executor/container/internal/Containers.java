package dev.ferry.executor.container.internal;

import dev.ferry.executor.api.Executor;
import dev.ferry.support.Configs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Public factories for the benchmarks (bench/ builds the executor through them, with its real defaults). */
public final class Containers {
    private Containers() {}

    /** The executor as its component starts with docker_host and allowed_images set, and every other default. */
    public static Executor executor(String dockerHost, String image) {
        return new ContainerExecutor(ContainerSettings.from(Configs.read(
                ContainerConfig.class,
                ContainerConfig.PID,
                Map.of(
                        "docker_host",
                        dockerHost,
                        "allowed_images",
                        new String[] {image},
                        "worker_id",
                        "ferry-bench"))));
    }

    /**
     * What a hand-written worker does with the same client for one task: create (with the same limits
     * the executor sets by default), start, wait, read the logs, remove.
     *
     * @return the exit status
     */
    public static int plain(String dockerHost, String image, String... command) throws IOException {
        Engine engine = new Engine(Path.of(dockerHost.substring("unix://".length())));
        byte[] body = Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("Image", image);
            g.writeArrayFieldStart("Cmd");
            for (String arg : command) {
                g.writeString(arg);
            }
            g.writeEndArray();
            g.writeObjectFieldStart("HostConfig");
            g.writeStringField("NetworkMode", "none");
            g.writeNumberField("Memory", 256L * 1024 * 1024);
            g.writeNumberField("MemorySwap", 256L * 1024 * 1024);
            g.writeNumberField("NanoCpus", 1_000_000_000L);
            g.writeNumberField("PidsLimit", 256);
            g.writeBooleanField("ReadonlyRootfs", true);
            g.writeArrayFieldStart("CapDrop");
            g.writeString("ALL");
            g.writeEndArray();
            g.writeArrayFieldStart("SecurityOpt");
            g.writeString("no-new-privileges");
            g.writeEndArray();
            g.writeObjectFieldStart("Tmpfs");
            g.writeStringField("/tmp", "rw,nosuid,nodev,size=64m");
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        });
        Engine.Answer created = engine.call("POST", "/containers/create", body);
        String id = String.valueOf(Json.at(Json.read(created.body()), "Id"));
        try {
            engine.call("POST", "/containers/" + id + "/start", null);
            Object code = Json.at(
                    Json.read(engine.call("POST", "/containers/" + id + "/wait", null)
                            .body()),
                    "StatusCode");
            try (Engine.Exchange logs =
                    engine.open("GET", "/containers/" + id + "/logs?stdout=1&stderr=1", null, false)) {
                Engine.readAll(logs.body, 1 << 20);
            }
            return code instanceof Number n ? n.intValue() : -1;
        } finally {
            engine.call("DELETE", "/containers/" + id + "?force=1&v=1", null);
        }
    }
}
