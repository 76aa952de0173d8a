package dev.ferry.executor.jdbc.internal;

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
    String slowQuery() {
        return "select count(*) from system_range(1, 100000) a, system_range(1, 100000) b";
    }
}
