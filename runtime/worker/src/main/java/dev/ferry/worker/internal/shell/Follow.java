package dev.ferry.worker.internal.shell;

import dev.ferry.executor.api.OutputSink;
import dev.ferry.executor.api.Result;
import java.io.PrintStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A task's output on its way to a shell session: the task's threads hand chunks over, the command's own
 * thread prints them (Gogo binds a session's System.out to that thread). The hand-over holds a few chunks
 * only, so a console that prints slowly slows the task down rather than filling the worker's memory.
 */
final class Follow implements OutputSink {
    private record Chunk(Channel channel, byte[] bytes) {}

    private final BlockingQueue<Chunk> chunks = new ArrayBlockingQueue<>(16);
    private volatile boolean closed;

    @Override
    public boolean write(Channel channel, byte[] data, int offset, int length) throws InterruptedException {
        Chunk c = new Chunk(channel, java.util.Arrays.copyOfRange(data, offset, offset + length));
        // bounded waits, so a session that went away (closed) frees the task's writer
        while (!closed) {
            if (chunks.offer(c, 100, TimeUnit.MILLISECONDS)) {
                return true;
            }
        }
        return false;
    }

    /** The session stops printing (Ctrl-C): writers get false from now on. */
    void close() {
        closed = true;
        chunks.clear();
    }

    /** Prints chunks as they come until the task has its result and every chunk is out. */
    void print(CompletableFuture<Result> result, PrintStream out, PrintStream err) throws InterruptedException {
        while (true) {
            Chunk c = chunks.poll(100, TimeUnit.MILLISECONDS);
            if (c == null) {
                // the executor wrote everything before it returned: done and empty means all is printed
                if (result.isDone() && chunks.isEmpty()) {
                    return;
                }
                continue;
            }
            PrintStream to = c.channel() == Channel.STDERR ? err : out;
            to.write(c.bytes(), 0, c.bytes().length);
            to.flush();
        }
    }
}
