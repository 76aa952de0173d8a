package dev.ferry.executor.api;

import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/** A task submitted with {@link ExecutorRegistry#submit}. */
@ProviderType
public interface TaskHandle {

    /** @return the task id */
    String taskId();

    /**
     * @return the outcome; completes no later than the task's deadline (with
     *     {@link Status#TIMED_OUT} if the executor has not finished), and never exceptionally
     */
    CompletionStage<Result> result();

    /**
     * Cancels the task: runs the executor's cancel hooks and completes the result with
     * {@link Status#CANCELLED}.
     *
     * @return {@code true} if this call cancelled it, {@code false} if it had already ended
     */
    boolean cancel();
}
