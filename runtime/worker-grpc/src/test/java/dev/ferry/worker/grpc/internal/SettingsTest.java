package dev.ferry.worker.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.util.converter.Converters;

class SettingsTest {
    private static final String TOKEN = "0123456789abcdef0123";

    @TempDir
    Path dir;

    private static Settings settings(Map<String, Object> config, Map<String, String> framework) {
        GrpcConfig c = Converters.standardConverter().convert(config).to(GrpcConfig.class);
        return Settings.of(c, framework::get);
    }

    private static Settings settings(Map<String, Object> config) {
        return settings(config, Map.of());
    }

    @Test
    void defaultsListenOnLoopbackWithoutAuthentication() {
        Settings s = settings(Map.of());
        assertThat(s.address.isLoopbackAddress()).isTrue();
        assertThat(s.port).isEqualTo(50051);
        assertThat(s.token).isNull();
        assertThat(s.tls()).isFalse();
    }

    @Test
    void theStreamCapDefaultsToAGibibyteAndCannotBeNegative() {
        assertThat(settings(Map.of()).maxStreamBytes).isEqualTo(1L << 30);
        assertThat(settings(Map.of("max_stream_bytes", "0")).maxStreamBytes).isZero();
        assertThatThrownBy(() -> settings(Map.of("max_stream_bytes", "-1")))
                .hasMessageContaining("max_stream_bytes must be >= 0");
    }

    @Test
    void theLaunchersFlagsWinOverTheConfiguration() {
        Settings s = settings(
                Map.of("host", "127.0.0.2", "port", 7000),
                Map.of(Settings.HOST_PROPERTY, "127.0.0.3", Settings.PORT_PROPERTY, "0"));
        assertThat(s.host).isEqualTo("127.0.0.3");
        assertThat(s.port).isZero();
    }

    @Test
    void anyOtherAddressNeedsATokenOrMutualTls() {
        assertThatThrownBy(() -> settings(Map.of("host", "0.0.0.0")))
                .hasMessageContaining("refusing to listen on 0.0.0.0")
                .hasMessageContaining("token");
        assertThatThrownBy(() -> settings(Map.of(), Map.of(Settings.HOST_PROPERTY, "::")))
                .hasMessageContaining("refusing to listen on ::");
        assertThat(settings(Map.of("host", "0.0.0.0", "token", TOKEN)).token).isEqualTo(TOKEN);
        assertThat(settings(Map.of("host", "0.0.0.0", "token", TOKEN)).tokenInClearBeyondLoopback())
                .isTrue();
        assertThat(settings(Map.of("token", TOKEN)).tokenInClearBeyondLoopback())
                .isFalse();
    }

    @Test
    void tlsWithoutClientCertificatesIsNotAuthentication() throws IOException {
        Map<String, Object> tls =
                new HashMap<>(Map.of("host", "0.0.0.0", "tls_cert_file", file("c.pem"), "tls_key_file", file("k.pem")));
        assertThatThrownBy(() -> settings(tls)).hasMessageContaining("refusing");
        tls.put("tls_client_ca_file", file("ca.pem"));
        Settings s = settings(tls);
        assertThat(s.mutualTls()).isTrue();
    }

    @Test
    void badValuesAreNamed() throws IOException {
        assertThatThrownBy(() -> settings(Map.of("port", 70000))).hasMessageContaining("port 70000 is out of range");
        assertThatThrownBy(() -> settings(Map.of(), Map.of(Settings.PORT_PROPERTY, "http")))
                .hasMessageContaining("--grpc-port 'http' is not a number");
        assertThatThrownBy(() -> settings(Map.of("host", "no-such-host.invalid")))
                .hasMessageContaining("host 'no-such-host.invalid'");
        assertThatThrownBy(() -> settings(Map.of("token", "short"))).hasMessageContaining("at least 16");
        assertThatThrownBy(() -> settings(Map.of("token", TOKEN, "token_file", file("t"))))
                .hasMessageContaining("both token and token_file");
        assertThatThrownBy(() ->
                        settings(Map.of("token_file", dir.resolve("missing").toString())))
                .hasMessageContaining("token_file")
                .hasMessageContaining("not a readable file");
        Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(
                        () -> settings(Map.of("token_file", dir.resolve("empty").toString())))
                .hasMessageContaining("is empty");
        assertThatThrownBy(() -> settings(Map.of("tls_cert_file", file("c.pem"))))
                .hasMessageContaining("tls_key_file is missing");
        assertThatThrownBy(() -> settings(Map.of("tls_client_ca_file", file("ca.pem"))))
                .hasMessageContaining("needs the server's own");
        assertThatThrownBy(() -> settings(Map.of("max_inbound_message_bytes", 10)))
                .hasMessageContaining("max_inbound_message_bytes is 10");
        assertThatThrownBy(() -> settings(Map.of("threads", 0))).hasMessageContaining("threads");
        // retired, not a typo: an older file still starts, and is told to drop it
        assertThat(settings(Map.of("max_threads", 512)).retired)
                .contains("max_threads")
                .contains("remove it");
        assertThat(settings(Map.of()).retired).isNull();
    }

    @Test
    void theTokenFileGivesItsFirstLine() throws IOException {
        Path t = dir.resolve("token");
        Files.writeString(t, "  " + TOKEN + "  \nsecond line\n");
        assertThat(settings(Map.of("token_file", t.toString())).token).isEqualTo(TOKEN);
    }

    private String file(String name) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "x");
        return p.toString();
    }
}
