package dev.ferry.executor.command.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads a stream to its end, keeping the first {@code cap} bytes and counting the rest. */
final class Capture {
    final byte[] bytes;
    final long total;

    private Capture(byte[] bytes, long total) {
        this.bytes = bytes;
        this.total = total;
    }

    boolean truncated() {
        return total > bytes.length;
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
