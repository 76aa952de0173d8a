package dev.ferry.worker.internal.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A text file that appends, and rotates by size: when a line would take it past {@code maxBytes}, FILE becomes
 * FILE.1, FILE.1 becomes FILE.2 ... up to FILE.{@code keep} (the oldest goes), and a new FILE starts.
 */
final class RotatingFile implements AutoCloseable {
    private final Path file;
    private final long maxBytes;
    private final int keep;
    private java.io.OutputStream out;
    private long size;

    RotatingFile(Path file, long maxBytes, int keep) throws IOException {
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        open();
    }

    private void open() throws IOException {
        // a FileOutputStream, not a channel: an interrupt of the writing thread must not close the file
        out = new java.io.BufferedOutputStream(new java.io.FileOutputStream(file.toFile(), true), 64 * 1024);
        size = Files.size(file);
    }

    /**
     * Writes one line, counted in the bytes it takes (UTF-8): a file never grows past {@code maxBytes} but by a
     * single line longer than that, which its writer keeps from happening.
     */
    void write(CharSequence line) throws IOException {
        byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
        if (size > 0 && size + bytes.length > maxBytes) {
            rotate();
        }
        out.write(bytes);
        size += bytes.length;
    }

    long maxBytes() {
        return maxBytes;
    }

    void flush() throws IOException {
        out.flush();
    }

    private void rotate() throws IOException {
        out.close();
        Files.deleteIfExists(sibling(keep));
        for (int i = keep - 1; i >= 1; i--) {
            if (Files.exists(sibling(i))) {
                Files.move(sibling(i), sibling(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file, sibling(1), StandardCopyOption.REPLACE_EXISTING);
        open();
    }

    private Path sibling(int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
