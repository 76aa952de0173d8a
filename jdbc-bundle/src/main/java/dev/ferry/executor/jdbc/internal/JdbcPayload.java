package dev.ferry.executor.jdbc.internal;

import dev.ferry.executor.api.InvalidPayloadException;
import dev.ferry.support.payload.PayloadReader;
import java.util.List;

/**
 * The jdbc payload: {@code {"datasource", "query", "params", "max_rows", "timeout_seconds"}}, or
 * the seed's {@code {"dsn", "query"}} where the operator allows raw DSNs.
 *
 * <p>Read with {@link PayloadReader}, straight into these fields: a task is often a short query, and
 * building a JSON tree first cost more than the rest of the executor's own work.
 */
final class JdbcPayload {
    private static final List<String> FIELDS =
            List.of("datasource", "dsn", "query", "params", "max_rows", "timeout_seconds");
    private static final String EXAMPLE = "{\"datasource\":\"default\",\"query\":\"select 1\"}";

    final String datasource;
    final String dsn;
    final String query;
    /** Bound in order: Long, BigDecimal (decimals stay exact), String, Boolean or null. */
    final List<Object> params;

    final int maxRows;
    final double timeoutSeconds;

    private JdbcPayload(
            String datasource, String dsn, String query, List<Object> params, int maxRows, double timeoutSeconds) {
        this.datasource = datasource;
        this.dsn = dsn;
        this.query = query;
        this.params = params;
        this.maxRows = maxRows;
        this.timeoutSeconds = timeoutSeconds;
    }

    static JdbcPayload parse(byte[] payload) throws InvalidPayloadException {
        String datasource = null;
        String dsn = null;
        String query = null;
        List<Object> params = List.of();
        int maxRows = Integer.MAX_VALUE;
        double timeout = 0;
        try (PayloadReader r = PayloadReader.open(payload, "jdbc", FIELDS, EXAMPLE)) {
            for (String name = r.nextField(); name != null; name = r.nextField()) {
                switch (name) {
                    case "datasource" -> datasource = r.text();
                    case "dsn" -> dsn = r.text();
                    case "query" -> query = r.text();
                    case "params" -> params = r.scalars();
                    case "max_rows" -> {
                        Integer n = r.wholeNumber();
                        if (n != null) {
                            if (n < 1) {
                                throw new InvalidPayloadException("max_rows", "must be a whole number >= 1");
                            }
                            maxRows = n;
                        }
                    }
                    case "timeout_seconds" -> {
                        Double t = r.number();
                        if (t != null) {
                            if (!(t > 0)) {
                                throw new InvalidPayloadException("timeout_seconds", "must be a number of seconds > 0");
                            }
                            timeout = t;
                        }
                    }
                    default -> throw new IllegalStateException(name); // PayloadReader refuses fields not in FIELDS
                }
            }
            r.end();
        }
        if (datasource == null && dsn == null) {
            throw new InvalidPayloadException(
                    "datasource", "is required: the name of a configured datasource, e.g. \"default\"");
        }
        if (datasource != null && dsn != null) {
            throw new InvalidPayloadException("dsn", "give datasource or dsn, not both");
        }
        if (query == null || query.isBlank()) {
            throw new InvalidPayloadException("query", "is required: one SQL statement, with ? for each parameter");
        }
        return new JdbcPayload(datasource, dsn, query, params, maxRows, timeout);
    }
}
