package dev.ferry.worker.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BearerTokenTest {
    private final BearerToken token = new BearerToken("0123456789abcdef0123");

    @Test
    void onlyTheExactTokenPasses() {
        assertThat(token.check("Bearer 0123456789abcdef0123")).isNull();
        assertThat(token.check("bearer 0123456789abcdef0123")).isNull();
        assertThat(token.check(null)).contains("requires a bearer token");
        assertThat(token.check("Bearer ")).contains("must be 'Bearer <token>'");
        assertThat(token.check("Basic 0123456789abcdef0123")).contains("must be 'Bearer <token>'");
        assertThat(token.check("0123456789abcdef0123")).contains("must be 'Bearer <token>'");
        assertThat(token.check("Bearer 0123456789abcdef012")).isEqualTo("the bearer token is wrong");
        assertThat(token.check("Bearer 0123456789abcdef01234")).isEqualTo("the bearer token is wrong");
        assertThat(token.check("Bearer 1123456789abcdef0123")).isEqualTo("the bearer token is wrong");
    }
}
