package dev.ferry.executor.api;

/**
 * Thrown by {@link Executor#prepare(Task)} when a payload is not acceptable. The message
 * names the field and the problem, and says how to fix it where that is not obvious, for example
 * {@code "args[2]: must be a string, got a number"}.
 */
public class InvalidPayloadException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String field;

    /**
     * @param field the payload field at fault (a JSON path such as {@code "args[2]"}), or
     *     {@code null} when the payload as a whole is wrong (not JSON, not an object)
     * @param problem what is wrong with it
     */
    public InvalidPayloadException(String field, String problem) {
        super(field == null ? problem : field + ": " + problem);
        this.field = field;
    }

    /** @return the field at fault, or {@code null} when the payload as a whole is wrong */
    public String field() {
        return field;
    }
}
