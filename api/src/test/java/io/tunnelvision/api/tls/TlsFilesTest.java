package io.tunnelvision.api.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.api.ApiConfig;
import io.tunnelvision.config.ConfigException;
import io.tunnelvision.config.Env;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two settings that name the api's certificate and key files, as the api reads them at start. */
class TlsFilesTest {

    private static final String CERT = ApiConfig.TLS_CERT_FILE.env();
    private static final String KEY = ApiConfig.TLS_KEY_FILE.env();
    private static final TestCa CA = TestCa.root("tls files test CA");
    private static final TestCa.Issued SERVER = CA.server("api.example");

    @TempDir
    Path dir;

    private Optional<TlsIdentity> read(Map<String, String> vars) {
        return TlsFiles.read(new Env(vars), ApiConfig.TLS_CERT_FILE, ApiConfig.TLS_KEY_FILE, Clock.systemUTC());
    }

    private Map<String, String> files(String certificatePem, String keyPem) throws IOException {
        Map<String, String> vars = new HashMap<>();
        vars.put(CERT, Files.writeString(dir.resolve("api.crt"), certificatePem).toString());
        Path key = Files.writeString(dir.resolve("api.key"), keyPem);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        vars.put(KEY, key.toString());
        return vars;
    }

    @Test
    void neitherFileMeansPlainHttp() {
        assertEquals(Optional.empty(), read(Map.of()));
        assertEquals(Optional.empty(), read(Map.of(CERT, " ", KEY, "")));
    }

    @Test
    void bothFilesMeanHttpsWithThatCertificate() throws IOException {
        TlsIdentity identity = read(files(SERVER.chainPem(), SERVER.keyPem())).orElseThrow();

        assertEquals(SERVER.certificate(), identity.certificate());
    }

    @Test
    void oneFileAloneIsRefusedNamingTheOther() throws IOException {
        Map<String, String> both = files(SERVER.chainPem(), SERVER.keyPem());

        ConfigException noKey = assertThrows(ConfigException.class, () -> read(Map.of(CERT, both.get(CERT))));
        ConfigException noCert = assertThrows(ConfigException.class, () -> read(Map.of(KEY, both.get(KEY))));

        assertEquals(CERT + " is set but " + KEY + " is not: HTTPS needs both files, plain HTTP neither",
                noKey.getMessage());
        assertTrue(noCert.getMessage().startsWith(KEY + " is set but " + CERT + " is not"), noCert.getMessage());
    }

    @Test
    void aMissingFileIsNamedWithItsVariable() throws IOException {
        Map<String, String> vars = files(SERVER.chainPem(), SERVER.keyPem());
        Path missing = dir.resolve("no-such.key");
        vars.put(KEY, missing.toString());

        ConfigException error = assertThrows(ConfigException.class, () -> read(vars));

        assertEquals(KEY + "=" + missing + ": no such file", error.getMessage());
    }

    @Test
    void aBinaryDerFileIsToldHowToConvertIt() throws Exception {
        Map<String, String> vars = files(SERVER.chainPem(), SERVER.keyPem());
        Files.write(Path.of(vars.get(CERT)), SERVER.certificate().getEncoded());

        ConfigException error = assertThrows(ConfigException.class, () -> read(vars));

        assertTrue(error.getMessage().startsWith(CERT + "=" + vars.get(CERT) + " is not PEM text"),
                error.getMessage());
        assertTrue(error.getMessage().contains("openssl x509 -inform der"), error.getMessage());
    }

    @Test
    void aKeyThatDoesNotMatchIsAConfigErrorNamingBothFiles() throws IOException {
        Map<String, String> vars = files(SERVER.chainPem(), CA.server("other.example").keyPem());

        ConfigException error = assertThrows(ConfigException.class, () -> read(vars));

        assertTrue(error.getMessage().startsWith(CERT + "=" + vars.get(CERT) + " and " + KEY + "=" + vars.get(KEY)
                + " do not make a usable HTTPS identity: the key does not belong to the certificate CN=api.example"),
                error.getMessage());
        TlsIdentityTest.assertNoKeyIn(error.getMessage(), SERVER.keys());
    }

    @Test
    void theApiConfigReadsTheFilesAndPrintsTheCertificateButNeverTheKey() throws IOException {
        Map<String, String> vars = files(SERVER.chainPem(), SERVER.keyPem());
        vars.put("TUNNELVISION_DB_URL", "jdbc:postgresql://db.example:5432/tunnelvision");
        vars.put(ApiConfig.HTTP_HOST.env(), "127.0.0.1");

        ApiConfig config = new ApiConfig(new Env(vars));

        assertEquals("https", config.listener().scheme());
        assertEquals("127.0.0.1", config.listener().host());
        String logged = config.toString();
        assertTrue(logged.contains("HTTPS on 127.0.0.1, port 8080 with certificate CN=api.example"), logged);
        TlsIdentityTest.assertNoKeyIn(logged, SERVER.keys());
    }
}
