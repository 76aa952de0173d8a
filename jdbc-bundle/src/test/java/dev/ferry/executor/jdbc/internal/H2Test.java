package dev.ferry.executor.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.executor.api.DirectExecutionContext;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

class H2Test extends JdbcContract {
    private static int databases;

    @Override
    DataSource raw() {
        JdbcDataSource ds = new JdbcDataSource();
        // one in-memory database per test, kept while connections are open
        ds.setURL("jdbc:h2:mem:test" + (databases / 3) + ";DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=10"); // rw, ro, quick
        databases++;
        return ds;
    }

    @Override
    String driver() {
        return "org.h2.Driver";
    }

    @Override
    String binaryType() {
        return "varbinary(100)";
    }

    @Override
    String binaryLiteral() {
        return "X'010203'";
    }

    @Override
    String range(int count) {
        return "select rownum() as n from system_range(1, " + count + ")";
    }

    @Override
    String nextValue(String sequence) {
        return "next value for " + sequence;
    }

    @Test
    void aDataChangeDeltaTableInAQueryIsRefusedOnAReadOnlyDatasource() throws Exception {
        run("{\"datasource\":\"rw\",\"query\":\"create table t (i integer)\"}");
        Result r = run("{\"datasource\":\"ro\",\"query\":\"select * from final table (insert into t values (78))\"}");
        assertThat(r.status()).isEqualTo(Status.REJECTED);
        assertThat(r.error()).contains("read-only").contains("FINAL TABLE");
        assertThat(rows(run("{\"datasource\":\"ro\",\"query\":\"select count(*) as c from t\"}")).get(0).get("c").asInt())
                .isZero();
    }

    /** JAVA_OBJECT values come back as their bytes: nothing a query makes up is deserialized in the worker. */
    @Test
    void aJavaObjectIsNeverDeserialized() throws Exception {
        Result r = run("{\"datasource\":\"ro\",\"query\":\"select cast(X'aced0005740003616263' as java_object) as o\"}");
        assertThat(rows(r).get(0).get("o").asText()).isEqualTo("rO0ABXQAA2FiYw=="); // base64 of the bytes, not "abc"
    }

    @Test
    void encodingStopsWhenTheTaskIsStopped() throws Exception {
        DirectExecutionContext ctx = DirectExecutionContext.withTimeout(java.time.Duration.ofMinutes(1));
        ctx.timeOut();
        try (java.sql.Connection c = readOnly.connection();
                java.sql.ResultSet rs = c.createStatement().executeQuery(range(10))) {
            assertThatThrownBy(() -> Rows.read(rs, 1000, 1 << 20, ctx)).isInstanceOf(Rows.Stopped.class);
        }
    }

    @Override
    String slowQuery() {
        return "select count(*) from system_range(1, 100000) a, system_range(1, 100000) b";
    }
}
