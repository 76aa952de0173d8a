package dev.ferry.executor.jdbc.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.ferry.executor.api.ExecutionContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.util.Arrays;

/**
 * A result set as a JSON array of objects, column label to value, with the types kept: numbers
 * stay numbers (decimals exact), booleans booleans, times ISO-8601, binary base64, NULL null.
 */
final class Rows {
    private static final JsonFactory JSON = new JsonFactory();

    final byte[] json;
    final int count;
    final boolean truncated;
    final String columns;
    final String types;

    private Rows(byte[] json, int count, boolean truncated, String columns, String types) {
        this.json = json;
        this.count = count;
        this.truncated = truncated;
        this.columns = columns;
        this.types = types;
    }

    /** Thrown when the task was stopped (deadline, cancel) while its rows were being encoded. */
    static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super("stopped", null, false, false);
        }
    }

    /** The output buffer, which can drop a row that would pass the cap after it was begun. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer(int size) {
            super(size);
        }

        void cut(int size) {
            count = size;
        }
    }

    /** Thrown inside a row whose next value would take the output past the cap. */
    private static final class Full extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Full() {
            super("full", null, false, false);
        }
    }

    /**
     * Reads at most {@code maxRows} rows and at most {@code maxBytes} of JSON; says when it stopped
     * early. The cap holds inside a row too: a value that would pass it (a 100 MB string) ends the
     * output before it is copied, and the rows so far are the answer. Checks the context between rows,
     * so a stopped task stops encoding.
     */
    static Rows read(ResultSet rs, int maxRows, int maxBytes, ExecutionContext context)
            throws SQLException, IOException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        String[] labels = new String[n];
        String[] typeNames = new String[n];
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = md.getColumnLabel(i + 1);
            types[i] = md.getColumnType(i + 1);
            typeNames[i] = md.getColumnTypeName(i + 1);
        }
        Header header = lastHeader;
        if (header == null || !header.describes(labels, typeNames)) {
            header = new Header(labels, typeNames);
            lastHeader = header;
        }
        Buffer out = new Buffer(256);
        int count = 0;
        boolean truncated = false;
        boolean full = false;
        try (JsonGenerator g = JSON.createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT)) {
            g.writeStartArray();
            while (rs.next()) {
                if (count >= maxRows) {
                    truncated = true;
                    break;
                }
                if (context.isCancelled()) {
                    throw new Stopped();
                }
                int rowStart = out.size() + g.getOutputBuffered();
                try {
                    g.writeStartObject();
                    for (int i = 0; i < n; i++) {
                        g.writeFieldName(labels[i]);
                        value(g, rs, i + 1, types[i], maxBytes - (out.size() + g.getOutputBuffered()));
                    }
                    g.writeEndObject();
                } catch (Full e) {
                    // drop the row begun (its separator included) and close the array by hand
                    g.flush();
                    out.cut(rowStart);
                    out.write(']');
                    truncated = true;
                    full = true;
                    break;
                }
                count++;
                if (out.size() + g.getOutputBuffered() >= maxBytes) {
                    truncated = rs.next();
                    break;
                }
            }
            if (!full) {
                g.writeEndArray();
            }
        }
        return new Rows(out.toByteArray(), count, truncated, header.names, header.types);
    }

    private static void value(JsonGenerator g, ResultSet rs, int i, int type, long room)
            throws SQLException, IOException {
        switch (type) {
            case Types.BIT, Types.BOOLEAN -> {
                boolean b = rs.getBoolean(i);
                writeOrNull(g, rs, () -> g.writeBoolean(b));
            }
            case Types.TINYINT, Types.SMALLINT, Types.INTEGER -> {
                int v = rs.getInt(i);
                writeOrNull(g, rs, () -> g.writeNumber(v));
            }
            case Types.BIGINT -> {
                long v = rs.getLong(i);
                writeOrNull(g, rs, () -> g.writeNumber(v));
            }
            case Types.REAL, Types.FLOAT, Types.DOUBLE -> {
                double v = rs.getDouble(i);
                writeOrNull(g, rs, () -> {
                    if (Double.isFinite(v)) {
                        g.writeNumber(v);
                    } else {
                        g.writeString(Double.toString(v)); // JSON has no NaN or Infinity
                    }
                });
            }
            case Types.NUMERIC, Types.DECIMAL -> {
                BigDecimal v = rs.getBigDecimal(i);
                if (v == null) {
                    g.writeNull();
                } else {
                    g.writeNumber(v);
                }
            }
            case Types.CLOB,
                    Types.NCLOB,
                    Types.CHAR,
                    Types.VARCHAR,
                    Types.LONGVARCHAR,
                    Types.NCHAR,
                    Types.NVARCHAR,
                    Types.LONGNVARCHAR -> {
                String v = rs.getString(i);
                if (v != null && v.length() > room) {
                    throw new Full();
                }
                text(g, v);
            }
            case Types.DATE -> text(g, rs.getObject(i, LocalDate.class));
            case Types.TIME -> text(g, rs.getObject(i, LocalTime.class));
            case Types.TIME_WITH_TIMEZONE -> text(g, rs.getObject(i, OffsetTime.class));
            case Types.TIMESTAMP -> text(g, rs.getObject(i, LocalDateTime.class));
            case Types.TIMESTAMP_WITH_TIMEZONE -> text(g, rs.getObject(i, OffsetDateTime.class));
            // JAVA_OBJECT: the bytes as stored, never deserialized (rs.getObject would run Java
            // deserialization on whatever bytes a query made up)
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB, Types.JAVA_OBJECT -> {
                byte[] b = rs.getBytes(i);
                if (b != null && b.length / 3L * 4 > room) {
                    throw new Full();
                }
                if (b == null) {
                    g.writeNull();
                } else {
                    g.writeBinary(b); // base64
                }
            }
            case Types.ARRAY -> {
                Array a = rs.getArray(i);
                if (a == null) {
                    g.writeNull();
                } else {
                    try (ResultSet elements = a.getResultSet()) {
                        int elementType = elements.getMetaData().getColumnType(2);
                        g.writeStartArray();
                        while (elements.next()) {
                            value(g, elements, 2, elementType, room - g.getOutputBuffered());
                        }
                        g.writeEndArray();
                    } finally {
                        a.free();
                    }
                }
            }
            default -> {
                // other types (PostgreSQL's json, uuid, interval, H2's intervals…) as the driver spells them; never
                // getObject, which for some types turns bytes into objects
                String v = rs.getString(i);
                if (v != null && v.length() > room) {
                    throw new Full();
                }
                text(g, v);
            }
        }
    }

    /**
     * The last result's column names and types as JSON arrays: tasks tend to repeat a query, and
     * these two strings cost more to write than a short row. Immutable, swapped whole.
     */
    private static volatile Header lastHeader;

    private static final class Header {
        final String[] labels;
        final String[] typeNames;
        final String names;
        final String types;

        Header(String[] labels, String[] typeNames) {
            this.labels = labels;
            this.typeNames = typeNames;
            this.names = array(labels);
            this.types = array(typeNames);
        }

        boolean describes(String[] l, String[] t) {
            return Arrays.equals(labels, l) && Arrays.equals(typeNames, t);
        }

        private static String array(String[] values) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < values.length; i++) {
                quote(sb.append(i == 0 ? "" : ","), values[i]);
            }
            return sb.append(']').toString();
        }
    }

    private static void quote(StringBuilder sb, String text) {
        sb.append('"')
                .append(JsonStringEncoder.getInstance().quoteAsString(text == null ? "" : text))
                .append('"');
    }

    private interface Write {
        void run() throws IOException;
    }

    private static void writeOrNull(JsonGenerator g, ResultSet rs, Write w) throws SQLException, IOException {
        if (rs.wasNull()) {
            g.writeNull();
        } else {
            w.run();
        }
    }

    private static void text(JsonGenerator g, Object o) throws IOException {
        if (o == null) {
            g.writeNull();
        } else {
            g.writeString(o.toString());
        }
    }
}
