package dev.ferry.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A bearer token from configuration, as the gRPC API and the metrics endpoint take it: {@code token} inline or
 * {@code token_file} (its first line), never both, at least {@value #MIN_LENGTH} characters.
 */
public final class Tokens {
    public static final int MIN_LENGTH = 16;

    private Tokens() {}

    /**
     * @param inline the {@code token} value, blank when not set
     * @param file the {@code token_file} value, blank when not set
     * @return the token, or {@code null} when neither is set
     * @throws IllegalArgumentException naming the key and the fix
     */
    public static String read(String inline, String file) {
        String t = inline == null ? "" : inline.trim();
        boolean fromFile = file != null && !file.isBlank();
        if (!t.isEmpty() && fromFile) {
            throw new IllegalArgumentException("both token and token_file are set; keep one");
        }
        if (fromFile) {
            Path p = Path.of(file.trim());
            if (!Files.isReadable(p) || Files.isDirectory(p)) {
                throw new IllegalArgumentException(
                        "token_file " + p + " is not a readable file; fix the path or its permissions");
            }
            try {
                t = WholeFile.firstLine(p);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read token_file " + p + " (" + e.getMessage()
                        + "); make it readable by the worker's user");
            }
            if (t.isEmpty()) {
                throw new IllegalArgumentException("token_file " + p + " is empty; put the token on its first line");
            }
        }
        if (t.isEmpty()) {
            return null;
        }
        if (t.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("the token has " + t.length() + " characters; use at least " + MIN_LENGTH
                    + " (e.g. the output of 'openssl rand -hex 24')");
        }
        return t;
    }
}
