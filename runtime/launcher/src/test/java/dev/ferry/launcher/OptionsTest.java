package dev.ferry.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void theGrpcAddressFlagsInBothSpellings() {
        Main.Options o = Main.Options.parse(new String[] {"--grpc-host", "0.0.0.0", "--grpc-port", "7000"});
        assertThat(o.grpcHost).isEqualTo("0.0.0.0");
        assertThat(o.grpcPort).isEqualTo("7000");
        o = Main.Options.parse(new String[] {"--grpc-host=::1", "--grpc-port=0"});
        assertThat(o.grpcHost).isEqualTo("::1");
        assertThat(o.grpcPort).isEqualTo("0");
        o = Main.Options.parse(new String[0]);
        assertThat(o.grpcHost).isNull();
        assertThat(o.grpcPort).isNull();
    }

    @Test
    void aBadPortIsNamed() {
        assertThatThrownBy(() -> Main.Options.parse(new String[] {"--grpc-port", "70000"}))
                .hasMessage("--grpc-port '70000' is not a port; give 0 (any free port) to 65535");
        assertThatThrownBy(() -> Main.Options.parse(new String[] {"--grpc-port=http"}))
                .hasMessageContaining("'http' is not a port");
        assertThatThrownBy(() -> Main.Options.parse(new String[] {"--grpc-port"}))
                .hasMessageContaining("--grpc-port needs a port");
        assertThatThrownBy(() -> Main.Options.parse(new String[] {"--grpc-host", "--no-shell"}))
                .hasMessageContaining("--grpc-host needs an address");
    }
}
