package dev.ferry.executor.command.internal;

import dev.ferry.executor.api.OutputSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a stream to its end, keeping the first {@code cap} bytes and counting the rest; or, for a task
 * whose output is taken live, handing every read to the sink and keeping nothing.
 */
final class Capture {
    /** The most one write to a live sink carries: a gRPC stream's chunk. */
    static final int STREAM_BUFFER = 256 * 1024;

    final byte[] bytes;
    final long total;

    private Capture(byte[] bytes, long total) {
        this.bytes = bytes;
        this.total = total;
    }

    boolean truncated() {
        return total > bytes.length;
    }

    /**
     * Hands everything read to {@code live} as it comes, to the end of the stream: a program must never block on
     * a full pipe, and a sink that wants no more (its cap, a client gone) drops what it gets at once, counting it.
     * A sink that blocks (a slow client) blocks the reading, and so the program, which is the point.
     */
    static Capture stream(InputStream in, OutputSink live, OutputSink.Channel channel)
            throws IOException, InterruptedException {
        byte[] buf = new byte[STREAM_BUFFER];
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                // what the pipe holds already goes in the same write: fewer, fuller chunks when output is plentiful,
                // and no wait for more when it is not (live output is never held back)
                for (int more; n < buf.length && in.available() > 0 && (more = in.read(buf, n, buf.length - n)) > 0; ) {
                    n += more;
                }
                if (n > 0) {
                    live.write(channel, buf, 0, n);
                }
            }
        }
        return new Capture(new byte[0], 0); // nothing kept: the sink counts what it sent
    }

    static Capture read(InputStream in, int cap) throws IOException {
        ByteArrayOutputStream kept = new ByteArrayOutputStream(Math.min(cap, 8192));
        byte[] buf = new byte[8192];
        long total = 0;
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                int room = (int) Math.max(0, Math.min(n, cap - total));
                if (room > 0) {
                    kept.write(buf, 0, room);
                }
                total += n;
            }
        }
        return new Capture(kept.toByteArray(), total);
    }
}
