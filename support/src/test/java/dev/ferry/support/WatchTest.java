package dev.ferry.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WatchTest {

    /** Items are looked at until their check says done; a check that throws drops its item, not the thread. */
    @Test
    void itemsAreWatchedUntilDoneAndAFailingCheckDropsOnlyItsItem() throws Exception {
        CountDownLatch seenTwice = new CountDownLatch(1);
        AtomicInteger looks = new AtomicInteger();
        try (Watch<String> w = new Watch<>(
                "test-watch", TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(5), (item, now) -> {
                    if (item.equals("bad")) {
                        throw new IllegalStateException("boom");
                    }
                    if (looks.incrementAndGet() == 2) {
                        seenTwice.countDown();
                        return true;
                    }
                    return false;
                })) {
            w.add("bad");
            w.add("good");
            assertThat(seenTwice.await(10, TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (w.size() > 0) {
                assertThat(System.nanoTime())
                        .as("both items dropped within 10 s")
                        .isLessThan(deadline);
                Thread.sleep(1);
            }
        }
    }

    /** A batch watch sees all its items in one call per tick. */
    @Test
    void aBatchWatchSeesAllItemsAtOnce() throws Exception {
        Set<Integer> sizes = ConcurrentHashMap.newKeySet();
        CountDownLatch three = new CountDownLatch(1);
        try (Watch<Integer> w = Watch.batch(
                "test-batch", TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(5), (items, now) -> {
                    sizes.add(items.size());
                    if (items.size() == 3) {
                        items.clear();
                        three.countDown();
                    }
                })) {
            w.add(1);
            w.add(2);
            w.add(3);
            assertThat(three.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(sizes).contains(3);
    }
}
