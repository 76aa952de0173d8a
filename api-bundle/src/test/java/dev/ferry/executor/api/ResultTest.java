package dev.ferry.executor.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ResultTest {

    @Test
    void eachStatusHasItsFactory() {
        assertThat(Result.succeeded("x").status()).isEqualTo(Status.SUCCEEDED);
        Result failed = Result.failed(2, "no such file");
        assertThat(failed.status()).isEqualTo(Status.FAILED);
        assertThat(failed.exitCode()).isEqualTo(2);
        assertThat(Result.error("cannot start").exitCode()).isEqualTo(-1);
        assertThat(Result.timedOut("deadline").status()).isEqualTo(Status.TIMED_OUT);
        assertThat(Result.cancelled("by caller").status()).isEqualTo(Status.CANCELLED);
        Result rejected = Result.rejected(Rejection.POLICY_DENIED, "blocked");
        assertThat(rejected.status()).isEqualTo(Status.REJECTED);
        assertThat(rejected.rejection()).isEqualTo(Rejection.POLICY_DENIED);
    }

    @Test
    void aRejectionAndTheRejectedStatusGoTogether() {
        assertThatThrownBy(() -> Result.builder(Status.REJECTED).error("why?").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("needs a rejection");
        assertThatThrownBy(() -> Result.builder(Status.FAILED)
                        .rejection(Rejection.OVER_CAPACITY)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only REJECTED results");
        assertThatThrownBy(() -> Result.rejected(Rejection.OVER_CAPACITY, "full").toBuilder()
                        .status(Status.TIMED_OUT)
                        .build())
                .isInstanceOf(IllegalStateException.class);
    }
}
