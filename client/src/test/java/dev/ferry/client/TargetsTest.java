package dev.ferry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetsTest {
    @TempDir
    Path dir;

    @Test
    void hostPortInEverySpelling() {
        assertThat(Targets.hostPort("worker-1:7000", 50051, "t"))
                .isEqualTo(InetSocketAddress.createUnresolved("worker-1", 7000));
        assertThat(Targets.hostPort("worker-1", 50051, "t").getPort()).isEqualTo(50051);
        assertThat(Targets.hostPort("[::1]:7000", 50051, "t").getHostString()).isEqualTo("::1");
        assertThatThrownBy(() -> Targets.hostPort("::1", 1, "line 3"))
                .hasMessageContaining("line 3")
                .hasMessageContaining("[::1]");
        assertThatThrownBy(() -> Targets.hostPort("h:99999", 1, "t")).hasMessageContaining("no valid port");
        assertThatThrownBy(() -> Targets.hostPort(":80", 1, "t")).hasMessageContaining("names no host");
    }

    @Test
    void aWorkerFileHasCommentsAndNamesItsBadLine() throws Exception {
        Path f = Files.write(dir.resolve("workers"), List.of("# fleet", "127.0.0.1:7001  # one", "", "127.0.0.1"));
        assertThat(FileTargets.read(f, 50051))
                .containsExactly(new InetSocketAddress("127.0.0.1", 7001), new InetSocketAddress("127.0.0.1", 50051));
        Files.write(f, List.of("127.0.0.1:7001", "127.0.0.1:http"));
        assertThatThrownBy(() -> FileTargets.read(f, 50051)).hasMessageContaining("line 2");
    }

    @Test
    void aDeviceOrAHugeFileIsRefusedNotReadForever() throws Exception {
        assertThatThrownBy(() -> FileTargets.read(Path.of("/dev/zero"), 50051))
                .hasMessageContaining("/dev/zero")
                .hasMessageContaining("not a regular file");
        Path huge = dir.resolve("huge");
        try (var out = Files.newOutputStream(huge)) {
            out.write(new byte[FileTargets.MAX_BYTES + 1]);
        }
        assertThatThrownBy(() -> FileTargets.read(huge, 50051)).hasMessageContaining("more than the");
        assertThatThrownBy(() -> FerryClient.builder().tokenFile(Path.of("/dev/zero")))
                .hasMessageContaining("not a regular file");
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> FerryClient.builder().tokenFile(empty)).hasMessageContaining("is empty");
    }

    @Test
    void theTargetsWorkersAreWhatItsResolverFinds() throws Exception {
        Path f = Files.write(dir.resolve("workers"), List.of("127.0.0.1:7001", "127.0.0.1:7002"));
        assertThat(Targets.workers("file://" + f)).hasSize(2);
        assertThat(Targets.workers("127.0.0.1:7003")).containsExactly(new InetSocketAddress("127.0.0.1", 7003));
        assertThat(Targets.workers("dns:///127.0.0.1:7004")).containsExactly(new InetSocketAddress("127.0.0.1", 7004));
        assertThat(Targets.workers("localhost:7005"))
                .allMatch(a -> a.getPort() == 7005 && a.getAddress().isLoopbackAddress());
        assertThat(Targets.workers("unix:///run/ferry.sock")).isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theServiceConfigRetriesOnlyTheWorkersPreStartRefusals() {
        Map<String, Object> c = FerryClient.serviceConfig("executor.command", 3);
        assertThat(c.get("healthCheckConfig")).isEqualTo(Map.of("serviceName", "executor.command"));
        assertThat(c.get("loadBalancingConfig")).isEqualTo(List.of(Map.of("round_robin", Map.of())));
        Map<String, Object> method = ((List<Map<String, Object>>) c.get("methodConfig")).get(0);
        Map<String, Object> retry = (Map<String, Object>) method.get("retryPolicy");
        assertThat((List<String>) retry.get("retryableStatusCodes"))
                .containsExactlyInAnyOrder("UNAVAILABLE", "RESOURCE_EXHAUSTED");
        assertThat(FerryClient.serviceConfig("executor.command", 1)).doesNotContainKey("methodConfig");
    }

    @Test
    void aTaskRequestSaysWhatIsWrong() {
        assertThatThrownBy(() -> TaskRequest.of(" ", "{}")).hasMessageContaining("task type is empty");
        assertThatThrownBy(() -> TaskRequest.of("command", "{}").withTimeout(java.time.Duration.ZERO))
                .hasMessageContaining("must be positive");
        assertThatThrownBy(() -> TaskRequest.of("command", "{}").withId("")).hasMessageContaining("blank");
        assertThat(TaskRequest.of("command", "{}").id())
                .isNotEqualTo(TaskRequest.of("command", "{}").id());
    }
}
