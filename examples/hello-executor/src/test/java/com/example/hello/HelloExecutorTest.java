package com.example.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ferry.executor.api.DirectExecutionContext;
import dev.ferry.executor.api.InvalidPayloadException;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HelloExecutorTest {
    private final HelloExecutor executor = new HelloExecutor();

    @Test
    void greetsByName() throws Exception {
        Result r = executor.prepare(Task.of("hello", "{\"name\":\"Ada\"}")).execute(DirectExecutionContext.withTimeout(Duration.ofSeconds(5)));
        assertEquals(Status.SUCCEEDED, r.status());
        assertEquals("hello, Ada\n", r.outputAsString());
    }

    @Test
    void namesTheBadField() {
        InvalidPayloadException e = assertThrows(InvalidPayloadException.class,
                () -> executor.prepare(new Task("t", "t", "{\"nmae\":\"Ada\"}".getBytes(), null)));
        assertEquals("nmae", e.field());
        assertThrows(InvalidPayloadException.class, () -> executor.prepare(new Task("t", "t", "{\"name\":3}".getBytes(), null)));
        assertThrows(InvalidPayloadException.class, () -> executor.prepare(new Task("t", "t", "[]".getBytes(), null)));
    }
}
