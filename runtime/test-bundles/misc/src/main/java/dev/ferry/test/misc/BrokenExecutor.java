package dev.ferry.test.misc;

import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.ExecutorType;
import dev.ferry.executor.api.Prepared;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Task;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/** Type {@code broken}: its activation throws, as a buggy executor's would. */
@Component
@ExecutorType("broken")
public class BrokenExecutor implements Executor {
    @Activate
    public BrokenExecutor() {
        throw new IllegalStateException("broken on purpose");
    }

    @Override
    public Prepared prepare(Task task) {
        return context -> Result.succeeded("unreachable");
    }
}
