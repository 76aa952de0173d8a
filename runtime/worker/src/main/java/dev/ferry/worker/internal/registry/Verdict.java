package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.Prepared;
import dev.ferry.executor.api.Result;

/** What admission decided for a task: admitted (to run, or for a validation to drop) or refused. */
sealed interface Verdict permits Verdict.Admitted, Verdict.Refused {

    /**
     * Admitted: the task holds its service entry (entered) and, unless it is only validated, a
     * permit of its type; whoever receives it must run it or give both back.
     */
    record Admitted(TypeSlot slot, ServiceEntry entry, Prepared prepared) implements Verdict {
    }

    /**
     * Refused, holding nothing. {@code result} is not stamped yet; {@code entry} is the service that
     * refused it (for {@code ferry.executed_by}), null when none was chosen.
     */
    record Refused(Result result, ServiceEntry entry) implements Verdict {
    }
}
