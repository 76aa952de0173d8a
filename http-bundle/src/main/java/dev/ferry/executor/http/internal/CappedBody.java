package dev.ferry.executor.http.internal;

import dev.ferry.executor.api.OutputSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A response body read up to a cap: past the cap the stream is closed, which stops the client
 * reading, so a 1 GB response never lands in memory. Read on the task's own thread from the
 * client's input stream, the client's fastest body path.
 */
final class CappedBody {
    final byte[] bytes;
    final boolean truncated;

    private CappedBody(byte[] bytes, boolean truncated) {
        this.bytes = bytes;
        this.truncated = truncated;
    }

    static CappedBody read(InputStream in, long cap) throws IOException {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        byte[] buf = new byte[16 * 1024];
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                long room = cap - kept.size();
                if (n > room) {
                    kept.write(buf, 0, (int) room);
                    return new CappedBody(kept.toByteArray(), true); // closing the stream aborts the rest
                }
                kept.write(buf, 0, n);
            }
        }
        return new CappedBody(kept.toByteArray(), false);
    }

    /**
     * Hands the body to {@code live} as it comes, keeping nothing; stops reading (closing the stream aborts
     * the rest) once the sink wants no more. The sink's own cap applies, not max_body_size: the worker never
     * holds a streamed body.
     */
    static CappedBody stream(InputStream in, OutputSink live) throws IOException, InterruptedException {
        byte[] buf = new byte[32 * 1024];
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (n > 0 && !live.write(OutputSink.Channel.OUTPUT, buf, 0, n)) {
                    break;
                }
            }
        }
        return new CappedBody(new byte[0], false);
    }
}
