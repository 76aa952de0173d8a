package dev.ferry.executor.jdbc.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.ferry.executor.api.InvalidPayloadException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The jdbc payload: {@code {"datasource", "query", "params", "max_rows", "timeout_seconds"}}, or
 * the seed's {@code {"dsn", "query"}} where the operator allows raw DSNs.
 *
 * <p>Read with Jackson's streaming parser, straight into these fields: a task is often a short
 * query, and building a JSON tree first cost more than the rest of the executor's own work.
 */
final class JdbcPayload {
    // duplicate fields are caught below, by name, cheaper than the parser's own detection
    private static final JsonFactory JSON = new JsonFactory();
    private static final List<String> FIELDS = List.of("datasource", "dsn", "query", "params", "max_rows", "timeout_seconds");
    private static final String EXAMPLE = "{\"datasource\":\"default\",\"query\":\"select 1\"}";

    final String datasource;
    final String dsn;
    final String query;
    /** Bound in order: Long, BigDecimal (decimals stay exact), String, Boolean or null. */
    final List<Object> params;
    final int maxRows;
    final double timeoutSeconds;

    private JdbcPayload(String datasource, String dsn, String query, List<Object> params, int maxRows, double timeoutSeconds) {
        this.datasource = datasource;
        this.dsn = dsn;
        this.query = query;
        this.params = params;
        this.maxRows = maxRows;
        this.timeoutSeconds = timeoutSeconds;
    }

    static JdbcPayload parse(byte[] payload) throws InvalidPayloadException {
        try (JsonParser p = JSON.createParser(payload)) {
            return parse(p);
        } catch (JsonProcessingException e) {
            throw new InvalidPayloadException(null, "not valid JSON: " + e.getOriginalMessage() + "; send an object like " + EXAMPLE);
        } catch (IOException e) {
            throw new InvalidPayloadException(null, "unreadable: " + e.getMessage());
        }
    }

    private static JdbcPayload parse(JsonParser p) throws IOException, InvalidPayloadException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new InvalidPayloadException(null, "must be a JSON object like " + EXAMPLE);
        }
        String datasource = null;
        String dsn = null;
        String query = null;
        List<Object> params = List.of();
        int maxRows = Integer.MAX_VALUE;
        double timeout = 0;
        int seen = 0;
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String name = p.currentName();
            int known = FIELDS.indexOf(name);
            if (known >= 0) {
                if ((seen & 1 << known) != 0) {
                    throw new InvalidPayloadException(name, "appears twice; give it once");
                }
                seen |= 1 << known;
            }
            JsonToken value = p.nextToken();
            switch (name) {
                case "datasource":
                    datasource = text(p, value, name);
                    break;
                case "dsn":
                    dsn = text(p, value, name);
                    break;
                case "query":
                    query = text(p, value, name);
                    break;
                case "params":
                    params = params(p, value);
                    break;
                case "max_rows":
                    if (value != JsonToken.VALUE_NULL) {
                        if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT || p.getIntValue() < 1) {
                            throw new InvalidPayloadException("max_rows", "must be a whole number >= 1");
                        }
                        maxRows = p.getIntValue();
                    }
                    break;
                case "timeout_seconds":
                    if (value != JsonToken.VALUE_NULL) {
                        if (!value.isNumeric() || !(p.getDoubleValue() > 0)) {
                            throw new InvalidPayloadException("timeout_seconds", "must be a number of seconds > 0");
                        }
                        timeout = p.getDoubleValue();
                    }
                    break;
                default:
                    throw new InvalidPayloadException(name, "unknown field; the jdbc payload has datasource (or dsn), query,"
                            + " params, max_rows and timeout_seconds");
            }
        }
        if (p.nextToken() != null) {
            throw new InvalidPayloadException(null, "has more after its closing brace; send one object like " + EXAMPLE);
        }
        if (datasource == null && dsn == null) {
            throw new InvalidPayloadException("datasource", "is required: the name of a configured datasource, e.g. \"default\"");
        }
        if (datasource != null && dsn != null) {
            throw new InvalidPayloadException("dsn", "give datasource or dsn, not both");
        }
        if (query == null || query.isBlank()) {
            throw new InvalidPayloadException("query", "is required: one SQL statement, with ? for each parameter");
        }
        return new JdbcPayload(datasource, dsn, query, params, maxRows, timeout);
    }

    private static List<Object> params(JsonParser p, JsonToken t) throws IOException, InvalidPayloadException {
        if (t == JsonToken.VALUE_NULL) {
            return List.of();
        }
        if (t != JsonToken.START_ARRAY) {
            throw new InvalidPayloadException("params", "must be an array of values bound to the ? in order");
        }
        List<Object> out = new ArrayList<>(4);
        for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken()) {
            switch (v) {
                case VALUE_NULL:
                    out.add(null);
                    break;
                case VALUE_TRUE:
                case VALUE_FALSE:
                    out.add(v == JsonToken.VALUE_TRUE);
                    break;
                case VALUE_STRING:
                    out.add(p.getText());
                    break;
                case VALUE_NUMBER_INT:
                    JsonParser.NumberType type = p.getNumberType();
                    out.add(type == JsonParser.NumberType.BIG_INTEGER ? p.getDecimalValue() : (Object) p.getLongValue());
                    break;
                case VALUE_NUMBER_FLOAT:
                    out.add(p.getDecimalValue()); // exact, as written
                    break;
                default:
                    throw new InvalidPayloadException("params[" + out.size() + "]", "must be a string, number, boolean or null");
            }
        }
        return Collections.unmodifiableList(out);
    }

    private static String text(JsonParser p, JsonToken t, String field) throws IOException, InvalidPayloadException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_STRING) {
            throw new InvalidPayloadException(field, "must be a string");
        }
        return p.getText();
    }
}
