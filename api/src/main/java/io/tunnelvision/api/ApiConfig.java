package io.tunnelvision.api;

import io.tunnelvision.api.db.Retention;
import io.tunnelvision.api.http.ApiToken;
import io.tunnelvision.config.ConfigException;
import io.tunnelvision.config.Env;
import io.tunnelvision.config.KafkaSettings;
import io.tunnelvision.config.Setting;
import io.tunnelvision.schemas.topic.Topics;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import org.postgresql.Driver;

/** Everything the api reads from its environment. */
public final class ApiConfig {

    public static final Setting DB_URL = Setting.required("TUNNELVISION_DB_URL",
            "JDBC URL of the PostgreSQL database, e.g. jdbc:postgresql://db:5432/tunnelvision"
                    + " (add ?currentSchema=NAME to keep the tables in their own schema)");
    public static final Setting DB_USER = Setting.optional("TUNNELVISION_DB_USER", "tunnelvision",
            "Database user");
    public static final Setting DB_PASSWORD = Setting.optional("TUNNELVISION_DB_PASSWORD", "",
            "Database password; empty sends none (the server trusts the client, or ~/.pgpass supplies it)");
    public static final Setting HTTP_PORT = Setting.optional("TUNNELVISION_API_HTTP_PORT", "8080",
            "TCP port the HTTP API listens on");

    public static final Setting TOKENS = Setting.optional("TUNNELVISION_API_TOKENS", "",
            "Bearer tokens the HTTP API accepts, as name:role:sha256hex entries separated by commas; role is viewer"
                    + " or operator, and the hash is the SHA-256 of the token (sha256sum), never the token itself."
                    + " Empty: every /api/v1 route answers 401");
    public static final Setting CONSUMER_GROUP = Setting.optional("TUNNELVISION_API_CONSUMER_GROUP",
            "tunnelvision-api", "Kafka consumer group of the ingest consumer; instances in one group share the work");
    public static final Setting DB_POOL_SIZE = Setting.optional("TUNNELVISION_API_DB_POOL_SIZE", "8",
            "Largest number of database connections (ingest, HTTP and maintenance together)");
    public static final Setting RETENTION_RAW = Setting.optional("TUNNELVISION_API_RETENTION_RAW", "PT2H",
            "How long per-second rates are kept (ISO-8601 or 2h); partitions are whole hours, so up to an hour more."
                    + " A 64-CPU gateway writes about 16 MB of them per hour (api/README.md)");
    public static final Setting RETENTION_MINUTE = Setting.optional("TUNNELVISION_API_RETENTION_MINUTE", "P30D",
            "How long 1-minute rollups and latency probes are kept");
    public static final Setting RETENTION_HOUR = Setting.optional("TUNNELVISION_API_RETENTION_HOUR", "P365D",
            "How long 1-hour rollups are kept");

    private static final String JDBC_PREFIX = "jdbc:postgresql:";
    private static final Pattern PASSWORD_IN_URL = Pattern.compile("(?i)(password=)[^&]*");

    private final String kafkaBootstrap;
    private final Topics topics;
    private final String dbUrl;
    private final String dbUser;
    private final String dbPassword;
    private final int httpPort;
    private final List<ApiToken> tokens;
    private final String consumerGroup;
    private final int dbPoolSize;
    private final Retention retention;

    public ApiConfig(Env env) {
        this.kafkaBootstrap = env.string(KafkaSettings.BOOTSTRAP);
        this.topics = KafkaSettings.topics(env);
        this.dbUrl = env.string(DB_URL);
        if (!dbUrl.startsWith(JDBC_PREFIX) || Driver.parseURL(dbUrl, new Properties()) == null) {
            throw new ConfigException(DB_URL.env() + "=" + masked(dbUrl)
                    + " is not a PostgreSQL JDBC URL: use jdbc:postgresql://HOST:PORT/DATABASE");
        }
        this.dbUser = env.string(DB_USER);
        this.dbPassword = env.string(DB_PASSWORD);
        this.httpPort = env.integer(HTTP_PORT, 1, 65_535);
        try {
            this.tokens = List.copyOf(ApiToken.parseAll(env.string(TOKENS)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(TOKENS.env() + " is not usable: " + e.getMessage(), e);
        }
        this.consumerGroup = env.string(CONSUMER_GROUP);
        this.dbPoolSize = env.integer(DB_POOL_SIZE, 2, 200);
        try {
            this.retention = new Retention(env.duration(RETENTION_RAW), env.duration(RETENTION_MINUTE),
                    env.duration(RETENTION_HOUR));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(RETENTION_RAW.env() + ", " + RETENTION_MINUTE.env() + " and "
                    + RETENTION_HOUR.env() + " do not fit together: " + e.getMessage(), e);
        }
    }

    public static List<Setting> settings() {
        return List.of(KafkaSettings.BOOTSTRAP, KafkaSettings.TOPIC_NAMESPACE, DB_URL, DB_USER, DB_PASSWORD, HTTP_PORT,
                TOKENS, CONSUMER_GROUP, DB_POOL_SIZE, RETENTION_RAW, RETENTION_MINUTE, RETENTION_HOUR);
    }

    public String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    /** The topic registry in the configured namespace. */
    public Topics topics() {
        return topics;
    }

    public String dbUrl() {
        return dbUrl;
    }

    public String dbUser() {
        return dbUser;
    }

    public String dbPassword() {
        return dbPassword;
    }

    public int httpPort() {
        return httpPort;
    }

    /** The accepted tokens, by hash; the tokens themselves are never configured. */
    public List<ApiToken> tokens() {
        return tokens;
    }

    public String consumerGroup() {
        return consumerGroup;
    }

    public int dbPoolSize() {
        return dbPoolSize;
    }

    public Retention retention() {
        return retention;
    }

    /** Safe to log: the password, whether set on its own or inside the URL, is never shown. */
    @Override
    public String toString() {
        return "ApiConfig{kafkaBootstrap=" + kafkaBootstrap + ", topicNamespace=" + topics.namespace()
                + ", dbUrl=" + masked(dbUrl) + ", dbUser=" + dbUser
                + ", dbPassword=" + (dbPassword.isEmpty() ? "(none)" : "***") + ", httpPort=" + httpPort + ", tokens=" + tokens + ", consumerGroup=" + consumerGroup
                + ", dbPoolSize=" + dbPoolSize + ", retention=" + retention + "}";
    }

    private static String masked(String url) {
        return PASSWORD_IN_URL.matcher(url).replaceAll("$1***");
    }

}
