package dev.ferry.worker.grpc.internal;

import java.util.Map;

/**
 * Bounds on the small fields of a request. Without them a 100 KB task_type came back inside an
 * error's status message, past what a client accepts in trailers, and wedged the connection; an
 * error never repeats an oversized field, it says how long it was.
 */
final class Limits {
    static final int MAX_TYPE = 128;
    static final int MAX_ID = 256;
    static final int MAX_METADATA_ENTRIES = 64;
    static final int MAX_METADATA_KEY = 256;
    static final int MAX_METADATA_VALUE = 4096;

    private Limits() {}

    /** @return null when the fields are within bounds, else what is wrong, without repeating the field */
    static String problem(String type, String id, Map<String, String> metadata) {
        if (type.length() > MAX_TYPE) {
            return "task_type is " + type.length() + " characters long; executor types have at most " + MAX_TYPE;
        }
        if (!printable(type)) {
            return "task_type holds control, format or line-separator characters; executor types are names such as"
                    + " \"command\"";
        }
        if (id.length() > MAX_ID) {
            return "task_id is " + id.length() + " characters long; at most " + MAX_ID;
        }
        if (!printable(id)) {
            return "task_id holds control, format or line-separator characters (such as ESC, U+202E or U+2028), which"
                    + " would change how logs and the audit trail show it; use printable characters";
        }
        if (metadata.size() > MAX_METADATA_ENTRIES) {
            return "metadata has " + metadata.size() + " entries; at most " + MAX_METADATA_ENTRIES;
        }
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (e.getKey().length() > MAX_METADATA_KEY) {
                return "a metadata key is " + e.getKey().length() + " characters long; at most " + MAX_METADATA_KEY;
            }
            if (e.getValue().length() > MAX_METADATA_VALUE) {
                return "metadata '" + e.getKey() + "' is " + e.getValue().length() + " characters long; at most "
                        + MAX_METADATA_VALUE;
            }
        }
        return null;
    }

    /**
     * Whether a string shows as what it is: no control characters (ESC, CR, LF …), no format characters (the
     * bidirectional overrides U+202A–U+202E and isolates U+2066–U+2069 that reverse how a line reads,
     * zero-width characters), no line or paragraph separators (U+2028, U+2029), no lone surrogate.
     */
    static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (Character.getType(c)) {
                case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR:
                    return false;
                case Character.SURROGATE:
                    if (Character.isHighSurrogate(c)
                            && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        if (Character.getType(s.codePointAt(i)) == Character.FORMAT) {
                            return false; // a format character outside the first plane (the U+E0001 tags)
                        }
                        i++;
                        break;
                    }
                    return false;
                default:
                    break;
            }
        }
        return true;
    }
}
