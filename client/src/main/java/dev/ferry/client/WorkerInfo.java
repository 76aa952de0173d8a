package dev.ferry.client;

import java.util.List;

/**
 * What one worker of a target serves ({@link FerryClient#capabilities()}).
 *
 * @param worker host:port as the client reached it
 * @param workerVersion the worker's version; empty when it could not be asked
 * @param apiVersion the executor API's version it runs
 * @param executors the types it serves
 * @param error why it could not be asked; empty when it answered
 */
public record WorkerInfo(
        String worker, String workerVersion, String apiVersion, List<Executor> executors, String error) {
    /**
     * One executor type on one worker.
     *
     * @param type the task type
     * @param bundle the bundle serving it
     * @param version the bundle's version
     * @param healthy whether it reports healthy
     * @param health its own words on its health
     * @param inFlight tasks of the type running there now
     */
    public record Executor(String type, String bundle, String version, boolean healthy, String health, int inFlight) {}
}
