package dev.ferry.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedactTest {
    @Test
    void credentialsInsideOtherValuesAreMasked() {
        assertThat(Redact.inText("jdbc:postgresql://db:5432/x?user=ferry&password=s3cr3t&ssl=true"))
                .isEqualTo("jdbc:postgresql://db:5432/x?user=ferry&password=********&ssl=true");
        assertThat(Redact.inText("jdbc:h2:mem:x;USER=sa;PASSWORD=s3cr3t;DB_CLOSE_DELAY=-1"))
                .isEqualTo("jdbc:h2:mem:x;USER=sa;PASSWORD=********;DB_CLOSE_DELAY=-1");
        assertThat(Redact.inText("postgresql://ferry:s3cr3t@db/x")).isEqualTo("postgresql://ferry:********@db/x");
        assertThat(Redact.inText(
                        "CREATE USER IF NOT EXISTS ferry PASSWORD 'it''s s3cr3t'; GRANT ALTER ANY SCHEMA TO ferry"))
                .isEqualTo("CREATE USER IF NOT EXISTS ferry PASSWORD '********'; GRANT ALTER ANY SCHEMA TO ferry");
        assertThat(Redact.inText("alter user x identified by 'pw12345'"))
                .isEqualTo("alter user x identified by '********'");
        assertThat(Redact.inText("sslpassword=abc api_key=def")).isEqualTo("sslpassword=******** api_key=********");
        assertThat(Redact.inText("select 1 from t where a = 'b'")).isEqualTo("select 1 from t where a = 'b'");
    }

    /** A value a reference resolved to is masked wherever it appears, under any name. */
    @Test
    void whatAReferenceResolvedToIsMaskedAnywhere(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("secret"), "resolved-value-9f8e7d\n");
        assertThat(Configs.resolve("jdbc:x:db;opaque=$[file:" + file + "]"))
                .isEqualTo("jdbc:x:db;opaque=resolved-value-9f8e7d");
        assertThat(Redact.inText("connecting with opaque=resolved-value-9f8e7d failed"))
                .isEqualTo("connecting with" + " opaque=******** failed");
    }

    /** A reference where a path goes (token_file: ${file:…}) once printed the token in the refusal. */
    @Test
    void aReferenceWhereAPathGoesIsRefusedWithoutItsContent(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "the-token-itself-0123456789\n");
        assertThatThrownBy(() -> Configs.read(Sample.class, "p", Map.of("token_file", "$[file:" + token + "]")))
                .hasMessageContaining("'token_file' takes a path")
                .hasMessageNotContaining("the-token-itself");
    }

    /** A secret file that never ends (/dev/zero), or is a FIFO, is refused by its kind, not read forever. */
    @Test
    void aSecretFileThatIsNotAPlainFileIsRefused(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> Configs.resolve("$[file:/dev/zero]")).hasMessageContaining("is not a regular file");
        assertThatThrownBy(() -> Tokens.read("", "/dev/zero")).hasMessageContaining("is not a regular file");
        Path big = Files.writeString(dir.resolve("big"), "x".repeat(WholeFile.SECRET_MAX_BYTES + 1));
        assertThatThrownBy(() -> Configs.resolve("$[file:" + big + "]")).hasMessageContaining("more than");
        assertThat(WholeFile.firstLine(Files.writeString(dir.resolve("ok"), "  s3cret-value \nsecond\n")))
                .isEqualTo("s3cret-value");
    }

    @interface Sample {
        String token__file() default "";
    }
}
