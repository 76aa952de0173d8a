package dev.ferry.executor.http.internal;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body kept up to a cap while it arrives: past the cap the subscription is cancelled,
 * so a 1 GB response never lands in memory and the connection stops reading.
 */
final class CappedBody implements HttpResponse.BodySubscriber<CappedBody.Body> {
    /** What was read. */
    static final class Body {
        final byte[] bytes;
        final boolean truncated;

        Body(byte[] bytes, boolean truncated) {
            this.bytes = bytes;
            this.truncated = truncated;
        }
    }

    private final long cap;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final CompletableFuture<Body> result = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;
    /** System.nanoTime() when the response head arrived. */
    final long firstByteNanos = System.nanoTime();

    CappedBody(long cap) {
        this.cap = cap;
    }

    @Override
    public CompletionStage<Body> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer b : buffers) {
            int room = (int) Math.min(b.remaining(), cap - kept.size());
            if (room > 0) {
                byte[] chunk = new byte[room];
                b.get(chunk);
                kept.write(chunk, 0, room);
            }
            if (b.hasRemaining()) {
                result.complete(new Body(kept.toByteArray(), true));
                subscription.cancel();
                return;
            }
        }
    }

    @Override
    public void onError(Throwable t) {
        result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
        result.complete(new Body(kept.toByteArray(), false));
    }

    /** Thrown out of the client when reading was aborted. */
    static final class Aborted extends java.io.IOException {
        private static final long serialVersionUID = 1L;
        final boolean timedOut;

        Aborted(boolean timedOut) {
            super(timedOut ? "the response did not complete in time" : "cancelled");
            this.timedOut = timedOut;
        }
    }

    /** Aborts reading (the task was cancelled or timed out): the client's send() fails at once. */
    void abort(boolean timedOut) {
        result.completeExceptionally(new Aborted(timedOut));
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}
