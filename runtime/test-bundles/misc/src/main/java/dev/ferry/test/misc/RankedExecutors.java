package dev.ferry.test.misc;

import dev.ferry.executor.api.ExecutionContext;
import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.ExecutorType;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Task;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.propertytypes.ServiceRanking;

/** Type {@code ranked}, twice: the registry must pick the higher service.ranking. */
public final class RankedExecutors {
    private RankedExecutors() {
    }

    @Component
    @ExecutorType("ranked")
    @ServiceRanking(1)
    public static class Low implements Executor {
        @Override
        public void validate(byte[] payload) {
        }

        @Override
        public Result execute(Task task, ExecutionContext context) {
            return Result.succeeded("low");
        }
    }

    @Component
    @ExecutorType("ranked")
    @ServiceRanking(5)
    public static class High implements Executor {
        @Override
        public void validate(byte[] payload) {
        }

        @Override
        public Result execute(Task task, ExecutionContext context) {
            return Result.succeeded("high");
        }
    }
}
