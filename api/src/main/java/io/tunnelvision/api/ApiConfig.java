package io.tunnelvision.api;

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

    private static final String JDBC_PREFIX = "jdbc:postgresql:";
    private static final Pattern PASSWORD_IN_URL = Pattern.compile("(?i)(password=)[^&]*");

    private final String kafkaBootstrap;
    private final Topics topics;
    private final String dbUrl;
    private final String dbUser;
    private final String dbPassword;
    private final int httpPort;

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
    }

    public static List<Setting> settings() {
        return List.of(KafkaSettings.BOOTSTRAP, KafkaSettings.TOPIC_NAMESPACE, DB_URL, DB_USER, DB_PASSWORD, HTTP_PORT);
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

    /** Safe to log: the password, whether set on its own or inside the URL, is never shown. */
    @Override
    public String toString() {
        return "ApiConfig{kafkaBootstrap=" + kafkaBootstrap + ", topicNamespace=" + topics.namespace()
                + ", dbUrl=" + masked(dbUrl) + ", dbUser=" + dbUser
                + ", dbPassword=" + (dbPassword.isEmpty() ? "(none)" : "***") + ", httpPort=" + httpPort + "}";
    }

    private static String masked(String url) {
        return PASSWORD_IN_URL.matcher(url).replaceAll("$1***");
    }

}
