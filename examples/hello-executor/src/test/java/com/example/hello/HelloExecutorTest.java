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
        Result r = executor.execute(Task.of("hello", "{\"name\":\"Ada\"}"),
                DirectExecutionContext.withTimeout(Duration.ofSeconds(5)));
        assertEquals(Status.SUCCEEDED, r.status());
        assertEquals("hello, Ada\n", r.outputAsString());
    }

    @Test
    void namesTheBadField() {
        InvalidPayloadException e = assertThrows(InvalidPayloadException.class,
                () -> executor.validate("{\"nmae\":\"Ada\"}".getBytes()));
        assertEquals("nmae", e.field());
        assertThrows(InvalidPayloadException.class, () -> executor.validate("{\"name\":3}".getBytes()));
        assertThrows(InvalidPayloadException.class, () -> executor.validate("[]".getBytes()));
    }
}
