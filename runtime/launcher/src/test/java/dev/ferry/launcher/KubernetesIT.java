package dev.ferry.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.client.FerryClient;
import dev.ferry.client.TaskResult;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * kubernetes/ferry.yaml agrees with the worker: the Service, the container and the probes name the port the
 * config.yaml serves on; the probes ask health entries the worker has, without the token they cannot send; the
 * termination grace outlasts the worker's shutdown; and the container's own arguments and config.yaml, run by the
 * real worker (only the mount folders moved under a temporary folder), serve tasks with the secret's token and stop
 * on SIGTERM as the manifest expects.
 */
class KubernetesIT {
    private static final Path MANIFEST = Path.of("../../kubernetes/ferry.yaml");

    @TempDir
    Path root;

    @Test
    @SuppressWarnings("unchecked")
    void theManifestsAgreeWithTheWorker() throws Exception {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object d : new Yaml().loadAll(Files.readString(MANIFEST))) {
            docs.add((Map<String, Object>) d);
        }
        Map<String, Object> configMap = kind(docs, "ConfigMap");
        Map<String, Object> service = kind(docs, "Service");
        Map<String, Object> deployment = kind(docs, "Deployment");

        String configYaml = (String) map(configMap, "data").get("config.yaml");
        Map<String, Object> grpc = map(map(new Yaml().load(configYaml), "worker"), "grpc");
        int port = (Integer) grpc.get("port");

        Map<String, Object> serviceSpec = map(service, "spec");
        assertThat(serviceSpec.get("clusterIP"))
                .as("a headless Service: DNS names every pod")
                .isEqualTo("None");
        Map<String, Object> servicePort = ((List<Map<String, Object>>) serviceSpec.get("ports")).get(0);
        assertThat(servicePort.get("port")).isEqualTo(port);

        Map<String, Object> pod = map(map(map(deployment, "spec"), "template"), "spec");
        Map<String, Object> container = ((List<Map<String, Object>>) pod.get("containers")).get(0);
        Map<String, Object> containerPort = ((List<Map<String, Object>>) container.get("ports")).get(0);
        assertThat(containerPort.get("containerPort")).isEqualTo(port);
        assertThat(containerPort.get("name")).isEqualTo(servicePort.get("targetPort"));
        List<String> probeServices = new ArrayList<>();
        for (String probe : List.of("readinessProbe", "livenessProbe")) {
            Map<String, Object> g = map(map(container, probe), "grpc");
            assertThat(g.get("port")).as(probe).isEqualTo(port);
            probeServices.add((String) g.getOrDefault("service", ""));
        }
        assertThat(grpc.get("health_without_token"))
                .as("the kubelet's probes send no token")
                .isEqualTo(true);
        int grace = (Integer) pod.get("terminationGracePeriodSeconds");
        int shutdown = (Integer) grpc.get("shutdown_grace_ms") / 1000 + (Integer) grpc.get("shutdown_timeout_seconds");
        assertThat(grace)
                .as("the termination grace outlasts the worker's shutdown")
                .isGreaterThan(shutdown);

        // the container's arguments and files, with the mounts under a temporary root
        List<String> args = new ArrayList<>();
        for (String a : (List<String>) container.get("args")) {
            args.add(moved(a));
        }
        Path config = Path.of(moved("/etc/ferry/config/config.yaml"));
        Files.createDirectories(config.getParent());
        Files.writeString(config, moved(configYaml));
        Path token = Path.of(moved("/etc/ferry/secret/token"));
        Files.createDirectories(token.getParent());
        Files.writeString(token, "k8s-test-token-0123456789abcdef\n");
        Files.createDirectories(Path.of(moved("/var/lib/ferry")));

        try (WorkerProcess w = WorkerProcess.start(args.toArray(String[]::new))) {
            int actual = GrpcIT.port(w, "0.0.0.0"); // the test runs on a free port: --grpc-port 0 wins
            ManagedChannel channel = Grpc.newChannelBuilderForAddress(
                            "127.0.0.1", actual, InsecureChannelCredentials.create())
                    .build();
            try {
                HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
                for (String s : probeServices) { // as the kubelet asks: no token
                    assertThat(health.withDeadlineAfter(10, TimeUnit.SECONDS)
                                    .check(HealthCheckRequest.newBuilder()
                                            .setService(s)
                                            .build())
                                    .getStatus())
                            .as("probe service '" + s + "'")
                            .isEqualTo(ServingStatus.SERVING);
                }
                try (FerryClient anonymous = FerryClient.builder()
                                .target("127.0.0.1:" + actual)
                                .build();
                        FerryClient withToken = FerryClient.builder()
                                .target("127.0.0.1:" + actual)
                                .tokenFile(token)
                                .build()) {
                    TaskResult refused = anonymous.execute("command", "{\"command\":\"echo\"}", Duration.ofSeconds(10));
                    assertThat(refused.refusal()).isEqualTo(dev.ferry.client.Refusal.UNAUTHENTICATED);
                    TaskResult ran = withToken.execute(
                            "command", "{\"command\":\"echo\",\"args\":[\"k8s\"]}", Duration.ofSeconds(10));
                    assertThat(ran.outputText()).isEqualTo("k8s\n");
                }

                // SIGTERM: the readiness probe's entry turns NOT_SERVING during the grace, and the worker is gone
                // well within terminationGracePeriodSeconds
                long start = System.nanoTime();
                w.process.destroy();
                dev.ferry.testing.Await.until(
                        "the readiness entry NOT_SERVING after SIGTERM",
                        Duration.ofSeconds(5),
                        () -> health.withDeadlineAfter(2, TimeUnit.SECONDS)
                                        .check(HealthCheckRequest.newBuilder()
                                                .setService(probeServices.get(0))
                                                .build())
                                        .getStatus()
                                == ServingStatus.NOT_SERVING);
                assertThat(w.process.waitFor(grace, TimeUnit.SECONDS)).isTrue();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(grace));
            } finally {
                channel.shutdownNow();
            }
        }
    }

    private String moved(String s) {
        return s.replace("/etc/ferry/", root + "/etc/ferry/").replace("/var/lib/ferry", root + "/var/lib/ferry");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> m, String key) {
        Object v = m.get(key);
        assertThat(v).as(key).isInstanceOf(Map.class);
        return (Map<String, Object>) v;
    }

    private static Map<String, Object> kind(List<Map<String, Object>> docs, String kind) {
        return docs.stream()
                .filter(d -> kind.equals(d.get("kind")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " in " + MANIFEST));
    }
}
