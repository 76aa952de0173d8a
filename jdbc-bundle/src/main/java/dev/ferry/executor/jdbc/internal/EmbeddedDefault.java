package dev.ferry.executor.jdbc.internal;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Hashtable;
import java.util.HexFormat;
import java.util.Properties;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone worker's embedded default datasource: on its first start (the framework property
 * {@code ferry.home} is set, and neither the configuration file nor {@code data/h2} exists yet) this
 * writes {@code etc/dev.ferry.datasource-default.cfg} for an H2 database in {@code data/h2/}, which the
 * worker's configuration watch then turns into the datasource {@code default}. Tasks use a user without
 * admin rights (H2's admin can read files and run Java code); the admin account, with its own random
 * password, only creates that user. Delete the file to drop the datasource: it is written again only
 * while {@code data/h2} does not exist. In Karaf the file goes to Karaf's {@code etc/} and the data to
 * {@code data/ferry/h2}; embedded anywhere else (neither property set), it does nothing.
 */
@Component(immediate = true, service = EmbeddedDefault.class)
public final class EmbeddedDefault {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDefault.class);
    static final String FILE = "dev.ferry.datasource-default.cfg";

    @Activate
    public EmbeddedDefault(BundleContext context, @Reference ConfigurationAdmin configurationAdmin) {
        String home = context.getProperty(dev.ferry.support.Home.PROPERTY);
        String karafEtc = context.getProperty("karaf.etc");
        String karafData = context.getProperty("karaf.data");
        Path folder;
        Path data;
        if (home != null) {
            String etc = context.getProperty("felix.fileinstall.dir");
            folder = etc == null ? Path.of(home, "etc") : Path.of(etc);
            data = Path.of(home, "data", "h2");
        } else if (karafEtc != null && karafData != null) {
            // in Karaf: its etc/, which it watches, and its data/
            folder = Path.of(karafEtc);
            data = Path.of(karafData, "ferry", "h2");
        } else {
            return;
        }
        if (write(folder, data)) {
            apply(configurationAdmin, folder.resolve(FILE));
        }
    }

    /**
     * The file's configuration, given to Configuration Admin now rather than at the configuration
     * watch's next look, so the datasource is there as the worker says it is ready. It is the
     * configuration the watch would make of the file (same factory name, same values, the file named
     * as the watch names it), so the watch finds it its own and makes no second one.
     */
    private static void apply(ConfigurationAdmin cm, Path cfg) {
        Properties values = new Properties();
        try (Reader r = Files.newBufferedReader(cfg, StandardCharsets.ISO_8859_1)) {
            values.load(r);
            Hashtable<String, Object> props = new Hashtable<>();
            values.forEach((k, v) -> props.put((String) k, v));
            props.put(
                    "felix.fileinstall.filename",
                    cfg.toFile().getAbsoluteFile().toURI().toString());
            Configuration c = cm.getFactoryConfiguration(DataSourceConfig.FACTORY_PID, "default", "?");
            c.update(props);
        } catch (IOException e) {
            LOG.warn(
                    "The embedded default datasource waits for the configuration watch to read {} ({})",
                    cfg,
                    e.getMessage());
        }
    }

    /** @return whether it wrote the file */
    static boolean write(Path etc, Path dir) {
        Path cfg = etc.resolve(FILE);
        if (Files.exists(cfg) || Files.exists(dir)) {
            return false;
        }
        String taskPassword = secret();
        String text = String.join(
                "\n",
                "# The embedded default datasource, written at the first start. Its data lives in",
                "# " + dir + ". Tasks connect as 'ferry', which has no admin rights.",
                "name = default",
                "driver = org.h2.Driver",
                // the pool closes the database as the worker stops; H2's own shutdown hook closing it first made the
                // pool's last checks print spurious warnings
                "url = jdbc:h2:" + dir.resolve("default") + ";DATABASE_TO_LOWER=TRUE;DB_CLOSE_ON_EXIT=FALSE",
                "user = ferry",
                "password = " + taskPassword,
                "admin_user = sa",
                "admin_password = " + secret(),
                "init_sql = CREATE USER IF NOT EXISTS ferry PASSWORD '" + taskPassword
                        + "'; GRANT ALTER ANY SCHEMA TO ferry",
                "read_only = false",
                "");
        Path part = etc.resolve("." + FILE + ".part");
        try {
            Files.createDirectories(dir);
            Files.writeString(part, text);
            Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rw-------"));
            // whole or not at all: the configuration watch never reads half a file
            Files.move(part, cfg, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("Wrote the embedded default datasource to {} (an H2 database in {})", cfg, dir);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn(
                    "Cannot write the embedded default datasource to {} ({}); fix the permissions of {}, or add a"
                            + " datasource configuration of your own",
                    cfg,
                    e.getMessage(),
                    etc);
            return false;
        }
    }

    private static String secret() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
