package dev.ferry.executor.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.support.Configs;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDefaultTest {
    @TempDir
    Path home;

    /** Written once, owner-only, a configuration the datasource component takes as it is; then left alone. */
    @Test
    void theFirstStartWritesAConfigurationTheDatasourceAccepts() throws Exception {
        Path etc = Files.createDirectories(home.resolve("etc"));
        Path h2 = home.resolve("data/h2");
        assertThat(EmbeddedDefault.write(etc, h2)).isTrue();
        Path cfg = etc.resolve(EmbeddedDefault.FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cfg)))
                .isEqualTo("rw-------");
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(cfg)) {
            p.load(r);
        }
        Map<String, Object> raw = new HashMap<>();
        p.forEach((k, v) -> raw.put((String) k, v));
        DataSourceSettings s =
                DataSourceSettings.from(Configs.read(DataSourceConfig.class, DataSourceConfig.FACTORY_PID, raw));
        assertThat(s.name).isEqualTo("default");
        assertThat(s.readOnly).isFalse();
        assertThat(p.getProperty("user")).isEqualTo("ferry").isNotEqualTo(p.getProperty("admin_user"));
        assertThat(p.getProperty("password")).hasSize(36).isNotEqualTo(p.getProperty("admin_password"));

        String first = Files.readString(cfg);
        assertThat(EmbeddedDefault.write(etc, h2))
                .as("a second start keeps the first one's file")
                .isFalse();
        assertThat(Files.readString(cfg)).isEqualTo(first);
        Files.delete(cfg);
        assertThat(EmbeddedDefault.write(etc, h2))
                .as("deleted by the operator while its data stays: not written again")
                .isFalse();
        assertThat(etc).isEmptyDirectory();
    }
}
