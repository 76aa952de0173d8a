package dev.ferry.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The features repository names only what the build publishes, and the build publishes every default
 * configuration file there is: features.xml, the pom's attach list and src/main/cfg agree. (KarafIT once
 * passed only on machines where an earlier {@code mvn install} had left a cfg file that the test's own,
 * hand-kept copy of the list lacked.)
 */
class FeaturesRepositoryTest {
    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Pattern OWN =
            Pattern.compile("mvn:dev\\.ferry/ferry-features/\\$\\{project\\.version}/(\\w+)/([\\w.-]+)");

    @Test
    void everyArtifactTheFeaturesNameIsAttachedAndEveryCfgFileIsNamed() throws Exception {
        List<Attached> attached = Attached.fromPom(MODULE);
        Set<String> published = attached.stream()
                .map(a -> a.type() + "/" + a.classifier())
                .collect(Collectors.toCollection(TreeSet::new));

        Set<String> named = new TreeSet<>();
        Matcher m = OWN.matcher(Files.readString(MODULE.resolve("src/main/feature/features.xml")));
        while (m.find()) {
            named.add(m.group(1) + "/" + m.group(2));
        }
        assertThat(named)
                .as("features.xml names these artifacts of ferry-features")
                .isNotEmpty();
        assertThat(published)
                .as("what the pom attaches, against what features.xml names")
                .containsAll(named);

        Set<String> files;
        try (var list = Files.list(MODULE.resolve("src/main/cfg"))) {
            files = list.map(p -> "cfg/" + p.getFileName().toString().replaceFirst("\\.cfg$", ""))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertThat(published).as("every file in src/main/cfg is attached").containsAll(files);
        assertThat(named).as("every file in src/main/cfg is named by a feature").containsAll(files);
        for (Attached a : attached) {
            if (a.type().equals("cfg")) {
                assertThat(a.file())
                        .as("an attached cfg file lives in src/main/cfg")
                        .isEqualTo(MODULE.resolve("src/main/cfg/" + a.classifier() + ".cfg"));
            }
        }
    }
}
