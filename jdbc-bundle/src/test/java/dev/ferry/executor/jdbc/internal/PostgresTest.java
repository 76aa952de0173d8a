package dev.ferry.executor.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The same contract against a real PostgreSQL server: {@code .ci/run} starts one and sets
 * FERRY_TEST_PG_URL. Without it the tests are skipped, saying so; under CI they fail instead.
 */
class PostgresTest extends JdbcContract {
    static final String URL = System.getenv("FERRY_TEST_PG_URL");

    @BeforeAll
    static void server() {
        if (URL == null && System.getenv("CI") != null) {
            fail("FERRY_TEST_PG_URL is not set: .ci/run starts PostgreSQL and sets it; a CI run never skips these tests");
        }
        assumeTrue(URL != null, "no PostgreSQL server: set FERRY_TEST_PG_URL (jdbc:postgresql://host:port/db?user=…),"
                + " as .ci/run does, to run these tests");
    }

    @Test
    void aWriteHiddenInAQueryIsRefusedByTheReadOnlyTransaction() throws Exception {
        run("{\"datasource\":\"rw\",\"query\":\"create table t (i integer)\"}");
        Result r = run("{\"datasource\":\"ro\",\"query\":\"with x as (insert into t values (1) returning i) select * from x\"}");
        assertThat(r.status()).isEqualTo(Status.REJECTED); // the server's read_only_sql_transaction (25006)
        assertThat(r.error()).contains("read-only").contains("read-only transaction");
    }

    @Override
    DataSource raw() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(URL);
        return ds;
    }

    @Override
    String driver() {
        return "org.postgresql.Driver";
    }

    @Override
    String binaryType() {
        return "bytea";
    }

    @Override
    String binaryLiteral() {
        return "decode('010203', 'hex')";
    }

    @Override
    String range(int count) {
        return "select generate_series(1, " + count + ") as n";
    }

    @Override
    String slowQuery() {
        return "select pg_sleep(30)";
    }
}
