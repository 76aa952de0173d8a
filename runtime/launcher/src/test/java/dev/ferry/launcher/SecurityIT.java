package dev.ferry.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ways in found by attacking the worker (issue "Security and reliability"), tried again through
 * the real worker jar, its etc/ files and its shell, as an operator and a caller would.
 */
class SecurityIT {
    private static final Duration START = Duration.ofSeconds(60);

    @TempDir
    Path home;

    private void file(String name, String text) throws Exception {
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc").resolve(name), text);
    }

    private static Predicate<List<String>> has(String start) {
        return lines -> lines.stream().anyMatch(l -> l.startsWith(start));
    }

    @Test
    void theReadmesListSyntaxWorksInEveryListKey() throws Exception {
        file("dev.ferry.executor.command.cfg", "blocked_commands = rm, ls\n");
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString())) {
            w.await("the ready line", START, l -> l.startsWith("ferry worker ready"));
            assertThat(w.ask("executor:run command '{\"command\":\"ls\"}'"))
                    .anyMatch(l -> l.startsWith("REJECTED (policy denied)"));
            assertThat(w.ask("executor:run command '{\"command\":\"rm\",\"args\":[\"--version\"]}'"))
                    .anyMatch(l -> l.startsWith("REJECTED (policy denied)"));
            assertThat(w.ask("executor:run command '{\"command\":\"echo\",\"args\":[\"ok\"]}'"))
                    .contains("ok");

            // the README's own example, as written there (bubblewrap: .ci/run installs it)
            String example = Readme.blockAfter("Example `etc/dev.ferry.executor.command.cfg`");
            assertThat(example)
                    .contains("allowed_commands = echo, /usr/local/bin/report")
                    .contains("sandbox = bwrap");
            file("dev.ferry.executor.command.cfg", example);
            w.poll(
                    "executor:run command '{\"command\":\"ls\"}'",
                    "ls refused by the allowlist",
                    START,
                    lines -> lines.stream()
                            .anyMatch(l -> l.contains("not in allowed_commands [echo, /usr/local/bin/report]")));
            List<String> sandboxed = w.ask("executor:run command '{\"command\":\"echo\",\"args\":[\"allowed\"]}'");
            assertThat(sandboxed).contains("allowed").contains("sandbox: bwrap");

            // the README's multi-line deny_cidrs, exactly as written, denies what it lists (127.0.0.0/8 among them)
            String denyPrivate = Readme.blockAfter("deny the private ranges too");
            assertThat(denyPrivate).contains("\\\n");
            file("dev.ferry.executor.http.cfg", denyPrivate);
            w.poll(
                    "executor:run http '{\"url\":\"http://127.0.0.1:9/\"}'",
                    "loopback denied",
                    START,
                    lines -> lines.stream().anyMatch(l -> l.contains("in denied network 127.0.0.0/8")));
            assertThat(w.ask("executor:run http '{\"url\":\"http://10.1.2.3:9/\"}'"))
                    .anyMatch(l -> l.contains("in denied network 10.0.0.0/8"));

            // and the one-line allow list the README gives beside it, as written there
            String line = java.nio.file.Files.readAllLines(Readme.FILE).stream()
                    .filter(l -> l.startsWith("or allow only what tasks need: `"))
                    .findFirst()
                    .orElseThrow();
            String allow = line.substring(line.indexOf('`') + 1, line.lastIndexOf('`'));
            assertThat(allow).isEqualTo("allow_hosts = api.example.com, *.internal.example.com");
            file("dev.ferry.executor.http.cfg", allow + "\n");
            w.poll(
                    "executor:run http '{\"url\":\"http://127.0.0.1:9/\"}'",
                    "only the allowed hosts",
                    START,
                    lines -> lines.stream()
                            .anyMatch(l ->
                                    l.contains("is not in allow_hosts [api.example.com, *.internal.example.com]")));
        }
    }

    @Test
    void typosAndGarbageNeverFailOpen() throws Exception {
        file("dev.ferry.executor.command.cfg", "blocked_commands = ls\n");
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString())) {
            w.await("the ready line", START, l -> l.startsWith("ferry worker ready"));
            assertThat(w.ask("executor:run command '{\"command\":\"ls\"}'")).anyMatch(l -> l.startsWith("REJECTED"));

            file("dev.ferry.executor.command.cfg", "blocked_comands = ls\n");
            w.await(
                    "the warning",
                    START,
                    l -> l.contains("'blocked_comands' is not a known key (did you mean 'blocked_commands'?)")
                            && l.contains("dev.ferry.executor.command.cfg")
                            && l.contains("previous configuration stays"));
            assertThat(w.ask("executor:run command '{\"command\":\"ls\"}'"))
                    .as("still blocked")
                    .anyMatch(l -> l.startsWith("REJECTED"));
            assertThat(w.ask("executor:list"))
                    .as("executor:list names the file and key until it is fixed")
                    .anyMatch(l -> l.matches(
                            "command\\s+.*UP, but .*dev\\.ferry\\.executor\\.command\\.cfg.*blocked_comands.*"));

            file("dev.ferry.executor.command.cfg", "blocked_commands =\nmax_output_bytes = lots\n");
            w.await("the number's warning", START, l -> l.contains("'max_output_bytes' must be a whole number"));
            assertThat(w.ask("executor:run command '{\"command\":\"ls\"}'")).anyMatch(l -> l.startsWith("REJECTED"));

            byte[] garbage = new byte[512];
            new Random(7).nextBytes(garbage);
            for (int i = 0; i < garbage.length; i++) {
                if (garbage[i] == '\\' || garbage[i] == 0) {
                    garbage[i] = 'x'; // a valid properties file of nonsense, not an unreadable one
                }
            }
            Files.write(home.resolve("etc/dev.ferry.executor.command.cfg"), garbage);
            w.await(
                    "the garbage refused",
                    START,
                    l -> l.contains("is not a known key")
                            && l.contains("previous configuration stays")
                            && l.contains("dev.ferry.executor.command"));
            assertThat(w.ask("executor:run command '{\"command\":\"ls\"}'")).anyMatch(l -> l.startsWith("REJECTED"));
        }
    }

    @Test
    void aTypoAtStartServesNothingAndSaysWhy() throws Exception {
        file("dev.ferry.executor.command.cfg", "allowed_comands = echo\n");
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString())) {
            w.await("the ready line", START, l -> l.startsWith("ferry worker ready"));
            assertThat(w.ask("executor:run command '{\"command\":\"ls\"}'"))
                    .anyMatch(l -> l.startsWith("REJECTED"))
                    .anyMatch(l -> l.contains("'allowed_comands' is not a known key"));
            w.poll(
                    "executor:health",
                    "the reason in health",
                    START,
                    lines -> lines.stream().anyMatch(l -> l.matches("command\\s+DOWN.*allowed_comands.*")));
            file("dev.ferry.executor.command.cfg", "allowed_commands = echo\n");
            w.poll(
                    "executor:run command '{\"command\":\"echo\",\"args\":[\"fixed\"]}'",
                    "served once fixed",
                    START,
                    lines -> lines.contains("fixed"));
        }
    }

    @Test
    void aReadOnlyDatasourceOnTheDefaultDatabaseCannotWrite() throws Exception {
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString())) {
            w.await("the ready line", START, l -> l.startsWith("ferry worker ready"));
            w.ask(
                    "executor:run jdbc '{\"datasource\":\"default\",\"query\":\"create table notes (id int primary key, txt varchar(100))\"}'");
            w.ask("executor:run jdbc '{\"datasource\":\"default\",\"query\":\"create sequence sq\"}'");
            // the datasource: the default H2 URL, the task user, read_only
            String defaults = Files.readString(home.resolve("etc/dev.ferry.datasource-default.cfg"));
            String url = defaults.lines()
                    .filter(l -> l.startsWith("url = "))
                    .findFirst()
                    .orElseThrow();
            String password = defaults.lines()
                    .filter(l -> l.startsWith("password = "))
                    .findFirst()
                    .orElseThrow();
            // the secret kept out of etc/, as the README shows: password = $[file:/run/secrets/db]
            Path secret =
                    Files.writeString(home.resolve("db-secret"), password.substring("password = ".length()) + "\n");
            file(
                    "dev.ferry.datasource-ro2.cfg",
                    "name = ro2\n" + url + "\nuser = ferry\npassword = $[file:" + secret + "]\nread_only = true\n");
            w.poll(
                    "executor:run jdbc '{\"datasource\":\"ro2\",\"query\":\"select count(*) as c from notes\"}'",
                    "ro2 serving",
                    START,
                    lines -> lines.contains("[{\"c\":0}]"));

            for (String attack : List.of(
                    "select 1; drop table notes",
                    "select * from final table (insert into notes(id) values (78)); create table pwn3(x int)",
                    "select 1; insert into notes(id) values (80); commit",
                    "select * from final table (insert into notes(id) values (78))",
                    "select next value for sq as v")) {
                assertThat(w.ask("executor:run jdbc '{\"datasource\":\"ro2\",\"query\":\"" + attack + "\"}'"))
                        .as(attack)
                        .anyMatch(l -> l.startsWith("REJECTED"));
            }
            assertThat(
                            w.ask(
                                    "executor:run jdbc '{\"datasource\":\"default\",\"query\":\"select count(*) as c from notes\"}'"))
                    .contains("[{\"c\":0}]");
            assertThat(
                            w.ask(
                                    "executor:run jdbc '{\"datasource\":\"default\",\"query\":\"select next value for sq as v\"}'"))
                    .contains("[{\"v\":1}]");
            assertThat(w.ask("executor:run jdbc '{\"datasource\":\"default\",\"query\":\"select count(*) as c from"
                            + " information_schema.tables where table_name = ?\",\"params\":[\"pwn3\"]}'"))
                    .contains("[{\"c\":0}]");

            // attacker bytes stay bytes: nothing is deserialized in the worker
            // (Gogo, like sh, reads '\\'' inside single quotes as a quote)
            assertThat(w.ask(
                            "executor:run jdbc '{\"datasource\":\"ro2\",\"query\":\"select cast(X'\\''aced0005740003616263'\\''"
                                    + " as java_object) as o\"}'"))
                    .contains("[{\"o\":\"rO0ABXQAA2FiYw==\"}]");
            // a 100 MB value never becomes a 100 MB answer
            List<String> big =
                    w.ask("executor:run jdbc '{\"datasource\":\"ro2\",\"query\":\"select repeat(?, 100000000) as r\","
                            + "\"params\":[\"x\"]}'");
            assertThat(big).contains("truncated: true").contains("[]");
        }
    }
}
