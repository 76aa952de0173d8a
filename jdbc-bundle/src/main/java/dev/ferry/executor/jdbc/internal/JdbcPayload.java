package dev.ferry.executor.jdbc.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.executor.api.InvalidPayloadException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The jdbc payload: {@code {"datasource", "query", "params", "max_rows", "timeout_seconds"}}, or
 * the seed's {@code {"dsn", "query"}} where the operator allows raw DSNs.
 */
final class JdbcPayload {
    static final Set<String> FIELDS = Set.of("datasource", "dsn", "query", "params", "max_rows", "timeout_seconds");

    // decimals stay exact all the way to the database
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    final String datasource;
    final String dsn;
    final String query;
    final List<JsonNode> params;
    final int maxRows;
    final double timeoutSeconds;

    private JdbcPayload(String datasource, String dsn, String query, List<JsonNode> params, int maxRows, double timeoutSeconds) {
        this.datasource = datasource;
        this.dsn = dsn;
        this.query = query;
        this.params = params;
        this.maxRows = maxRows;
        this.timeoutSeconds = timeoutSeconds;
    }

    static JdbcPayload parse(byte[] payload) throws InvalidPayloadException {
        JsonNode root;
        try {
            root = JSON.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new InvalidPayloadException(null, "not valid JSON: " + e.getOriginalMessage()
                    + "; send an object like {\"datasource\":\"default\",\"query\":\"select 1\"}");
        } catch (IOException e) {
            throw new InvalidPayloadException(null, "unreadable: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidPayloadException(null, "must be a JSON object like {\"datasource\":\"default\",\"query\":\"select 1\"}");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                throw new InvalidPayloadException(name, "unknown field; the jdbc payload has datasource (or dsn), query,"
                        + " params, max_rows and timeout_seconds");
            }
        }
        String datasource = text(root, "datasource");
        String dsn = text(root, "dsn");
        if (datasource == null && dsn == null) {
            throw new InvalidPayloadException("datasource", "is required: the name of a configured datasource, e.g. \"default\"");
        }
        if (datasource != null && dsn != null) {
            throw new InvalidPayloadException("dsn", "give datasource or dsn, not both");
        }
        String query = text(root, "query");
        if (query == null || query.isBlank()) {
            throw new InvalidPayloadException("query", "is required: one SQL statement, with ? for each parameter");
        }
        List<JsonNode> params = new ArrayList<>();
        JsonNode p = root.get("params");
        if (p != null && !p.isNull()) {
            if (!p.isArray()) {
                throw new InvalidPayloadException("params", "must be an array of values bound to the ? in order");
            }
            for (int i = 0; i < p.size(); i++) {
                JsonNode v = p.get(i);
                if (v.isContainerNode()) {
                    throw new InvalidPayloadException("params[" + i + "]", "must be a string, number, boolean or null");
                }
                params.add(v);
            }
        }
        int maxRows = Integer.MAX_VALUE;
        JsonNode m = root.get("max_rows");
        if (m != null && !m.isNull()) {
            if (!m.canConvertToInt() || !m.isIntegralNumber() || m.asInt() < 1) {
                throw new InvalidPayloadException("max_rows", "must be a whole number >= 1");
            }
            maxRows = m.asInt();
        }
        double timeout = 0;
        JsonNode t = root.get("timeout_seconds");
        if (t != null && !t.isNull()) {
            if (!t.isNumber() || !(t.asDouble() > 0)) {
                throw new InvalidPayloadException("timeout_seconds", "must be a number of seconds > 0");
            }
            timeout = t.asDouble();
        }
        return new JdbcPayload(datasource, dsn, query, List.copyOf(params), maxRows, timeout);
    }

    private static String text(JsonNode root, String field) throws InvalidPayloadException {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new InvalidPayloadException(field, "must be a string");
        }
        return n.asText();
    }
}
