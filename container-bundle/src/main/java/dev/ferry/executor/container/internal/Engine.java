package dev.ferry.executor.container.internal;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Docker Engine API (v1.41, which Docker and Podman's compatible service both serve) over its
 * unix socket: HTTP/1.1, one connection per call, with Java's own unix-domain sockets (no native
 * code). Only what the container executor calls: it is not a general client.
 */
final class Engine {
    static final String API = "/v1.41";
    /** Largest JSON answer read whole (an inspect, a list): the engine's answers are small. */
    private static final int MAX_ANSWER = 8 * 1024 * 1024;

    /** How long one call may take unless its caller says otherwise (a create, a start, an inspect, a removal). */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final Path socket;
    /** Where each call's deadline is kept: its connection is closed when it passes. Null: calls without deadlines. */
    private final ScheduledExecutorService timers;

    /** An engine whose calls have no deadline: for tests and tools that bound their own time. */
    Engine(Path socket) {
        this(socket, null);
    }

    /** @param timers the executor's timer thread, which ends a call that outlives its deadline */
    Engine(Path socket, ScheduledExecutorService timers) {
        this.socket = socket;
        this.timers = timers;
    }

    Path socket() {
        return socket;
    }

    /** An answer read whole. */
    record Answer(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        boolean ok() {
            return status >= 200 && status < 300;
        }

        /** The engine's own message ({"message": "..."}), or the body. */
        String message() {
            try {
                Object message = Json.at(Json.read(body), "message");
                if (message != null) {
                    return message.toString();
                }
            } catch (IOException e) {
                // not JSON: the body as it is
            }
            return text().strip();
        }
    }

    /** The engine cannot be reached at all (no socket, nothing listening): what health reports, not a task's fault. */
    static final class Unreachable extends IOException {
        private static final long serialVersionUID = 1L;

        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A call in progress: its status, and its body as it comes (chunked or not), or after an upgrade the raw stream. */
    static final class Exchange implements AutoCloseable {
        final int status;
        final InputStream body;
        final OutputStream out;
        private final SocketChannel channel;

        Exchange(int status, InputStream body, OutputStream out, SocketChannel channel) {
            this.status = status;
            this.body = body;
            this.out = out;
            this.channel = channel;
        }

        /** Ends what the worker sends (the container's stdin sees end of file); the answer still comes. */
        void shutdownOutput() throws IOException {
            channel.shutdownOutput();
        }

        @Override
        public void close() throws IOException {
            channel.close(); // also how a blocked read is ended from another thread
        }
    }

    /** One call, answered within {@link #CALL_TIMEOUT}. */
    Answer call(String method, String path, byte[] json) throws IOException {
        return call(method, path, json, CALL_TIMEOUT);
    }

    /**
     * One call whose whole answer must arrive within {@code within}: past it, its connection is closed and the
     * call fails naming what the engine did not answer (a hung engine never holds a task or a removal forever).
     */
    Answer call(String method, String path, byte[] json, Duration within) throws IOException {
        AtomicReference<SocketChannel> open = new AtomicReference<>();
        AtomicBoolean expired = new AtomicBoolean();
        ScheduledFuture<?> alarm = null;
        if (timers != null) {
            try {
                alarm = timers.schedule(
                        () -> {
                            expired.set(true);
                            SocketChannel channel = open.get();
                            if (channel != null) {
                                closeQuietly(channel);
                            }
                        },
                        within.toNanos(),
                        TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                // the executor is stopping (its last removals): the call goes on without a timer
            }
        }
        try (Exchange x = open(method, path, json, false, channel -> {
            open.set(channel);
            if (expired.get()) {
                closeQuietly(channel); // the deadline passed before the connection was made
            }
        })) {
            return new Answer(x.status, readAll(x.body, MAX_ANSWER));
        } catch (IOException e) {
            if (expired.get()) {
                throw new IOException(
                        "the engine at " + socket + " did not answer " + method + " " + path + " within "
                                + within.toMillis() + " ms; is it overloaded or hung?",
                        e);
            }
            throw e;
        } finally {
            if (alarm != null) {
                alarm.cancel(false);
            }
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close(); // also how a blocked read is ended from another thread
        } catch (IOException e) {
            // closing is how the call is ended; the caller reports it
        }
    }

    /**
     * @param upgrade ask for the raw stream (attach): after the answer's head the connection carries the
     *     container's streams both ways
     */
    Exchange open(String method, String path, byte[] json, boolean upgrade) throws IOException {
        return open(method, path, json, upgrade, channel -> {});
    }

    /** @param opened told the connection before anything is sent or read, so a deadline can end it */
    private Exchange open(
            String method, String path, byte[] json, boolean upgrade, java.util.function.Consumer<SocketChannel> opened)
            throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        opened.accept(channel);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            OutputStream out = Channels.newOutputStream(channel);
            StringBuilder head = new StringBuilder();
            head.append(method)
                    .append(' ')
                    .append(API)
                    .append(path)
                    .append(" HTTP/1.1\r\n")
                    .append("Host: docker\r\nUser-Agent: ferry-worker\r\n");
            if (upgrade) {
                head.append("Connection: Upgrade\r\nUpgrade: tcp\r\n");
            } else {
                head.append("Connection: close\r\n");
            }
            if (json != null) {
                head.append("Content-Type: application/json\r\nContent-Length: ")
                        .append(json.length)
                        .append("\r\n");
            } else if (!method.equals("GET") && !method.equals("DELETE")) {
                head.append("Content-Length: 0\r\n");
            }
            head.append("\r\n");
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            if (json != null) {
                out.write(json);
            }
            out.flush();
            InputStream in = new BufferedInputStream(Channels.newInputStream(channel), 16 * 1024);
            String status = line(in);
            String[] parts = status.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("the engine at " + socket + " did not answer HTTP: '" + status + "'");
            }
            int code = Integer.parseInt(parts[1]);
            long length = -1;
            boolean chunked = false;
            for (String h = line(in); !h.isEmpty(); h = line(in)) {
                int colon = h.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).trim();
                if (name.equals("content-length")) {
                    length = Long.parseLong(value);
                } else if (name.equals("transfer-encoding")
                        && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                    chunked = true;
                }
            }
            InputStream body;
            if (code == 101 || (upgrade && code == 200)) {
                body = in; // the raw stream
            } else if (chunked) {
                body = new Chunked(in);
            } else if (length >= 0) {
                body = new Limited(in, length);
            } else {
                body = in; // until the engine closes the connection
            }
            return new Exchange(code, body, out, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            if (e instanceof java.net.SocketException
                    || e instanceof java.nio.file.NoSuchFileException
                    || e instanceof java.net.ConnectException) {
                throw new Unreachable(
                        "cannot reach the engine at " + socket + ": " + e.getMessage() + "; start Docker or"
                                + " Podman's service there, or point docker_host of " + ContainerConfig.PID
                                + " at its socket",
                        e);
            }
            throw e;
        }
    }

    static byte[] readAll(InputStream in, int max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) > 0; ) {
            if (out.size() + n > max) {
                throw new IOException("the engine's answer is larger than " + max + " bytes");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new EOFException("the engine closed the connection mid-answer");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
            if (sb.length() > 16 * 1024) {
                throw new IOException("the engine sent a header line longer than 16 KiB");
            }
        }
        return sb.toString();
    }

    /** A body read in blocks; a single byte is a block of one. */
    private abstract static class Body extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }
    }

    /** A body of a known length. */
    private static final class Limited extends Body {
        private final InputStream in;
        private long left;

        Limited(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("the engine's answer ended " + left + " bytes early");
            }
            left -= n;
            return n;
        }
    }

    /** HTTP/1.1 chunked transfer coding. */
    private static final class Chunked extends Body {
        private final InputStream in;
        private long left; // of the current chunk
        private boolean done;

        Chunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                String size = line(in);
                int semi = size.indexOf(';');
                left = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
                if (left == 0) {
                    for (String trailer = line(in); !trailer.isEmpty(); trailer = line(in)) {
                        // trailers: none expected, skipped
                    }
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("the engine's chunked answer ended early");
            }
            left -= n;
            if (left == 0) {
                line(in); // the CRLF after the chunk
            }
            return n;
        }
    }
}
