package dev.ferry.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HandOffPoolTest {
    @Test
    void jobsRunOnReusedThreadsWithinTheBound() throws Exception {
        HandOffPool pool = Threads.handOff("test-handoff", 64, 60);
        HandOffPool two = Threads.handOff("test-handoff-two", 2, 60);
        try {
            AtomicInteger ran = new AtomicInteger();
            for (int i = 0; i < 10_000; i++) {
                CountDownLatch done = new CountDownLatch(1);
                pool.execute(() -> {
                    ran.incrementAndGet();
                    done.countDown();
                });
                assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(ran).hasValue(10_000);
            // one job at a time: the thread that ran one is reused (another starts only when a job comes before the
            // last one's thread is back on the idle list)
            assertThat(pool.threads())
                    .as("threads for 10,000 jobs one after another")
                    .isLessThanOrEqualTo(8);

            CountDownLatch hold = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(2);
            for (int i = 0; i < 2; i++) {
                two.execute(() -> {
                    started.countDown();
                    awaitQuietly(hold);
                });
            }
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> two.execute(() -> {}))
                    .isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("runs 2 threads, its most");
            hold.countDown();
        } finally {
            pool.shutdown();
            two.shutdown();
        }
    }

    @Test
    void shutdownEndsIdleThreadsAtOnceAndRefusesNewJobs() throws Exception {
        HandOffPool pool = Threads.handOff("test-handoff", 4, 600);
        CountDownLatch done = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) {
            pool.execute(done::countDown);
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        pool.shutdown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pool.threads() > 0) {
            assertThat(System.nanoTime())
                    .as("idle threads end well before their keep-alive of 600 s")
                    .isLessThan(deadline);
            Thread.onSpinWait();
        }
        assertThatThrownBy(() -> pool.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
