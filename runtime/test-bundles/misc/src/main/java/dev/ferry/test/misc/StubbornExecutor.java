package dev.ferry.test.misc;

import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.ExecutorType;
import dev.ferry.executor.api.Prepared;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Task;
import org.osgi.service.component.annotations.Component;

/** Type {@code stubborn}: spins for 3 s ignoring its deadline, hooks and interrupts. */
@Component
@ExecutorType("stubborn")
public class StubbornExecutor implements Executor {
    @Override
    public Prepared prepare(Task task) {
        return context -> stubborn();
    }

    private static Result stubborn() {
        long end = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
            Thread.interrupted(); // swallow: this executor ignores everything
        }
        return Result.succeeded("finished anyway");
    }
}
