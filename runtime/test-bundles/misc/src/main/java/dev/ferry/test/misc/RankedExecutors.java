package dev.ferry.test.misc;

import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.ExecutorType;
import dev.ferry.executor.api.Prepared;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Task;
import org.osgi.service.component.annotations.Component;

/** Type {@code ranked}, twice: the registry must pick the higher service.ranking. */
public final class RankedExecutors {
    private RankedExecutors() {}

    @ExecutorType("ranked")
    @Component(property = "service.ranking:Integer=1")
    public static class Low implements Executor {
        @Override
        public Prepared prepare(Task task) {
            return context -> Result.succeeded("low");
        }
    }

    @ExecutorType("ranked")
    @Component(property = "service.ranking:Integer=5")
    public static class High implements Executor {
        @Override
        public Prepared prepare(Task task) {
            return context -> Result.succeeded("high");
        }
    }
}
