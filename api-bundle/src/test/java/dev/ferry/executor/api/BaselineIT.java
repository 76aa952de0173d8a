package dev.ferry.executor.api;

import static org.assertj.core.api.Assertions.assertThat;

import aQute.bnd.differ.Baseline;
import aQute.bnd.differ.DiffPluginImpl;
import aQute.bnd.osgi.Jar;
import aQute.bnd.osgi.Processor;
import java.io.File;
import java.util.Set;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/**
 * The baseline is real: bnd compares the built API with the released 1.0.0 jar kept in {@code baseline/},
 * as the build's baseline step does. 2.0.0 passes; the same classes still called 1.x are the incompatible
 * change without a major version that the build refuses.
 */
class BaselineIT {
    private static final String PACKAGE = "dev.ferry.executor.api";
    private static final File RELEASED = new File("baseline/dev.ferry.executor.api-1.0.0.jar");
    private static final File BUILT =
            new File("target/" + System.getProperty("api.jar", "dev.ferry.executor.api-2.0.0.jar"));

    @Test
    void theBuiltApiIsAMajorVersionAboveTheReleasedOne() throws Exception {
        try (Jar released = new Jar(RELEASED);
                Jar built = new Jar(BUILT)) {
            Baseline.Info info = info(built, released);
            assertThat(info.newerVersion.toString()).isEqualTo("2.0.0");
            assertThat(info.suggestedVersion.getMajor()).isEqualTo(2);
            assertThat(info.mismatch).as("2.0.0 is what the changes need").isFalse();
        }
    }

    @Test
    void anIncompatibleChangeWithoutAMajorVersionIsAMismatch() throws Exception {
        try (Jar released = new Jar(RELEASED);
                Jar built = new Jar(BUILT)) {
            Manifest m = built.getManifest();
            m.getMainAttributes().putValue("Export-Package", PACKAGE + ";version=\"1.1.0\"");
            built.setManifest(m);
            Baseline.Info info = info(built, released);
            assertThat(info.mismatch)
                    .as("prepare replaced validate/execute: that breaks every executor")
                    .isTrue();
            assertThat(info.suggestedVersion.toString()).isEqualTo("2.0.0");
        }
    }

    /**
     * The artifact's version is its package's (issue 26, #6: API 1.0 and 2.0 were both 0.1.0-SNAPSHOT, so no
     * third-party pom could name the API it was written for): the bundle's version, which Maven's gives it,
     * equals the exported package's.
     */
    @Test
    void theArtifactsVersionIsThePackagesVersion() throws Exception {
        try (Jar built = new Jar(BUILT)) {
            String bundleVersion = built.getManifest().getMainAttributes().getValue("Bundle-Version");
            String exported = built.getManifest().getMainAttributes().getValue("Export-Package");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                            java.util.regex.Pattern.quote(PACKAGE) + ";[^,]*version=\"?([0-9.]+)")
                    .matcher(exported);
            assertThat(m.find()).as(exported).isTrue();
            assertThat(bundleVersion)
                    .as("Bundle-Version (the Maven version) against the package's; change both together:"
                            + " ferry.api.version in the parent pom and api-bundle's <version>")
                    .isEqualTo(m.group(1));
        }
    }

    private static Baseline.Info info(Jar newer, Jar older) throws Exception {
        try (Processor reporter = new Processor()) {
            Set<Baseline.Info> infos = new Baseline(reporter, new DiffPluginImpl()).baseline(newer, older, null);
            return infos.stream()
                    .filter(i -> i.packageName.equals(PACKAGE))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no baseline of " + PACKAGE + ": " + infos));
        }
    }
}
