package dev.ferry.worker.internal.config;

import dev.ferry.support.WholeFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Looks at config.yaml and says what a look found: the file read once, whole ({@link WholeFile}: a regular
 * file of at most {@value #MAX_BYTES} bytes, not changing while read), reported only once a later look finds
 * the same bytes, so a file being written is never applied half-written. Not thread-safe: the bridge looks
 * under its lock.
 */
final class FileWatch {
    /** The most config.yaml may hold: a worker's whole configuration is a few kilobytes. */
    static final long MAX_BYTES = 1024 * 1024;

    /** What a look found. */
    sealed interface Look permits Unchanged, Absent, Refused, Content {}

    /** Nothing to do: the same as last time, or still changing. */
    enum Unchanged implements Look {
        UNCHANGED
    }

    /** There is no file. */
    enum Absent implements Look {
        ABSENT
    }

    /** A file that cannot be applied at all (not a regular file, too large, empty …), and why. */
    record Refused(String why) implements Look {}

    /** The file's text, stable since the last look. */
    record Content(String text) implements Look {}

    private final Path file;
    private byte[] seen; // the content last looked at, applied or refused
    private byte[] pending; // content that changed at the last look, applied when the next finds it the same

    FileWatch(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /**
     * @param atStart the first look: what is there is complete, taken at once
     * @param again whether the last file was refused: an unchanged file is looked at again (a conflict goes when
     *     the .cfg file does, a reference when the file it names appears)
     */
    Look look(boolean atStart, boolean again) {
        WholeFile.Outcome outcome = WholeFile.read(file, MAX_BYTES);
        if (outcome instanceof WholeFile.Refused refusal) {
            pending = null;
            return new Refused(file + " " + refusal.why());
        }
        byte[] content = outcome instanceof WholeFile.Read read ? read.bytes() : null;
        if (!atStart && Arrays.equals(content, seen) && !again) {
            pending = null;
            return Unchanged.UNCHANGED;
        }
        if (!atStart && content != null && !Arrays.equals(content, pending)) {
            pending = content; // changed since the last look: applied once a look finds it the same
            return Unchanged.UNCHANGED;
        }
        pending = null;
        seen = content;
        if (content == null) {
            return Absent.ABSENT;
        }
        String text = new String(content, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            return new Refused(file + " is empty: an empty file would drop every setting it made; delete the file to go"
                    + " back to the etc/*.cfg files and the defaults");
        }
        return new Content(text);
    }
}
