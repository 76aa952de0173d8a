package dev.ferry.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigsTest {
    @interface Sample {
        String[] blocked__commands() default {};

        @AllowList
        String[] allowed__commands() default {};

        int max__rows() default 1000;

        long grace__ms() default 5;

        double executor_timeout_max_seconds() default 3600;

        boolean read__only() default true;

        String name();
    }

    @Test
    void theCfgListSpellingIsSplitOnCommasAndLineBreaks() {
        Sample s = Configs.read(Sample.class, "p", Map.of("name", "x", "blocked_commands", "rm, ls"));
        assertThat(s.blocked__commands()).containsExactly("rm", "ls");
        s = Configs.read(Sample.class, "p", Map.of("name", "x", "blocked_commands", new String[] {"rm", "ls, cat"}));
        assertThat(s.blocked__commands()).containsExactly("rm", "ls", "cat");
        s = Configs.read(Sample.class, "p", Map.of("name", "x", "blocked_commands", List.of("a,\n b ,", " c")));
        assertThat(s.blocked__commands()).containsExactly("a", "b", "c");
    }

    /** Security round 2, #8: an allow list set to nothing, in any spelling, was read as "allow everything". */
    @Test
    void anAllowListSetToNothingIsRefusedInEverySpelling() {
        for (Object nothing :
                new Object[] {"", "  ", ",", new String[0], new String[] {""}, new String[] {" ", ""}, List.of()}) {
            assertThatThrownBy(() -> Configs.read(Sample.class, "p", Map.of("name", "x", "allowed_commands", nothing)))
                    .as(String.valueOf(nothing))
                    .isInstanceOf(Configs.Refused.class)
                    .hasMessageContaining("'allowed_commands' is set but holds nothing");
        }
        assertThat(Configs.read(Sample.class, "p", Map.of("name", "x")).allowed__commands())
                .as("absent: no restriction")
                .isEmpty();
        assertThat(Configs.read(Sample.class, "p", Map.of("name", "x", "allowed_commands", "ls"))
                        .allowed__commands())
                .containsExactly("ls");
        assertThat(Configs.read(Sample.class, "p", Map.of("name", "x", "blocked_commands", ""))
                        .blocked__commands())
                .as("a block list may be emptied")
                .isEmpty();
    }

    /**
     * A .cfg value continued by a trailing backslash onto nothing: FileInstall drops the key (an allow list
     * then vanished, letting every program run) or joins it with the next key's line. The file is refused,
     * naming the line; a continuation onto a real next item stays fine.
     */
    @Test
    void aValueContinuedOntoNothingInACfgFileIsRefused(@TempDir Path dir) throws Exception {
        for (String text : new String[] {
            "allowed_commands = \\\n",
            "allowed_commands = \\\n  \n",
            "allowed_commands = \\\n\nblocked_commands = rm\n",
            "blocked_commands = rm, \\"
        }) {
            Path cfg = Files.writeString(dir.resolve("x.cfg"), text);
            assertThatThrownBy(() -> Configs.read(
                            Sample.class,
                            "p",
                            Map.of(
                                    "name",
                                    "x",
                                    "felix.fileinstall.filename",
                                    cfg.toUri().toString())))
                    .as(text)
                    .isInstanceOf(Configs.Refused.class)
                    .hasMessageContaining("ends with a backslash that continues its value onto a blank line");
        }
        Path fine = Files.writeString(
                dir.resolve("fine.cfg"), "# a comment \\\n\nblocked_commands = rm, \\\n  ls\n" + "name = a\\\\\n");
        assertThat(Configs.read(
                                Sample.class,
                                "p",
                                Map.of(
                                        "name",
                                        "x",
                                        "blocked_commands",
                                        "rm, ls",
                                        "felix.fileinstall.filename",
                                        fine.toUri().toString()))
                        .blocked__commands())
                .containsExactly("rm", "ls");
    }

    @Test
    void defaultsAndDsNames() {
        Sample s = Configs.read(
                Sample.class,
                "p",
                Map.of(
                        "name",
                        "x",
                        "executor.timeout.max.seconds",
                        "2.5",
                        "service.pid",
                        "p",
                        "felix.fileinstall.filename",
                        "file:/etc/p.cfg"));
        assertThat(s.max__rows()).isEqualTo(1000);
        assertThat(s.read__only()).isTrue();
        assertThat(s.executor_timeout_max_seconds()).isEqualTo(2.5);
        assertThat(s.blocked__commands()).isEmpty();
    }

    @Test
    void aTypoIsRefusedNamingTheNearestKey() {
        assertThatThrownBy(() -> Configs.read(
                        Sample.class,
                        "p",
                        Map.of(
                                "name",
                                "x",
                                "blocked_comands",
                                "ls",
                                "felix.fileinstall.filename",
                                "file:/x/etc/p.cfg")))
                .isInstanceOf(Configs.Refused.class)
                .hasMessageContaining("/x/etc/p.cfg")
                .hasMessageContaining("'blocked_comands' is not a known key (did you mean 'blocked_commands'?)");
    }

    @Test
    void badNumbersAndBooleansAndMissingValuesAreRefusedByKey() {
        assertThatThrownBy(() -> Configs.read(Sample.class, "p", Map.of("name", "x", "max_rows", "abc")))
                .hasMessageContaining("'max_rows' must be a whole number")
                .hasMessageContaining("'abc'");
        assertThatThrownBy(() -> Configs.read(Sample.class, "p", Map.of("name", "x", "max_rows", "99999999999")))
                .hasMessageContaining("'max_rows' is out of range");
        assertThatThrownBy(
                        () -> Configs.read(Sample.class, "p", Map.of("name", "x", "grace_ms", "99999999999999999999")))
                .hasMessageContaining("'grace_ms' must be a whole number");
        assertThatThrownBy(() -> Configs.read(Sample.class, "p", Map.of("name", "x", "max_rows", "")))
                .hasMessageContaining("'max_rows' has no value");
        assertThatThrownBy(() -> Configs.read(Sample.class, "p", Map.of("name", "x", "read_only", "yes")))
                .hasMessageContaining("'read_only' must be true or false");
        assertThatThrownBy(() -> Configs.read(Sample.class, "p", Map.of("read_only", "true")))
                .hasMessageContaining("'name' is required");
        assertThatThrownBy(() ->
                        Configs.read(Sample.class, "p", Map.of("name", "x", "executor.timeout.max.seconds", "NaN")))
                .hasMessageContaining("finite");
    }

    @Test
    void secretsComeFromFilesAndTheEnvironment(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("pw"), "s3cret\nignored\n");
        Sample s = Configs.read(Sample.class, "p", Map.of("name", "$[file:" + secret + "]"));
        assertThat(s.name()).isEqualTo("s3cret");
        String path = System.getenv("PATH");
        assertThat(Configs.read(Sample.class, "p", Map.of("name", "$[env:PATH]"))
                        .name())
                .isEqualTo(path);
        assertThatThrownBy(() -> Configs.read(Sample.class, "p", Map.of("name", "$[env:FERRY_NO_SUCH_VARIABLE]")))
                .hasMessageContaining("FERRY_NO_SUCH_VARIABLE");
        assertThatThrownBy(() -> Configs.read(Sample.class, "p", Map.of("name", "$[file:" + dir.resolve("none") + "]")))
                .hasMessageContaining("cannot be read");
    }
}
