package com.example.hello;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.ExecutorType;
import dev.ferry.executor.api.InvalidPayloadException;
import dev.ferry.executor.api.Prepared;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Task;
import java.io.IOException;
import java.util.Iterator;
import org.osgi.service.component.annotations.Component;

/**
 * Executor type {@code hello}: payload {@code {"name": "Ada"}}, output {@code "hello, Ada\n"}.
 *
 * <p>Everything an executor needs: the {@code executor.type} service property, and a prepare that
 * parses the payload once (naming the bad field, rejecting unknown ones) and returns what runs it.
 */
@Component
@ExecutorType("hello")
public class HelloExecutor implements Executor {
    // Each bundle has its own mapper, so no class of this bundle is cached outside it.
    private final ObjectMapper json = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @Override
    public Prepared prepare(Task task) throws InvalidPayloadException {
        String name = name(task.payload()); // parsed once, here; the registry runs what this returns
        return context -> Result.succeeded("hello, " + name + "\n");
    }

    private String name(byte[] payload) throws InvalidPayloadException {
        JsonNode root;
        try {
            root = json.readTree(payload);
        } catch (IOException e) {
            throw new InvalidPayloadException(null, "not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidPayloadException(null, "must be an object like {\"name\":\"Ada\"}");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (!field.equals("name")) {
                throw new InvalidPayloadException(field, "unknown field; the hello payload has only name");
            }
        }
        JsonNode name = root.get("name");
        if (name == null || !name.isTextual() || name.asText().isBlank()) {
            throw new InvalidPayloadException("name", "required, a non-empty string");
        }
        return name.asText();
    }
}
