package dev.ferry.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A file the worker acts on (config.yaml, a jar in deploy/, a secret), read once and whole, so that what
 * is checked is what is used: refused when it is not a regular file (a FIFO would block the reader, a
 * device such as /dev/zero never ends), larger than the reader takes, or changing while it is read. The
 * size is known before a byte is read and the read stops one byte past the limit, so no file can make the
 * worker hold more than the limit in memory.
 */
public final class WholeFile {
    private WholeFile() {}

    /** What reading a file gave: its bytes, nothing (it is not there), or why it is refused. */
    public sealed interface Outcome permits Read, Absent, Refused {}

    /** The whole file, as it was when read, and its modification time in milliseconds then. */
    public record Read(byte[] bytes, long modifiedMillis) implements Outcome {}

    /** There is no such file. */
    public record Absent() implements Outcome {}

    /** Not read, or read and refused; {@code why} completes a sentence that begins with the file's name. */
    public record Refused(String why) implements Outcome {}

    /** What a file that is not a regular file is, in words. */
    private static String kind(Path file, BasicFileAttributes attributes) {
        if (attributes.isDirectory()) {
            return "a folder";
        }
        try {
            int mode = (Integer) Files.getAttribute(file, "unix:mode");
            switch (mode & 0170000) {
                case 0010000:
                    return "a FIFO";
                case 0020000:
                    return "a character device";
                case 0060000:
                    return "a block device";
                case 0140000:
                    return "a socket";
                default:
                    break;
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            // no unix view here: said in general terms
        }
        return "a FIFO, socket or device";
    }

    /** The most a file holding one secret (a token, a password) may hold. */
    public static final int SECRET_MAX_BYTES = 64 * 1024;

    /**
     * The first line of a file holding a secret (a token, a password), trimmed: read whole as {@link #read} reads,
     * so a link to /dev/zero or a FIFO named as a secret file is refused, not read forever.
     *
     * @throws IOException saying why the file gave nothing
     */
    public static String firstLine(Path file) throws IOException {
        Outcome o = read(file, SECRET_MAX_BYTES);
        if (o instanceof Read r) {
            String text = new String(r.bytes(), java.nio.charset.StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            return (nl < 0 ? text : text.substring(0, nl)).trim();
        }
        if (o instanceof Refused refused) {
            throw new IOException(file + " " + refused.why());
        }
        throw new NoSuchFileException(file.toString(), null, "does not exist");
    }

    /**
     * Reads the file (following symbolic links, as a Kubernetes ConfigMap's files are links) whole.
     *
     * @param file the file
     * @param maxBytes the most it may hold
     * @return what became of it
     */
    public static Outcome read(Path file, long maxBytes) {
        BasicFileAttributes before;
        try {
            before = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return new Absent();
        } catch (IOException e) {
            return new Refused("cannot be read (" + e + "); fix its permissions");
        }
        if (!before.isRegularFile()) {
            return new Refused("is not a regular file (" + kind(file, before) + "); only a plain file is read");
        }
        if (before.size() > maxBytes) {
            return new Refused("is " + before.size() + " bytes, more than the " + maxBytes + " bytes it may hold");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        } catch (NoSuchFileException e) {
            return new Absent();
        } catch (IOException e) {
            return new Refused("cannot be read (" + e + ")");
        }
        if (bytes.length > maxBytes) {
            return new Refused("grew past the " + maxBytes + " bytes it may hold while it was read");
        }
        BasicFileAttributes after;
        try {
            after = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            return new Refused("changed while it was read (" + e.getMessage() + "); it is read again once it is still");
        }
        if (after.size() != bytes.length
                || !after.lastModifiedTime().equals(before.lastModifiedTime())
                || !java.util.Objects.equals(after.fileKey(), before.fileKey())) {
            return new Refused("changed while it was read; it is read again once it is still");
        }
        return new Read(bytes, after.lastModifiedTime().toMillis());
    }
}
