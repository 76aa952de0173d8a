package dev.ferry.executor.api;

/** The answer of {@link ExecutorRegistry#validate}: valid, or why not. Immutable. */
public final class Validation {
    private static final Validation VALID = new Validation(null, "");

    private final Rejection rejection;
    private final String message;

    private Validation(Rejection rejection, String message) {
        this.rejection = rejection;
        this.message = message;
    }

    /** @return the valid answer */
    public static Validation valid() {
        return VALID;
    }

    /**
     * @param rejection why it is not valid ({@link Rejection#UNKNOWN_TYPE} or
     *     {@link Rejection#INVALID_PAYLOAD})
     * @param message what is wrong and how to fix it
     * @return the invalid answer
     */
    public static Validation invalid(Rejection rejection, String message) {
        return new Validation(rejection, message);
    }

    /** @return {@code true} when the payload is valid for the type */
    public boolean isValid() {
        return rejection == null;
    }

    /** @return why it is not valid, or {@code null} when it is */
    public Rejection rejection() {
        return rejection;
    }

    /** @return what is wrong, or {@code ""} when valid */
    public String message() {
        return message;
    }

    @Override
    public String toString() {
        return isValid() ? "valid" : rejection + ": " + message;
    }
}
