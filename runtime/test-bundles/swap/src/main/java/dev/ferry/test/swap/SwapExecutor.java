package dev.ferry.test.swap;

import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.ExecutorType;
import dev.ferry.executor.api.InvalidPayloadException;
import dev.ferry.executor.api.Prepared;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Task;
import java.nio.charset.StandardCharsets;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Type {@code swap}: replies with its bundle's {@code Swap-Reply} header after sleeping the
 * payload's number of milliseconds (the payload is that number, or empty). Honours cancellation.
 */
@Component
@ExecutorType("swap")
public class SwapExecutor implements Executor {
    private final String reply;

    @Activate
    public SwapExecutor(BundleContext context) {
        this.reply = context.getBundle().getHeaders().get("Swap-Reply");
    }

    @Override
    public Prepared prepare(Task task) throws InvalidPayloadException {
        long millis = sleepMillis(task.payload());
        return context -> {
            if (millis > 0) {
                Thread.sleep(millis); // interrupted on cancel/timeout
            }
            return Result.succeeded(reply);
        };
    }

    private static long sleepMillis(byte[] payload) throws InvalidPayloadException {
        String text = new String(payload, StandardCharsets.UTF_8).trim();
        if (text.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new InvalidPayloadException(null, "must be a number of milliseconds, got '" + text + "'");
        }
    }
}
