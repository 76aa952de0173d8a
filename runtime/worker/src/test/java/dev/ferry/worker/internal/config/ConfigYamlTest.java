package dev.ferry.worker.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.worker.internal.config.ConfigYaml.Parsed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigYamlTest {
    @TempDir
    Path dir;

    private Parsed parse(String yaml) throws ConfigYaml.Refused {
        return ConfigYaml.parse(dir.resolve("config.yaml"), yaml, Map.of("DS_PASSWORD", "s3cret")::get);
    }

    private String refusal(String yaml) {
        try {
            parse(yaml);
        } catch (ConfigYaml.Refused e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + yaml);
    }

    /** The design's file, key by key: each lands under its own name, with its type and line. */
    @Test
    void theDesignsFileMapsEveryKey() throws Exception {
        Parsed p = parse("""
                executors:
                  command:
                    enabled: true
                    allowed_commands: ["ls", "cat", "grep", "head", "tail"]
                    blocked_commands: ["rm", "sudo", "dd"]
                  http:
                    enabled: true
                    timeout_seconds: 30
                    max_body_size: 1048576
                  container:
                    enabled: false
                """);
        assertThat(p.switches()).containsOnlyKeys("command", "http", "container");
        assertThat(p.switches().get("command").enabled()).isTrue();
        assertThat(p.switches().get("http").enabled()).isTrue();
        assertThat(p.switches().get("container").enabled()).isFalse();
        assertThat(p.switches().get("container").line()).isEqualTo(11);

        var command = p.executors().get("command").entries();
        assertThat(command).containsOnlyKeys("allowed_commands", "blocked_commands"); // enabled is the registry's
        assertThat((String[]) command.get("allowed_commands").value())
                .containsExactly("ls", "cat", "grep", "head", "tail");
        assertThat((String[]) command.get("blocked_commands").value()).containsExactly("rm", "sudo", "dd");
        assertThat(command.get("allowed_commands").line()).isEqualTo(4);

        var http = p.executors().get("http").entries();
        assertThat(http.get("timeout_seconds").value()).isEqualTo(30L);
        assertThat(http.get("max_body_size").value()).isEqualTo(1048576L);
        assertThat(p.executors().get("container").entries()).isEmpty();
    }

    @Test
    void valuesKeepTheirYamlTypesAndDottedKeysHaveShortNames() throws Exception {
        Parsed p = parse("""
                executors:
                  command:
                    concurrency: 4
                    max_timeout_seconds: 2.5
                    sandbox_network: false
                    environment: clean
                    env_deny: [A_*, B_*]
                  http:
                    executor.concurrency.max: 8
                worker:
                  registry: {absent_grace_ms: 5000, type_concurrency: ["command=2"]}
                  grpc: {port: 0}
                """);
        var command = p.executors().get("command").entries();
        assertThat(command.get("executor.concurrency.max").value()).isEqualTo(4L);
        assertThat(command.get("executor.timeout.max.seconds").value()).isEqualTo(2.5);
        assertThat(command.get("sandbox_network").value()).isEqualTo(false);
        assertThat(command.get("environment").value()).isEqualTo("clean");
        assertThat(p.executors()
                        .get("http")
                        .entries()
                        .get("executor.concurrency.max")
                        .value())
                .isEqualTo(8L);
        assertThat(p.worker().get("registry").entries().get("absent_grace_ms").value())
                .isEqualTo(5000L);
        assertThat(p.worker().get("grpc").entries().get("port").value()).isEqualTo(0L);
    }

    @Test
    void aDatasourceIsNamedByItsSectionAndItsSecretsStayReferences() throws Exception {
        Files.writeString(dir.resolve("token.txt"), "abc\n");
        Parsed p = parse("""
                datasources:
                  reports:
                    url: jdbc:postgresql://db/reports
                    user: reader
                    password: ${env:DS_PASSWORD}
                worker:
                  grpc:
                    token: ${file:token.txt}
                """);
        var ds = p.datasources().get("reports").entries();
        assertThat(ds.get("name").value()).isEqualTo("reports");
        // the secret never enters Configuration Admin: the component resolves the reference itself
        assertThat(ds.get("password").value()).isEqualTo("$[env:DS_PASSWORD]");
        assertThat(Secrets.isSecret("password")).as("never printed back").isTrue();
        assertThat(p.worker().get("grpc").entries().get("token").value())
                .isEqualTo("$[file:" + dir.resolve("token.txt").toAbsolutePath() + "]");
    }

    @Test
    void aMissingSecretRefusesTheFileNamingTheVariableAndLine() {
        assertThat(refusal("""
                datasources:
                  reports:
                    url: jdbc:h2:mem:x
                    password: ${env:NOT_SET_ANYWHERE}
                """))
                .contains("line 4: datasources.reports.password refers to the environment variable 'NOT_SET_ANYWHERE'")
                .contains("nothing in the file was applied");
        assertThat(refusal("worker:\n  grpc:\n    token: ${file:nope.txt}\n"))
                .contains("line 3: worker.grpc.token refers to the file " + dir.resolve("nope.txt"));
    }

    @Test
    void badInputIsRefusedWithTheLineTheKeyAndWhy() {
        assertThat(refusal("executors:\n  command:\n    allowed_commands: [ls\n"))
                .contains("line 4")
                .contains("not valid YAML");
        assertThat(refusal("executor:\n  command: {}\n"))
                .contains("line 1: executor is not a section of config.yaml")
                .contains("did you mean 'executors'?");
        assertThat(refusal("executors:\n  command:\n    enabled: maybe\n"))
                .contains("line 3: executors.command.enabled must be true or false, got 'maybe'");
        assertThat(refusal("executors:\n  command:\n    kill_grace_ms:\n"))
                .contains("line 3: executors.command.kill_grace_ms has no value");
        assertThat(refusal("executors:\n  command:\n    env_deny: {a: b}\n"))
                .contains("line 3: executors.command.env_deny must be a value or a list of values, not a mapping");
        assertThat(refusal("executors:\n  command:\n    sandbox: none\n    sandbox: bwrap\n"))
                .contains("line 4: executors.command.sandbox is set twice");
        assertThat(refusal("executors:\n  command:\n    concurrency: 2\n    executor.concurrency.max: 3\n"))
                .contains("executors.command.executor.concurrency.max sets executor.concurrency.max a second time");
        assertThat(refusal("worker:\n  registri: {}\n"))
                .contains("line 2: worker.registri is not a section of worker")
                .contains("registry, grpc, metrics, audit, logging");
        assertThat(refusal("datasources:\n  a:\n    name: b\n    url: x\n"))
                .contains("line 3: datasources.a.name differs");
        assertThat(refusal("executors:\n  command:\n    max_output_bytes: 99999999999999999999\n"))
                .contains("line 3: executors.command.max_output_bytes is not a whole number that fits in 64 bits");
        assertThat(refusal("executors: [command]\n")).contains("line 1: executors must be a mapping");
    }

    @Test
    void anEmptyFileSetsNothing() throws Exception {
        assertThat(parse("# nothing yet\n")).isEqualTo(Parsed.EMPTY);
        assertThat(parse("executors:\n")).isEqualTo(Parsed.EMPTY);
    }

    @Test
    void secretsAreMaskedAndReferencesShownAsWritten() {
        assertThat(Secrets.show("password", false, "hunter2")).isEqualTo(Secrets.MASK);
        assertThat(Secrets.show("admin_password", false, "x")).isEqualTo(Secrets.MASK);
        assertThat(Secrets.show("token", false, "t")).isEqualTo(Secrets.MASK);
        assertThat(Secrets.show("token_file", false, "/etc/ferry/token")).isEqualTo("/etc/ferry/token");
        assertThat(Secrets.show("password", true, "$[env:PG]")).isEqualTo("${env:PG}");
        assertThat(Secrets.show("url", false, "jdbc:h2:mem:x")).isEqualTo("jdbc:h2:mem:x");
        assertThat(Secrets.show("any", true, "x")).isEqualTo(Secrets.MASK);
    }
}
