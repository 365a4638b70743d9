package io.tunnelvision.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tunnelvision.embedded.fixture.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class KafkaSecurityTest {

    private static final String PASSWORD = "s3cret\"with\\odd-chars";
    private static final TestPki PKI = TestPki.create("kafka-security-test-ca");
    private static final TestPki.Identity CLIENT = PKI.issue("CN=agent", List.of());

    @TempDir
    static Path dir;
    private static Path passwordFile;
    private static Path caFile;
    private static TestPki.PemFiles clientFiles;

    @BeforeAll
    static void files() throws IOException {
        passwordFile = Files.writeString(dir.resolve("password"), PASSWORD + "\n");
        caFile = PKI.writeCa(dir, "ca.crt");
        clientFiles = CLIENT.written(dir, "client");
    }

    @Test
    void withoutSettingsClientsTalkPlaintext() {
        KafkaSecurity security = KafkaSecurity.from(new Env(Map.of()));
        assertFalse(security.enabled());
        assertEquals(Map.of(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT"), security.clientProperties());
        assertEquals(security.clientProperties(), KafkaSecurity.none().clientProperties());
    }

    @Test
    void scramOverTlsBecomesAJaasLoginAndAPemTruststoreWithHostNamesChecked() {
        Map<String, Object> props = KafkaSecurity.from(env(Map.of(
                "TUNNELVISION_KAFKA_SECURITY_PROTOCOL", "sasl_ssl",
                "TUNNELVISION_KAFKA_SASL_USERNAME", "agent",
                "TUNNELVISION_KAFKA_SASL_PASSWORD_FILE", passwordFile.toString(),
                "TUNNELVISION_KAFKA_SSL_CA_FILE", caFile.toString()))).clientProperties();

        assertEquals("SASL_SSL", props.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG));
        assertEquals("SCRAM-SHA-512", props.get(SaslConfigs.SASL_MECHANISM));
        Password jaas = assertInstanceOf(Password.class, props.get(SaslConfigs.SASL_JAAS_CONFIG));
        // the file's newline is not part of the password; quote and backslash are escaped for the JAAS parser
        assertEquals("org.apache.kafka.common.security.scram.ScramLoginModule required username=\"agent\""
                + " password=\"s3cret\\\"with\\\\odd-chars\";", jaas.value());
        assertEquals("https", props.get(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG));
        assertEquals("PEM", props.get(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG));
        assertEquals(PKI.caPem().strip(), ((Password) props.get(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG))
                .value());
        assertFalse(props.containsKey(SslConfigs.SSL_KEYSTORE_KEY_CONFIG), "no client certificate was configured");
    }

    @Test
    void plainOverTlsUsesThePlainLoginModule() {
        Map<String, Object> props = KafkaSecurity.from(env(Map.of(
                "TUNNELVISION_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "TUNNELVISION_KAFKA_SASL_MECHANISM", "PLAIN",
                "TUNNELVISION_KAFKA_SASL_USERNAME", "api",
                "TUNNELVISION_KAFKA_SASL_PASSWORD_FILE", passwordFile.toString()))).clientProperties();
        assertEquals("PLAIN", props.get(SaslConfigs.SASL_MECHANISM));
        assertTrue(((Password) props.get(SaslConfigs.SASL_JAAS_CONFIG)).value()
                .startsWith("org.apache.kafka.common.security.plain.PlainLoginModule required username=\"api\""));
        assertFalse(props.containsKey(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG), "no CA: the JVM's CAs");
    }

    @Test
    void aClientCertificateAndKeyBecomeAPemKeystore() {
        Map<String, Object> props = KafkaSecurity.from(env(Map.of(
                "TUNNELVISION_KAFKA_SECURITY_PROTOCOL", "SSL",
                "TUNNELVISION_KAFKA_SSL_CA_FILE", caFile.toString(),
                "TUNNELVISION_KAFKA_SSL_CERT_FILE", clientFiles.certificate().toString(),
                "TUNNELVISION_KAFKA_SSL_KEY_FILE", clientFiles.key().toString()))).clientProperties();
        assertEquals("SSL", props.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG));
        assertEquals("PEM", props.get(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG));
        assertEquals(CLIENT.certificateChainPem().strip(),
                ((Password) props.get(SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG)).value());
        assertEquals(CLIENT.privateKeyPem().strip(), ((Password) props.get(SslConfigs.SSL_KEYSTORE_KEY_CONFIG))
                .value());
        assertFalse(props.containsKey(SaslConfigs.SASL_JAAS_CONFIG));
    }

    @Test
    void badCombinationsAreRefusedWithTheVariablesName() {
        assertRefused(Map.of("TUNNELVISION_KAFKA_SECURITY_PROTOCOL", "TLS"),
                "TUNNELVISION_KAFKA_SECURITY_PROTOCOL=TLS is not one of [PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL]");
        assertRefused(Map.of("TUNNELVISION_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                        "TUNNELVISION_KAFKA_SASL_PASSWORD_FILE", "/run/secrets/x"),
                "TUNNELVISION_KAFKA_SASL_USERNAME is not set: SASL_SSL with SCRAM-SHA-512 needs a user name");
        assertRefused(Map.of("TUNNELVISION_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                        "TUNNELVISION_KAFKA_SASL_USERNAME", "agent"),
                "TUNNELVISION_KAFKA_SASL_PASSWORD_FILE is not set");
        assertRefused(Map.of("TUNNELVISION_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                        "TUNNELVISION_KAFKA_SASL_MECHANISM", "GSSAPI", "TUNNELVISION_KAFKA_SASL_USERNAME", "agent"),
                "TUNNELVISION_KAFKA_SASL_MECHANISM=GSSAPI is not one of SCRAM-SHA-512, PLAIN");
        assertRefused(Map.of("TUNNELVISION_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                        "TUNNELVISION_KAFKA_SASL_MECHANISM", "PLAIN", "TUNNELVISION_KAFKA_SASL_USERNAME", "agent",
                        "TUNNELVISION_KAFKA_SASL_PASSWORD_FILE", "/run/secrets/x"),
                "PLAIN sends the password itself");
        assertRefused(Map.of("TUNNELVISION_KAFKA_SECURITY_PROTOCOL", "SSL",
                        "TUNNELVISION_KAFKA_SSL_CERT_FILE", "/x.crt"),
                "TUNNELVISION_KAFKA_SSL_CERT_FILE is set but TUNNELVISION_KAFKA_SSL_KEY_FILE is not");
        assertRefused(Map.of("TUNNELVISION_KAFKA_SECURITY_PROTOCOL", "SSL",
                        "TUNNELVISION_KAFKA_SSL_KEY_FILE", "/x.key"),
                "TUNNELVISION_KAFKA_SSL_KEY_FILE is set but TUNNELVISION_KAFKA_SSL_CERT_FILE is not");
        assertRefused(Map.of("TUNNELVISION_KAFKA_SSL_CA_FILE", "/ca.crt"),
                "TUNNELVISION_KAFKA_SSL_CA_FILE is set but TUNNELVISION_KAFKA_SECURITY_PROTOCOL=PLAINTEXT has no TLS");
        assertRefused(Map.of("TUNNELVISION_KAFKA_SECURITY_PROTOCOL", "SSL",
                        "TUNNELVISION_KAFKA_SASL_USERNAME", "agent"),
                "TUNNELVISION_KAFKA_SASL_USERNAME is set but TUNNELVISION_KAFKA_SECURITY_PROTOCOL=SSL does not use"
                        + " SASL");
        assertRefused(Map.of("TUNNELVISION_KAFKA_CONFIG_FILE", "/client.properties",
                        "TUNNELVISION_KAFKA_SECURITY_PROTOCOL", "SSL"),
                "TUNNELVISION_KAFKA_CONFIG_FILE and [TUNNELVISION_KAFKA_SECURITY_PROTOCOL] are both set");
    }

    @Test
    void filesThatCannotBeUsedAreRefusedWhenTheClientIsWired() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        Path twoLines = Files.writeString(dir.resolve("two-lines"), "first\nsecond\n");
        Path pkcs1 = Files.writeString(dir.resolve("rsa.key"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n");
        Path notPem = Files.writeString(dir.resolve("ca.txt"), "hello");

        assertUnusable(sasl(dir.resolve("missing")), "TUNNELVISION_KAFKA_SASL_PASSWORD_FILE=" + dir.resolve("missing")
                + " cannot be read: java.nio.file.NoSuchFileException");
        assertUnusable(sasl(empty), "TUNNELVISION_KAFKA_SASL_PASSWORD_FILE=" + empty + " is empty");
        assertUnusable(sasl(twoLines), "holds more than one line");
        assertUnusable(Map.of("TUNNELVISION_KAFKA_SECURITY_PROTOCOL", "SSL", "TUNNELVISION_KAFKA_SSL_CA_FILE",
                notPem.toString()), "TUNNELVISION_KAFKA_SSL_CA_FILE=" + notPem + " holds no PEM certificate");
        assertUnusable(Map.of("TUNNELVISION_KAFKA_SECURITY_PROTOCOL", "SSL",
                        "TUNNELVISION_KAFKA_SSL_CERT_FILE", clientFiles.certificate().toString(),
                        "TUNNELVISION_KAFKA_SSL_KEY_FILE", pkcs1.toString()),
                "starts with '-----BEGIN RSA PRIVATE KEY-----', not an unencrypted PKCS#8 key");
    }

    @Test
    void aClientPropertiesFileGivesOnlySecurityKeysAndHidesItsSecrets() throws IOException {
        Path file = Files.writeString(dir.resolve("client.properties"), """
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\
                  username="streams" password="from-the-file";
                ssl.truststore.location=/etc/ca.jks
                ssl.truststore.password=changeit
                """);
        Map<String, Object> props = KafkaSecurity.from(env(Map.of("TUNNELVISION_KAFKA_CONFIG_FILE", file.toString())))
                .clientProperties();
        assertEquals("SASL_SSL", props.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG));
        assertEquals("/etc/ca.jks", props.get(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG));
        assertEquals("changeit", assertInstanceOf(Password.class,
                props.get(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG)).value());
        assertInstanceOf(Password.class, props.get(SaslConfigs.SASL_JAAS_CONFIG));
        assertFalse(props.toString().contains("from-the-file"));

        Path tooMuch = Files.writeString(dir.resolve("too-much.properties"),
                "security.protocol=SSL\nbootstrap.servers=elsewhere:9092\n");
        assertUnusable(Map.of("TUNNELVISION_KAFKA_CONFIG_FILE", tooMuch.toString()),
                "sets 'bootstrap.servers', which is not a client security setting");
        Path noHostCheck = Files.writeString(dir.resolve("no-host-check.properties"),
                "security.protocol=SSL\nssl.endpoint.identification.algorithm=\n");
        assertUnusable(Map.of("TUNNELVISION_KAFKA_CONFIG_FILE", noHostCheck.toString()),
                "switches off the check of the broker's host name");
    }

    @Test
    void noSecretAppearsInToStringInThePropertiesOrInWhatKafkaLogs() {
        KafkaSecurity security = KafkaSecurity.from(env(Map.of(
                "TUNNELVISION_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "TUNNELVISION_KAFKA_SASL_USERNAME", "agent",
                "TUNNELVISION_KAFKA_SASL_PASSWORD_FILE", passwordFile.toString(),
                "TUNNELVISION_KAFKA_SSL_CA_FILE", caFile.toString(),
                "TUNNELVISION_KAFKA_SSL_CERT_FILE", clientFiles.certificate().toString(),
                "TUNNELVISION_KAFKA_SSL_KEY_FILE", clientFiles.key().toString())));
        assertEquals("KafkaSecurity[SASL_SSL, SCRAM-SHA-512 as agent (password in " + passwordFile
                + "), broker checked against " + caFile + ", client certificate " + clientFiles.certificate() + "]",
                security.toString());
        Map<String, Object> props = security.clientProperties();
        assertNoSecret(props.toString());

        // Kafka logs every client's configuration at INFO when the client is made (ProducerConfig values: ...)
        Logger kafka = (Logger) LoggerFactory.getLogger("org.apache.kafka");
        Level before = kafka.getLevel();
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        kafka.addAppender(logged);
        kafka.setAdditive(false);
        kafka.setLevel(Level.DEBUG);
        try {
            Map<String, Object> producer = new HashMap<>(props);
            producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
            new KafkaProducer<>(producer, new ByteArraySerializer(), new ByteArraySerializer()).close();
        } finally {
            kafka.setLevel(before);
            kafka.setAdditive(true);
            kafka.detachAppender(logged);
        }
        String log = String.join("\n", logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
        assertTrue(log.contains("sasl.jaas.config = [hidden]"), "Kafka logged no client configuration:\n" + log);
        assertNoSecret(log);
    }

    private static void assertNoSecret(String text) {
        assertFalse(text.contains("s3cret"), "the password shows: " + text);
        String keyBody = CLIENT.privateKeyPem().lines().skip(1).findFirst().orElseThrow();
        assertFalse(text.contains(keyBody), "the private key shows: " + text);
    }

    private static Map<String, String> sasl(Path password) {
        return Map.of("TUNNELVISION_KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "TUNNELVISION_KAFKA_SASL_USERNAME",
                "agent", "TUNNELVISION_KAFKA_SASL_PASSWORD_FILE", password.toString());
    }

    private static void assertRefused(Map<String, String> vars, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> KafkaSecurity.from(env(vars)));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    private static void assertUnusable(Map<String, String> vars, String message) {
        KafkaSecurity security = KafkaSecurity.from(env(vars));
        ConfigException e = assertThrows(ConfigException.class, security::clientProperties);
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    private static Env env(Map<String, String> vars) {
        return new Env(vars);
    }
}
