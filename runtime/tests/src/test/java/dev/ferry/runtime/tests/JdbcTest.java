package dev.ferry.runtime.tests;

import static dev.ferry.runtime.tests.Bundles.await;
import static dev.ferry.runtime.tests.Bundles.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.Rejection;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import java.time.Duration;
import java.util.Hashtable;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.service.ServiceExtension;

/** Datasources as factory configurations, live: added, changed and deleted while tasks run. */
@ExtendWith(ServiceExtension.class)
class JdbcTest {
    private static final Duration SHORT = Duration.ofSeconds(10);

    @InjectService(timeout = 10_000)
    ExecutorRegistry registry;

    @InjectService(timeout = 10_000)
    ConfigurationAdmin configAdmin;

    Configuration config;

    @AfterEach
    void delete() throws Exception {
        if (config != null) {
            config.delete();
        }
    }

    private void datasource(Map<String, Object> values) throws Exception {
        if (config == null) {
            config = configAdmin.getFactoryConfiguration("dev.ferry.datasource", "inframework", "?");
        }
        config.update(new Hashtable<>(values));
    }

    private Result query(String sql) throws Exception {
        return run(registry, "jdbc", "{\"datasource\":\"live\",\"query\":\"" + sql + "\"}", SHORT);
    }

    @Test
    void aDatasourceConfigurationAppliesLive() throws Exception {
        datasource(Map.of(
                "name",
                "live",
                "url",
                "jdbc:h2:mem:inframework;DB_CLOSE_DELAY=-1;DATABASE_TO_LOWER=TRUE",
                "user",
                "sa",
                "read_only",
                false));
        await("the datasource serves", SHORT, () -> {
            try {
                return query("select 1 as answer").status() == Status.SUCCEEDED;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(query("select 1 as answer").outputAsString()).isEqualTo("[{\"answer\":1}]");
        assertThat(query("create table if not exists t (i int)").status()).isEqualTo(Status.SUCCEEDED);

        datasource(Map.of(
                "name",
                "live",
                "url",
                "jdbc:h2:mem:inframework;DB_CLOSE_DELAY=-1;DATABASE_TO_LOWER=TRUE",
                "user",
                "sa",
                "read_only",
                true));
        await("the datasource turned read-only", SHORT, () -> {
            try {
                return query("insert into t values (1)").rejection() == Rejection.POLICY_DENIED;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(registry.health().get("jdbc").message()).contains("live: up");

        config.delete();
        config = null;
        await("the datasource is gone", SHORT, () -> {
            try {
                Result r = query("select 1");
                return r.rejection() == Rejection.INVALID_PAYLOAD && r.error().contains("no datasource named 'live'");
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void aBrokenDatasourceSaysWhyAndHarmsNoOther() throws Exception {
        datasource(Map.of("name", "live", "driver", "org.example.NoSuchDriver", "url", "jdbc:nothing:"));
        await("the broken datasource is listed", SHORT, () -> {
            try {
                Result r = query("select 1");
                return r.status() == Status.ERROR && r.error().contains("org.example.NoSuchDriver is not installed");
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(registry.health().get("jdbc").isHealthy()).isFalse();
        assertThat(run(registry, "command", "{\"command\":\"true\"}", SHORT).status())
                .isEqualTo(Status.SUCCEEDED);
    }
}
