package io.tunnelvision.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.api.db.DatabaseTimeouts;
import io.tunnelvision.api.http.ApiListener;
import io.tunnelvision.config.ConfigException;
import io.tunnelvision.config.Env;
import io.tunnelvision.config.KafkaSettings;
import io.tunnelvision.config.Setting;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiConfigTest {

    private static final String URL = "jdbc:postgresql://db.example:5432/tunnelvision";

    @Test
    void unsetSettingsTakeTheirDefaults() {
        ApiConfig config = new ApiConfig(new Env(Map.of("TUNNELVISION_DB_URL", URL)));

        assertEquals("localhost:9092", config.kafkaBootstrap());
        assertEquals("", config.topics().namespace());
        assertEquals(URL, config.dbUrl());
        assertEquals("tunnelvision", config.dbUser());
        assertEquals("", config.dbPassword());
        assertEquals(8080, config.httpPort());
        assertEquals(ApiListener.http(8080), config.listener(), "plain HTTP on every interface");
        assertEquals(java.util.List.of(), config.tokens());
        assertEquals("tunnelvision-api", config.consumerGroup());
        assertEquals(8, config.dbPoolSize());
        assertEquals(io.tunnelvision.api.db.Retention.DEFAULT, config.retention());
        assertEquals(DatabaseTimeouts.DEFAULT, config.dbTimeouts());
        assertEquals(Duration.ofHours(1), config.maxFuture());
    }

    @Test
    void databaseTimeoutsAreReadAndASocketTimeoutNoLongerThanTheStatementTimeoutIsRefused() {
        ApiConfig config = new ApiConfig(new Env(Map.of("TUNNELVISION_DB_URL", URL,
                "TUNNELVISION_API_DB_CONNECT_TIMEOUT", "2s", "TUNNELVISION_API_DB_SOCKET_TIMEOUT", "5s",
                "TUNNELVISION_API_DB_STATEMENT_TIMEOUT", "4s", "TUNNELVISION_API_DB_POOL_TIMEOUT", "500ms")));

        assertEquals(new DatabaseTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(4),
                Duration.ofMillis(500)), config.dbTimeouts());
        ConfigException tooShort = assertThrows(ConfigException.class, () -> new ApiConfig(new Env(Map.of(
                "TUNNELVISION_DB_URL", URL, "TUNNELVISION_API_DB_SOCKET_TIMEOUT", "30s"))));
        assertTrue(tooShort.getMessage().contains("TUNNELVISION_API_DB_SOCKET_TIMEOUT")
                && tooShort.getMessage().contains("must be longer than the statement timeout"), tooShort.getMessage());
        ConfigException never = assertThrows(ConfigException.class, () -> new ApiConfig(new Env(Map.of(
                "TUNNELVISION_DB_URL", URL, "TUNNELVISION_API_DB_CONNECT_TIMEOUT", "0s"))));
        assertTrue(never.getMessage().contains("at least"), never.getMessage());
    }

    @Test
    void theFutureBoundStaysWithinThePartitionsMadeAhead() {
        assertEquals(Duration.ofMinutes(10), new ApiConfig(new Env(Map.of("TUNNELVISION_DB_URL", URL,
                "TUNNELVISION_API_MAX_FUTURE", "10m"))).maxFuture());
        for (String bad : new String[] {"P365D", "3h", "10s"}) {
            ConfigException error = assertThrows(ConfigException.class, () -> new ApiConfig(new Env(Map.of(
                    "TUNNELVISION_DB_URL", URL, "TUNNELVISION_API_MAX_FUTURE", bad))));
            assertTrue(error.getMessage().startsWith("TUNNELVISION_API_MAX_FUTURE=" + bad + " is out of range"),
                    error.getMessage());
        }
    }

    @Test
    void tokensAndRetentionAreReadAndCheckedTogether() {
        String hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        ApiConfig config = new ApiConfig(new Env(Map.of("TUNNELVISION_DB_URL", URL,
                "TUNNELVISION_API_TOKENS", "alice:operator:" + hash,
                "TUNNELVISION_API_RETENTION_RAW", "2h",
                "TUNNELVISION_API_RETENTION_MINUTE", "P14D",
                "TUNNELVISION_API_RETENTION_HOUR", "P90D")));

        assertEquals("alice", config.tokens().get(0).name());
        assertEquals(java.time.Duration.ofHours(2), config.retention().raw());
        assertFalse(config.toString().contains(hash), "hashes stay out of logs too");
        ConfigException tokens = assertThrows(ConfigException.class, () -> new ApiConfig(new Env(Map.of(
                "TUNNELVISION_DB_URL", URL, "TUNNELVISION_API_TOKENS", "alice:root:" + hash))));
        assertTrue(tokens.getMessage().startsWith("TUNNELVISION_API_TOKENS is not usable"), tokens.getMessage());
        ConfigException retention = assertThrows(ConfigException.class, () -> new ApiConfig(new Env(Map.of(
                "TUNNELVISION_DB_URL", URL, "TUNNELVISION_API_RETENTION_MINUTE", "1h",
                "TUNNELVISION_API_RETENTION_RAW", "2h"))));
        assertTrue(retention.getMessage().contains("TUNNELVISION_API_RETENTION_RAW"), retention.getMessage());
    }

    @Test
    void everySettingCanBeOverridden() {
        ApiConfig config = new ApiConfig(new Env(Map.of(
                "TUNNELVISION_KAFKA_BOOTSTRAP", "kafka:9092",
                "TUNNELVISION_TOPIC_NAMESPACE", "staging",
                "TUNNELVISION_DB_URL", URL + "?currentSchema=tv",
                "TUNNELVISION_DB_USER", "api",
                "TUNNELVISION_DB_PASSWORD", "s3cret",
                "TUNNELVISION_API_HTTP_PORT", "18080")));

        assertEquals("kafka:9092", config.kafkaBootstrap());
        assertEquals("staging", config.topics().namespace());
        assertEquals(URL + "?currentSchema=tv", config.dbUrl());
        assertEquals("api", config.dbUser());
        assertEquals("s3cret", config.dbPassword());
        assertEquals(18080, config.httpPort());
    }

    @Test
    void theDatabaseUrlIsRequired() {
        ConfigException error = assertThrows(ConfigException.class, () -> new ApiConfig(new Env(Map.of())));

        assertTrue(error.getMessage().contains("TUNNELVISION_DB_URL is not set"), error.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgres://db:5432/tunnelvision", "jdbc:mysql://db:3306/tunnelvision",
            "jdbc:postgresql://db:notaport/tunnelvision"})
    void aUrlThatIsNotPostgresJdbcIsRejected(String url) {
        ConfigException error = assertThrows(ConfigException.class,
                () -> new ApiConfig(new Env(Map.of("TUNNELVISION_DB_URL", url))));

        assertTrue(error.getMessage().startsWith("TUNNELVISION_DB_URL=" + url + " is not a PostgreSQL JDBC URL"),
                error.getMessage());
    }

    @Test
    void aBadPortIsRejectedWithAMessageNamingTheVariable() {
        ConfigException error = assertThrows(ConfigException.class, () -> new ApiConfig(new Env(Map.of(
                "TUNNELVISION_DB_URL", URL,
                "TUNNELVISION_API_HTTP_PORT", "http"))));

        assertTrue(error.getMessage().contains("TUNNELVISION_API_HTTP_PORT=http"), error.getMessage());
    }

    @Test
    void aBadTopicNamespaceIsRejectedWithAMessageNamingTheVariable() {
        ConfigException error = assertThrows(ConfigException.class, () -> new ApiConfig(new Env(Map.of(
                "TUNNELVISION_DB_URL", URL,
                "TUNNELVISION_TOPIC_NAMESPACE", "Staging_1"))));

        assertTrue(error.getMessage().contains("TUNNELVISION_TOPIC_NAMESPACE=Staging_1"), error.getMessage());
    }

    @Test
    void theDecisionKeyIsOptionalAndAPathWhenGiven() {
        ApiConfig without = new ApiConfig(new Env(Map.of("TUNNELVISION_DB_URL", URL)));
        ApiConfig with = new ApiConfig(new Env(Map.of("TUNNELVISION_DB_URL", URL,
                "TUNNELVISION_API_DECISION_KEY_FILE", "/var/lib/tunnelvision/keys/api.key.pem")));

        assertEquals(java.util.Optional.empty(), without.decisionKeyFile());
        assertEquals(java.util.Optional.of(java.nio.file.Path.of("/var/lib/tunnelvision/keys/api.key.pem")),
                with.decisionKeyFile());
        assertTrue(with.toString().contains("decisionKeyFile=/var/lib/tunnelvision/keys/api.key.pem"));
    }

    @Test
    void passwordsNeverAppearInTheLoggedForm() {
        ApiConfig config = new ApiConfig(new Env(Map.of(
                "TUNNELVISION_DB_URL", URL + "?user=api&password=in-url-secret&ssl=true",
                "TUNNELVISION_DB_PASSWORD", "variable-secret")));

        String logged = config.toString();

        assertFalse(logged.contains("secret"), logged);
        assertTrue(logged.contains("ssl=true"), "the rest of the URL should stay readable: " + logged);
    }

    @Test
    void settingsListEachVariableItReadsOnceIncludingTheSharedKafkaOnes() {
        var names = new HashSet<String>();
        for (Setting setting : ApiConfig.settings()) {
            assertTrue(names.add(setting.env()), "listed twice: " + setting.env());
        }
        for (Setting kafka : KafkaSettings.all()) {
            assertTrue(names.contains(kafka.env()), "missing " + kafka.env());
        }
        assertEquals(36, names.size());
    }

    @Test
    void aWebhookWithoutItsSecretFileOrABadUrlIsRefusedAndTheSecretIsNeverShown(@org.junit.jupiter.api.io.TempDir
                                                                                java.nio.file.Path dir)
            throws java.io.IOException {
        ConfigException noSecret = assertThrows(ConfigException.class, () -> new ApiConfig(new Env(Map.of(
                "TUNNELVISION_DB_URL", URL, "TUNNELVISION_ALERT_WEBHOOK_URL", "https://hooks.example/tv"))));
        assertTrue(noSecret.getMessage().contains("TUNNELVISION_ALERT_WEBHOOK_SECRET_FILE"), noSecret.getMessage());
        ConfigException badUrl = assertThrows(ConfigException.class, () -> new ApiConfig(new Env(Map.of(
                "TUNNELVISION_DB_URL", URL, "TUNNELVISION_ALERTMANAGER_URL", "alertmanager:9093"))));
        assertTrue(badUrl.getMessage().contains("TUNNELVISION_ALERTMANAGER_URL"), badUrl.getMessage());

        java.nio.file.Path secret = dir.resolve("hook.secret");
        java.nio.file.Files.writeString(secret, "a-webhook-secret-nobody-may-see\n");
        ApiConfig config = new ApiConfig(new Env(Map.of("TUNNELVISION_DB_URL", URL,
                "TUNNELVISION_ALERT_WEBHOOK_URL", "https://hooks.example/tv",
                "TUNNELVISION_ALERT_WEBHOOK_SECRET_FILE", secret.toString(),
                "TUNNELVISION_ALERTMANAGER_URL", "http://am:s3cret@alertmanager:9093")));
        assertEquals(List.of("alertmanager", "webhook"), config.alerts().targets());
        assertFalse(config.toString().contains("a-webhook-secret"), config.toString());
        assertFalse(config.toString().contains("s3cret"), config.toString());
    }
}
