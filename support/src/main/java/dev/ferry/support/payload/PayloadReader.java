package dev.ferry.support.payload;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.ferry.executor.api.InvalidPayloadException;
import dev.ferry.support.Configs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a payload object field by field with Jackson's streaming parser, straight into the executor's
 * own fields (no tree, no data binding: one strategy for every Ferry payload, and the cheapest). It
 * says every payload mistake the same way: not JSON, not an object, an unknown field (naming the
 * nearest known one), a field given twice, a value of the wrong kind, something after the closing
 * brace.
 *
 * <pre>
 * try (PayloadReader r = PayloadReader.open(payload, "command", FIELDS, EXAMPLE)) {
 *     for (String field = r.nextField(); field != null; field = r.nextField()) {
 *         switch (field) {
 *             case "command" -&gt; command = r.text();
 *             case "args" -&gt; args = r.texts();
 *         }
 *     }
 *     r.end();
 * }
 * </pre>
 */
public final class PayloadReader implements AutoCloseable {
    // one factory per bundle revision (this class is copied into each bundle): nothing shared across
    // bundles; its canonical field names make a short payload a third cheaper to read than without
    private static final JsonFactory JSON = new JsonFactory();

    private final JsonParser p;
    private final String kind;
    private final List<String> fields;
    private final String example;
    private long seen;
    private String field;
    private JsonToken value;

    private PayloadReader(JsonParser p, String kind, List<String> fields, String example) {
        this.p = p;
        this.kind = kind;
        this.fields = fields;
        this.example = example;
    }

    /**
     * @param payload the payload bytes
     * @param kind the task type, for messages ("the command payload has only …")
     * @param fields every field the payload may have (at most 64)
     * @param example a short valid payload, shown when the payload is not an object
     * @return a reader positioned inside the object
     * @throws InvalidPayloadException when the payload is not JSON or not an object
     */
    public static PayloadReader open(byte[] payload, String kind, List<String> fields, String example)
            throws InvalidPayloadException {
        JsonParser p = null;
        try {
            p = JSON.createParser(payload);
            PayloadReader r = new PayloadReader(p, kind, fields, example);
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new InvalidPayloadException(null, "must be a JSON object like " + example);
            }
            return r;
        } catch (InvalidPayloadException e) {
            closeQuietly(p);
            throw e;
        } catch (IOException e) {
            closeQuietly(p);
            throw notJson(e, example);
        }
    }

    /**
     * @return the next field's name, with the parser on its value; null at the closing brace
     * @throws InvalidPayloadException for an unknown field or one given twice
     */
    public String nextField() throws InvalidPayloadException {
        try {
            JsonToken t = p.nextToken();
            if (t == JsonToken.END_OBJECT) {
                field = null;
                return null;
            }
            String name = p.currentName();
            int known = fields.indexOf(name);
            if (known < 0) {
                String near = Configs.nearest(name, fields);
                throw new InvalidPayloadException(
                        name,
                        "unknown field" + (near == null ? "" : " (did you mean " + near + "?)") + "; the " + kind
                                + " payload has only " + list(fields));
            }
            if ((seen & 1L << known) != 0) {
                throw new InvalidPayloadException(name, "appears twice; give it once");
            }
            seen |= 1L << known;
            field = name;
            value = p.nextToken();
            return name;
        } catch (IOException e) {
            throw notJson(e, example);
        }
    }

    /** @return whether the current field's value is JSON null */
    public boolean isNull() {
        return value == JsonToken.VALUE_NULL;
    }

    /** @return the current field's string value, or null for JSON null */
    public String text() throws InvalidPayloadException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_STRING) {
            throw new InvalidPayloadException(field, "must be a string, got " + kind(value));
        }
        return read(JsonParser::getText);
    }

    /** @return the current field's array of strings (empty for JSON null); elements named {@code field[i]} */
    public List<String> texts() throws InvalidPayloadException {
        if (value == JsonToken.VALUE_NULL) {
            return List.of();
        }
        if (value != JsonToken.START_ARRAY) {
            throw new InvalidPayloadException(field, "must be an array of strings, got " + kind(value));
        }
        List<String> out = new ArrayList<>();
        for (JsonToken t = next(); t != JsonToken.END_ARRAY; t = next()) {
            if (t != JsonToken.VALUE_STRING) {
                throw new InvalidPayloadException(
                        field + "[" + out.size() + "]", "must be a string, got " + kind(t) + "; quote numbers (\"5\")");
            }
            out.add(read(JsonParser::getText));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The current field's object, each value a string or (with {@code arrays}) an array of strings, in
     * order; empty for JSON null. Entries are named {@code field.key}.
     */
    public List<Map.Entry<String, String>> textEntries(boolean arrays) throws InvalidPayloadException {
        if (value == JsonToken.VALUE_NULL) {
            return List.of();
        }
        if (value != JsonToken.START_OBJECT) {
            throw new InvalidPayloadException(
                    field,
                    "must be an object of strings" + (arrays ? " (or arrays of strings)" : "") + ", got "
                            + kind(value));
        }
        List<Map.Entry<String, String>> out = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (JsonToken t = next(); t != JsonToken.END_OBJECT; t = next()) {
            String name = read(JsonParser::currentName);
            String entry = field + "." + name;
            if (!names.add(name)) {
                throw new InvalidPayloadException(entry, "appears twice; give it once");
            }
            JsonToken v = next();
            if (v == JsonToken.VALUE_STRING) {
                out.add(Map.entry(name, read(JsonParser::getText)));
            } else if (arrays && v == JsonToken.START_ARRAY) {
                for (JsonToken e = next(); e != JsonToken.END_ARRAY; e = next()) {
                    if (e != JsonToken.VALUE_STRING) {
                        throw new InvalidPayloadException(
                                entry, "must be a string or an array of strings, got " + kind(e));
                    }
                    out.add(Map.entry(name, read(JsonParser::getText)));
                }
            } else {
                throw new InvalidPayloadException(
                        entry, "must be a string" + (arrays ? " or an array of strings" : "") + ", got " + kind(v));
            }
        }
        return out;
    }

    /** @return the current field's object of strings as a map in order; empty for JSON null */
    public Map<String, String> textMap() throws InvalidPayloadException {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : textEntries(false)) {
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /** @return the current field's number, or null for JSON null */
    public Double number() throws InvalidPayloadException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (!value.isNumeric()) {
            throw new InvalidPayloadException(field, "must be a number, got " + kind(value));
        }
        return read(JsonParser::getDoubleValue);
    }

    /** @return the current field's whole number (fits an int), or null for JSON null */
    public Integer wholeNumber() throws InvalidPayloadException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_NUMBER_INT || read(JsonParser::getNumberType) != JsonParser.NumberType.INT) {
            throw new InvalidPayloadException(
                    field,
                    "must be a whole number, got "
                            + (value == JsonToken.VALUE_NUMBER_INT ? "one too large" : kind(value)));
        }
        return read(JsonParser::getIntValue);
    }

    /**
     * @return the current field's array of scalars, in order: Long (or BigDecimal past long), BigDecimal
     *     for decimals (exact, as written), String, Boolean or null; empty for JSON null
     */
    public List<Object> scalars() throws InvalidPayloadException {
        if (value == JsonToken.VALUE_NULL) {
            return List.of();
        }
        if (value != JsonToken.START_ARRAY) {
            throw new InvalidPayloadException(field, "must be an array of values, got " + kind(value));
        }
        List<Object> out = new ArrayList<>(4);
        for (JsonToken v = next(); v != JsonToken.END_ARRAY; v = next()) {
            switch (v) {
                case VALUE_NULL -> out.add(null);
                case VALUE_TRUE, VALUE_FALSE -> out.add(v == JsonToken.VALUE_TRUE);
                case VALUE_STRING -> out.add(read(JsonParser::getText));
                case VALUE_NUMBER_INT ->
                    out.add(
                            read(JsonParser::getNumberType) == JsonParser.NumberType.BIG_INTEGER
                                    ? read(JsonParser::getDecimalValue)
                                    : (Object) read(JsonParser::getLongValue));
                case VALUE_NUMBER_FLOAT -> out.add(read(JsonParser::getDecimalValue));
                default ->
                    throw new InvalidPayloadException(
                            field + "[" + out.size() + "]",
                            "must be a string, number, boolean or null, got " + kind(v));
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** Checks nothing follows the closing brace. */
    public void end() throws InvalidPayloadException {
        try {
            if (p.nextToken() != null) {
                throw new InvalidPayloadException(
                        null, "has more after its closing brace; send one object like " + example);
            }
        } catch (IOException e) {
            throw new InvalidPayloadException(
                    null, "has more after its closing brace; send one object like " + example);
        }
    }

    @Override
    public void close() {
        closeQuietly(p);
    }

    /** A parser call; given as an unbound reference ({@code JsonParser::getText}), which captures nothing. */
    private interface Call<T> {
        T on(JsonParser parser) throws IOException;
    }

    // One allocation-free helper: a reference such as JsonParser::getText captures nothing, so the JVM keeps a
    // single instance of it; a bound one (p::getText) would be a new object for every value of every task.
    private <T> T read(Call<T> call) throws InvalidPayloadException {
        try {
            return call.on(p);
        } catch (IOException e) {
            throw notJson(e, example);
        }
    }

    private JsonToken next() throws InvalidPayloadException {
        return read(JsonParser::nextToken);
    }

    private static InvalidPayloadException notJson(IOException e, String example) {
        String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        return new InvalidPayloadException(null, "not valid JSON: " + why + "; send one object like " + example);
    }

    private static String kind(JsonToken t) {
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "a string";
            case VALUE_NULL -> "null";
            default -> t.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String list(List<String> names) {
        if (names.size() == 1) {
            return names.get(0);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }

    private static void closeQuietly(JsonParser p) {
        if (p != null) {
            try {
                p.close();
            } catch (IOException e) {
                // a parser over a byte array holds nothing to lose
            }
        }
    }
}
