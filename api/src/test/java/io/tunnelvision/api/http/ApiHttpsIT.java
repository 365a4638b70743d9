package io.tunnelvision.api.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tunnelvision.api.ApiConfig;
import io.tunnelvision.api.db.Database;
import io.tunnelvision.api.db.Retention;
import io.tunnelvision.api.tls.TestCa;
import io.tunnelvision.config.Env;
import io.tunnelvision.embedded.fixture.PostgresEndpoint;
import io.tunnelvision.embedded.fixture.SharedKafka;
import io.tunnelvision.embedded.fixture.SharedPostgres;
import io.tunnelvision.schemas.topic.Topics;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The api serving HTTPS with a certificate made in the test, configured through its settings as in production:
 * a client that trusts only the test CA gets the health route, an authorised route and the dashboard; a client
 * that does not trust it, plain HTTP on the port, and TLS 1.1 are all refused.
 */
class ApiHttpsIT {

    private static final String VIEWER = "viewer-token-" + UUID.randomUUID();
    private static final String OPERATOR = "operator-token-" + UUID.randomUUID();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static TestCa ca;
    private static TestCa.Issued certificate;
    private static Database database;
    private static ApiServer server;
    private static HttpClient trusting;
    private static String base;

    @BeforeAll
    static void start() throws IOException {
        ca = TestCa.root("api https it root");
        certificate = ca.intermediate("api https it intermediate").server("localhost");
        Path certificateFile = Files.writeString(dir.resolve("api.crt"), certificate.chainPem());
        Path keyFile = Files.writeString(dir.resolve("api.key"), certificate.keyPem());
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));

        PostgresEndpoint db = SharedPostgres.get().newSchema("api_https_it");
        Topics topics = Topics.inNamespace("it-https-" + UUID.randomUUID().toString().substring(0, 8));
        ApiConfig config = new ApiConfig(new Env(Map.of(
                "TUNNELVISION_KAFKA_BOOTSTRAP", SharedKafka.get().bootstrapServers(),
                "TUNNELVISION_TOPIC_NAMESPACE", topics.namespace(),
                "TUNNELVISION_DB_URL", db.jdbcUrl(),
                "TUNNELVISION_DB_USER", db.user(),
                "TUNNELVISION_DB_PASSWORD", db.password(),
                "TUNNELVISION_API_HTTP_HOST", "127.0.0.1",
                "TUNNELVISION_API_TLS_CERT_FILE", certificateFile.toString(),
                "TUNNELVISION_API_TLS_KEY_FILE", keyFile.toString())));
        database = Database.connect(config.dbUrl(), config.dbUser(), config.dbPassword());
        database.migrate();
        Health health = new Health().add("database", () -> database.jdbi().withHandle(h -> h.createQuery("SELECT 1")
                .mapTo(Integer.class).one()) == 1 ? null : "no");
        // the configured listener on a free port: the settings take 1 to 65535 only
        ApiListener configured = config.listener();
        server = new ApiServer(new ApiServer.Parts(database.jdbi(), Retention.DEFAULT, Clock.systemUTC(),
                DecisionTopic.tokens(VIEWER, OPERATOR), DecisionTopic.publisher(topics), health,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)))
                .start(new ApiListener(configured.host(), 0, configured.tls()));
        base = "https://localhost:" + server.port();
        trusting = client(ca, null);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (database != null) {
            database.close();
        }
    }

    private static HttpClient client(TestCa trusted, String protocol) {
        HttpClient.Builder builder = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10));
        if (trusted != null) {
            builder.sslContext(trusted.trustingOnlyThis());
        }
        if (protocol != null) {
            SSLParameters parameters = new SSLParameters();
            parameters.setProtocols(new String[] {protocol});
            builder.sslParameters(parameters);
        }
        return builder.build();
    }

    private static HttpResponse<String> get(HttpClient client, String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthAnswersOverTlsWithTheConfiguredChain() throws Exception {
        HttpResponse<String> response = get(trusting, base + "/health", null);

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("UP", JSON.readTree(response.body()).get("status").asText());
        var session = response.sslSession().orElseThrow();
        assertEquals("TLSv1.3", session.getProtocol());
        assertEquals(certificate.certificate(), session.getPeerCertificates()[0]);
        assertEquals(2, session.getPeerCertificates().length, "the server sends its intermediate");
    }

    @Test
    void anAuthorisedApiRouteAnswersAndTheTokenIsStillRequired() throws Exception {
        HttpResponse<String> hosts = get(trusting, base + "/api/v1/hosts", VIEWER);
        HttpResponse<String> anonymous = get(trusting, base + "/api/v1/hosts", null);

        assertEquals(200, hosts.statusCode(), hosts.body());
        JsonNode body = JSON.readTree(hosts.body());
        assertTrue(body.get("items").isArray(), hosts.body());
        assertEquals(401, anonymous.statusCode(), anonymous.body());
    }

    @Test
    void aProxyMayForwardItsPublicHostName() throws IOException {
        try (Socket socket = ca.trustingOnlyThis().getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /health HTTP/1.1\r\nHost: tunnelvision.example.org\r\n"
                    + "X-Forwarded-Proto: https\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);

            assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
        }
    }

    @Test
    void tls12IsStillAccepted() throws Exception {
        HttpResponse<String> response = get(client(ca, "TLSv1.2"), base + "/health", null);

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("TLSv1.2", response.sslSession().orElseThrow().getProtocol());
    }

    @Test
    void theDashboardIsServedOverHttpsWithLinksThatStayOnIt() throws Exception {
        HttpResponse<String> root = get(trusting, base + "/", null);
        HttpResponse<String> page = get(trusting, base + "/ui/", null);
        HttpResponse<String> script = get(trusting, base + "/ui/js/api.js", null);

        assertEquals(302, root.statusCode());
        assertEquals("/ui/", root.headers().firstValue("Location").orElseThrow(),
                "a relative redirect keeps the scheme and host, also behind a proxy");
        assertEquals(200, page.statusCode());
        assertEquals(200, script.statusCode());
        for (String text : List.of(page.body(), script.body())) {
            assertFalse(text.contains("http://"), "mixed content on an HTTPS page");
        }
    }

    @Test
    void theCertificateExpiryIsAMetric() throws Exception {
        String metrics = get(trusting, base + "/metrics", null).body();

        String line = metrics.lines().filter(l -> l.startsWith("tunnelvision_api_tls_certificate_expiry_seconds"))
                .findFirst().orElseThrow(() -> new AssertionError("no expiry gauge in\n" + metrics));
        double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        assertEquals(certificate.certificate().getNotAfter().toInstant().getEpochSecond(), (long) value);
    }

    @Test
    void aClientThatDoesNotTrustTheCaIsRefused() {
        TestCa stranger = TestCa.root("a CA the api does not use");

        for (HttpClient client : List.of(client(null, null), client(stranger, null))) {
            IOException error = assertThrows(IOException.class, () -> get(client, base + "/health", null));
            assertInstanceOf(SSLHandshakeException.class, error, error.toString());
        }
    }

    @Test
    void plainHttpToTheHttpsPortGetsATlsAlertAndAClosedConnection() throws IOException {
        HttpClient plain = client(null, null);

        assertThrows(IOException.class, () -> get(plain, "http://localhost:" + server.port() + "/health", null));
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] answer = socket.getInputStream().readNBytes(512);

            assertEquals(7, answer.length, "one alert record, then the end of the stream");
            assertEquals(0x15, answer[0], "a TLS alert, not an HTTP answer");
            assertEquals(2, answer[5], "fatal");
        }
    }

    @Test
    void aTls11HelloIsAnsweredWithAProtocolVersionAlert() throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(clientHello(0x0302));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] alert = new byte[7];
            new DataInputStream(in).readFully(alert);

            assertEquals(0x15, alert[0], "an alert record, not a ServerHello");
            assertArrayEquals(new byte[] {0, 2, 2, 70}, new byte[] {alert[3], alert[4], alert[5], alert[6]},
                    "a fatal protocol_version alert");
        }
    }

    /** A minimal ClientHello (RFC 5246 7.4.1.2) offering only {@code version}, with two CBC suites. */
    private static byte[] clientHello(int version) {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        byte[] body = new byte[2 + 32 + 1 + 2 + 4 + 2];
        int i = 0;
        body[i++] = (byte) (version >> 8);
        body[i++] = (byte) version;
        System.arraycopy(random, 0, body, i, 32);
        i += 32;
        body[i++] = 0; // no session id
        body[i++] = 0;
        body[i++] = 4;
        body[i++] = (byte) 0xC0; // TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA
        body[i++] = 0x09;
        body[i++] = (byte) 0xC0; // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
        body[i++] = 0x13;
        body[i++] = 1; // one compression method: none
        body[i] = 0;
        byte[] record = new byte[5 + 4 + body.length];
        record[0] = 0x16; // handshake
        record[1] = 0x03;
        record[2] = 0x01;
        record[3] = (byte) ((4 + body.length) >> 8);
        record[4] = (byte) (4 + body.length);
        record[5] = 0x01; // client_hello
        record[6] = 0;
        record[7] = (byte) (body.length >> 8);
        record[8] = (byte) body.length;
        System.arraycopy(body, 0, record, 9, body.length);
        return record;
    }
}
