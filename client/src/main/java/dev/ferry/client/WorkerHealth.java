package dev.ferry.client;

/**
 * One worker's grpc.health.v1 answer for a type ({@link FerryClient#health(String)}).
 *
 * @param worker host:port as the client reached it
 * @param service the health entry asked: {@code executor.<type>}, or {@code ""} for the worker itself
 * @param status SERVING, NOT_SERVING, UNKNOWN (not served there: NOT_FOUND) or UNREACHABLE
 * @param error what failed when it could not be asked; empty otherwise
 */
public record WorkerHealth(String worker, String service, String status, String error) {
    /** @return whether the worker takes the type's tasks now */
    public boolean serving() {
        return "SERVING".equals(status);
    }
}
