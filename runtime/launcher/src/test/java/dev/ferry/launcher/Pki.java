package dev.ferry.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A throw-away CA, a server and a client certificate it signs, and a client of another CA (openssl). */
final class Pki {
    private Pki() {}

    /**
     * Makes the certificates in {@code home/pki} and configures the worker in {@code home} for mutual TLS with them:
     * its server certificate, clients of "ca" only.
     *
     * @return the folder of the certificates
     */
    static Path mutualTls(Path home) throws IOException, InterruptedException {
        Path pki = Files.createDirectories(home.resolve("pki"));
        make(pki);
        WorkerProcess.cfg(
                home,
                "dev.ferry.grpc",
                "tls_cert_file = " + pki.resolve("server.crt"),
                "tls_key_file = " + pki.resolve("server.key"),
                "tls_client_ca_file = " + pki.resolve("ca.crt"));
        return pki;
    }

    static void make(Path dir) throws IOException, InterruptedException {
        Files.writeString(dir.resolve("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        Files.writeString(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        ca(dir, "ca");
        ca(dir, "rogue-ca");
        signed(dir, "server", "ca", "server.ext");
        signed(dir, "client", "ca", "client.ext");
        signed(dir, "rogue", "rogue-ca", "client.ext");
    }

    private static void ca(Path dir, String name) throws IOException, InterruptedException {
        openssl(
                dir,
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=" + name,
                "-keyout",
                name + ".key",
                "-out",
                name + ".crt");
    }

    private static void signed(Path dir, String name, String ca, String ext) throws IOException, InterruptedException {
        openssl(
                dir,
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-subj",
                "/CN=" + name,
                "-keyout",
                name + ".key",
                "-out",
                name + ".csr");
        openssl(
                dir,
                "x509",
                "-req",
                "-in",
                name + ".csr",
                "-CA",
                ca + ".crt",
                "-CAkey",
                ca + ".key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                ext,
                "-out",
                name + ".crt");
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
        }
    }
}
