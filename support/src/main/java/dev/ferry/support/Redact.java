package dev.ferry.support;

import java.util.regex.Pattern;

/**
 * Masks credentials written inside other values, so that a resolved secret reaches no log line, shell
 * listing or error message: the password of a URL's user ({@code postgresql://ferry:s3cr3t@db/x}), a
 * parameter whose name says it is a secret ({@code ;PASSWORD=…}, {@code ?password=…&}, {@code
 * sslpassword=…}, {@code token=…}), and the password of SQL that makes a user ({@code PASSWORD '…'},
 * {@code IDENTIFIED BY '…'}); and, anywhere, a value that a {@code $[env:…]} or {@code $[file:…]} reference
 * of this bundle's configuration resolved to ({@link Configs} remembers them here), whatever it is
 * called where it sits.
 */
public final class Redact {
    /** What a masked value is shown as. */
    public static final String MASK = "********";

    private static final Pattern USER_INFO = Pattern.compile("(://[^/:@\\s]*:)[^@/\\s]+(@)");
    private static final Pattern PARAMETER = Pattern.compile(
            "(?i)([\\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|private[_-]?key|credential)[\\w.-]*\\s*=\\s*)"
                    + "('[^']*'|\"[^\"]*\"|[^;&,\\s]+)");
    private static final Pattern SQL_PASSWORD =
            Pattern.compile("(?i)((?:password|identified\\s+by)\\s+)('(?:[^']|'')*'|\"[^\"]*\")");

    /** Values references resolved to, in this bundle (the support classes are copied into each bundle). */
    private static final java.util.Set<String> RESOLVED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static final int RESOLVED_MAX = 256;
    /** Shorter values are not masked by their text: a three-letter word would be masked all over every message. */
    private static final int RESOLVED_MIN_LENGTH = 6;

    private Redact() {}

    /** Remembers a value a configuration reference resolved to, so that {@link #inText} masks it wherever it appears. */
    static void resolved(String value) {
        if (value != null && value.length() >= RESOLVED_MIN_LENGTH && RESOLVED.size() < RESOLVED_MAX) {
            RESOLVED.add(value);
        }
    }

    /** The text with every credential written inside it masked; null stays null. */
    public static String inText(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (String secret : RESOLVED) {
            if (out.contains(secret)) {
                out = out.replace(secret, MASK);
            }
        }
        out = USER_INFO.matcher(out).replaceAll("$1" + MASK + "$2");
        out = PARAMETER.matcher(out).replaceAll("$1" + MASK);
        return SQL_PASSWORD.matcher(out).replaceAll("$1'" + MASK + "'");
    }
}
