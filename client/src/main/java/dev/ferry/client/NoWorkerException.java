package dev.ferry.client;

/**
 * No worker could be asked: none was reachable, none served the type healthily, or the credentials were refused
 * at the connection. Nothing ran; the task may be sent again.
 */
public class NoWorkerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what was tried and why it failed @param cause gRPC's status, when there is one */
    public NoWorkerException(String message, Throwable cause) {
        super(message, cause);
    }
}
