package dev.ferry.executor.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EgressPolicyTest {
    @Test
    void numericHostsAreReadInEverySpelling() {
        byte[] metadata = {(byte) 169, (byte) 254, (byte) 169, (byte) 254};
        for (String s : new String[] {"169.254.169.254", "2852039166", "0xa9fea9fe", "0251.0376.0251.0376",
            "169.254.43518", "169.16689662", "0xa9.0xfe.0xa9.0xfe"}) {
            assertThat(EgressPolicy.numericHost(s)).as(s).isEqualTo(metadata);
        }
        assertThat(EgressPolicy.numericHost("example.com")).isNull();
        assertThat(EgressPolicy.numericHost("1.2.3.4.5")).isNull();
        assertThat(EgressPolicy.numericHost("256.1.1.1")).isNull();
        assertThat(EgressPolicy.numericHost("0day")).isNull();
    }

    @Test
    void cidrsContainTheirAddresses() throws Exception {
        Cidr c = Cidr.parse("10.1.0.0/16");
        assertThat(c.contains(java.net.InetAddress.getByName("10.1.200.3"))).isTrue();
        assertThat(c.contains(java.net.InetAddress.getByName("10.2.0.1"))).isFalse();
        assertThat(Cidr.parse("fd00:ec2::254/128").contains(java.net.InetAddress.getByName("fd00:ec2::254"))).isTrue();
        assertThat(Cidr.parse("fe80::/10").contains(java.net.InetAddress.getByName("febf::1"))).isTrue();
        assertThat(Cidr.parse("0.0.0.0/0").contains(java.net.InetAddress.getByName("::1"))).isFalse();
    }
}
