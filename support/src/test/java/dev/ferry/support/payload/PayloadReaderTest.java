package dev.ferry.support.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.executor.api.InvalidPayloadException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every payload mistake said one way, and every value read as the executors read it. */
class PayloadReaderTest {
    private static final List<String> FIELDS = List.of("command", "args", "env", "n", "t", "params");

    /** Reads every field into a list of what it held. */
    private static List<Object> read(String json) throws InvalidPayloadException {
        List<Object> out = new ArrayList<>();
        try (PayloadReader r =
                PayloadReader.open(json.getBytes(StandardCharsets.UTF_8), "test", FIELDS, "{\"command\":\"x\"}")) {
            for (String f = r.nextField(); f != null; f = r.nextField()) {
                switch (f) {
                    case "command" -> out.add(r.text());
                    case "args" -> out.add(r.texts());
                    case "env" -> out.add(r.textMap());
                    case "n" -> out.add(r.wholeNumber());
                    case "t" -> out.add(r.number());
                    case "params" -> out.add(r.scalars());
                    default -> throw new AssertionError(f);
                }
            }
            r.end();
        }
        return out;
    }

    private static void refused(String json, String field, String problem) {
        assertThatThrownBy(() -> read(json))
                .as(json)
                .isInstanceOfSatisfying(
                        InvalidPayloadException.class,
                        e -> assertThat(e.field()).isEqualTo(field))
                .hasMessageContaining(problem);
    }

    @Test
    void valuesAreReadAsTheirKinds() throws Exception {
        assertThat(read("{\"command\":\"echo\",\"args\":[\"a\",\"b\"],\"env\":{\"A\":\"1\"},\"n\":3,\"t\":1.5,"
                        + "\"params\":[1,2.50,\"s\",true,null,123456789012345678901234567890]}"))
                .containsExactly(
                        "echo",
                        List.of("a", "b"),
                        Map.of("A", "1"),
                        3,
                        1.5,
                        java.util.Arrays.asList(
                                1L,
                                new BigDecimal("2.50"),
                                "s",
                                true,
                                null,
                                new BigDecimal("123456789012345678901234567890")));
        assertThat(read("{\"command\":null,\"args\":null}")).containsExactly(null, List.of());
    }

    @Test
    void mistakesNameTheFieldAndTheFix() {
        refused("not json", null, "not valid JSON");
        refused("[1]", null, "must be a JSON object like {\"command\":\"x\"}");
        refused(
                "{\"comand\":\"x\"}",
                "comand",
                "unknown field (did you mean command?); the test payload has only"
                        + " command, args, env, n, t and params");
        refused("{\"zzzzzz\":1}", "zzzzzz", "unknown field; the test payload");
        refused("{\"command\":\"a\",\"command\":\"b\"}", "command", "appears twice");
        refused("{\"command\":5}", "command", "must be a string, got a number");
        refused("{\"args\":\"x\"}", "args", "must be an array of strings, got a string");
        refused("{\"args\":[\"a\",{}]}", "args[1]", "must be a string, got an object");
        refused("{\"env\":{\"A\":1}}", "env.A", "must be a string, got a number");
        refused("{\"env\":{\"A\":\"1\",\"A\":\"2\"}}", "env.A", "appears twice");
        refused("{\"n\":1.5}", "n", "must be a whole number, got a number");
        refused("{\"n\":99999999999}", "n", "one too large");
        refused("{\"t\":\"5\"}", "t", "must be a number, got a string");
        refused("{\"params\":[[1]]}", "params[0]", "must be a string, number, boolean or null");
        refused("{\"command\":\"x\"} {\"command\":\"rm\"}", null, "has more after its closing brace");
        refused("{\"command\":\"x\"", null, "not valid JSON");
    }
}
