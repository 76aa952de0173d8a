package dev.ferry.features;

import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * For a class whose tests are steps of one story (ordered, sharing one Karaf): once a step fails, the
 * steps after it are not run but reported as skipped, naming the step that failed. A broken first step
 * then reads as one failure with its own message, not as six unrelated ones that follow from it.
 */
final class StopAtFirstFailure implements TestWatcher, ExecutionCondition {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(StopAtFirstFailure.class);
    private static final String FAILED = "failed step";

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        ExtensionContext.Store store = store(context);
        if (store.get(FAILED) == null) {
            store.put(FAILED, context.getDisplayName() + ": " + firstLine(cause));
        }
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            return ConditionEvaluationResult.enabled("a class runs its steps");
        }
        String failed = store(context).get(FAILED, String.class);
        return failed == null
                ? ConditionEvaluationResult.enabled("no step failed before this one")
                : ConditionEvaluationResult.disabled(
                        "not run: an earlier step failed, and this one builds on it (" + failed + ")");
    }

    /** The class's store: one per test class, shared by its methods. */
    private static ExtensionContext.Store store(ExtensionContext context) {
        ExtensionContext classContext =
                context.getTestMethod().isPresent() ? context.getParent().orElseThrow() : context;
        return classContext.getStore(NS);
    }

    private static String firstLine(Throwable cause) {
        String message = Optional.ofNullable(cause.getMessage())
                .orElse(cause.getClass().getName())
                .strip();
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
