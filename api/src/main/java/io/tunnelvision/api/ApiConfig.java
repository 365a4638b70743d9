package io.tunnelvision.api;

import io.tunnelvision.api.alert.AlertSettings;
import io.tunnelvision.api.alert.WebhookSecret;
import io.tunnelvision.api.db.DatabaseTimeouts;
import io.tunnelvision.api.db.PartitionMaintenance;
import io.tunnelvision.api.db.Retention;
import io.tunnelvision.api.http.ApiListener;
import io.tunnelvision.api.http.ApiToken;
import io.tunnelvision.api.tls.TlsFiles;
import io.tunnelvision.api.tls.TlsIdentity;
import io.tunnelvision.config.ConfigException;
import io.tunnelvision.config.Env;
import io.tunnelvision.config.KafkaRoles;
import io.tunnelvision.config.KafkaSecurity;
import io.tunnelvision.config.KafkaSettings;
import io.tunnelvision.config.Setting;
import io.tunnelvision.schemas.topic.Topics;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
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
    public static final Setting HTTP_HOST = Setting.optional("TUNNELVISION_API_HTTP_HOST", "",
            "Address the HTTP API listens on; empty for every interface. 127.0.0.1 when a reverse proxy on the same"
                    + " host terminates TLS (docs/reverse-proxy.md)");
    public static final Setting TLS_CERT_FILE = Setting.optional("TUNNELVISION_API_TLS_CERT_FILE", "",
            "PEM file with the api's certificate first, then its intermediates; set with"
                    + " TUNNELVISION_API_TLS_KEY_FILE to serve HTTPS (TLS 1.2 and 1.3) instead of HTTP on"
                    + " TUNNELVISION_API_HTTP_PORT. Empty: plain HTTP");
    public static final Setting TLS_KEY_FILE = Setting.optional("TUNNELVISION_API_TLS_KEY_FILE", "",
            "PEM file with the certificate's unencrypted PKCS#8 private key (BEGIN PRIVATE KEY), readable by the api"
                    + " only; empty: plain HTTP");

    public static final Setting TOKENS = Setting.optional("TUNNELVISION_API_TOKENS", "",
            "Bearer tokens the HTTP API accepts, as name:role:sha256hex entries separated by commas; role is viewer"
                    + " or operator, and the hash is the SHA-256 of the token (sha256sum), never the token itself."
                    + " Empty: every /api/v1 route answers 401");
    /** Shared with topic init, whose ACLs give the api principal this group. */
    public static final Setting CONSUMER_GROUP = KafkaRoles.API_CONSUMER_GROUP;
    public static final Setting DB_POOL_SIZE = Setting.optional("TUNNELVISION_API_DB_POOL_SIZE", "8",
            "Largest number of database connections (ingest, HTTP and maintenance together)");
    public static final Setting DB_CONNECT_TIMEOUT = Setting.optional("TUNNELVISION_API_DB_CONNECT_TIMEOUT", "10s",
            "Longest wait to open a database connection, TCP connect and login together (pgjdbc connectTimeout and"
                    + " loginTimeout, whole seconds); a parameter of the same name in TUNNELVISION_DB_URL wins");
    public static final Setting DB_SOCKET_TIMEOUT = Setting.optional("TUNNELVISION_API_DB_SOCKET_TIMEOUT", "60s",
            "Longest wait for any answer from PostgreSQL on an open connection (pgjdbc socketTimeout, whole seconds):"
                    + " what ends a write to a blackholed server, which TCP alone gives up on after about 15 minutes."
                    + " Longer than TUNNELVISION_API_DB_STATEMENT_TIMEOUT, so a slow query is cancelled by the server"
                    + " first");
    public static final Setting DB_STATEMENT_TIMEOUT = Setting.optional("TUNNELVISION_API_DB_STATEMENT_TIMEOUT",
            "30s", "Longest a statement may run on the server (statement_timeout, sent as the connection's options"
                    + " unless TUNNELVISION_DB_URL has options of its own); covers ingest, queries, rollups and"
                    + " migrations");
    public static final Setting DB_POOL_TIMEOUT = Setting.optional("TUNNELVISION_API_DB_POOL_TIMEOUT", "3s",
            "Longest wait for a pooled connection (Hikari connectionTimeout, at least 250ms): while PostgreSQL is"
                    + " unreachable, ingest backs off, HTTP answers 503 and /health/ready says DOWN after this long");
    public static final Setting MAX_FUTURE = Setting.optional("TUNNELVISION_API_MAX_FUTURE", "1h",
            "A record stamped further ahead of the api's clock than this comes from a wrong clock: it is refused"
                    + " (dead-lettered, counted in tunnelvision_ingest_refused_total{reason=\"future\"}) and no"
                    + " partition is made for it. At most 1 hour, the raw tier's partitions the maintenance job"
                    + " makes ahead anyway");
    public static final Setting RETENTION_RAW = Setting.optional("TUNNELVISION_API_RETENTION_RAW", "PT2H",
            "How long per-second rates are kept (ISO-8601 or 2h); partitions are whole hours, so up to an hour more."
                    + " A 64-CPU gateway writes about 16 MB of them per hour (api/README.md)");
    public static final Setting RETENTION_MINUTE = Setting.optional("TUNNELVISION_API_RETENTION_MINUTE", "P30D",
            "How long 1-minute rollups and latency probes are kept");
    public static final Setting RETENTION_HOUR = Setting.optional("TUNNELVISION_API_RETENTION_HOUR", "P365D",
            "How long 1-hour rollups are kept");
    public static final Setting DECISION_KEY_FILE = Setting.optional("TUNNELVISION_API_DECISION_KEY_FILE", "",
            "Ed25519 private key (PKCS#8 PEM) the api signs operators' approve and reject decisions with (tunnelvision"
                    + " keygen DIR api); its .pub.pem goes to streams' TUNNELVISION_STREAMS_DECISION_KEYS, never to"
                    + " agents. Empty: approve and reject answer 503");

    public static final Setting PUBLIC_URL = Setting.optional("TUNNELVISION_API_PUBLIC_URL", "",
            "The api's URL as operators open it (e.g. https://tunnelvision.example.net); alerts link to the dashboard"
                    + " under it. Empty: alerts carry no links");
    public static final Setting ALERTMANAGER_URL = Setting.optional("TUNNELVISION_ALERTMANAGER_URL", "",
            "Alertmanager to send alerts to (e.g. http://alertmanager:9093; posted to /api/v2/alerts; user:password@"
                    + " in the URL becomes basic auth). Empty: none");
    public static final Setting ALERT_WEBHOOK_URL = Setting.optional("TUNNELVISION_ALERT_WEBHOOK_URL", "",
            "URL that each alert event is posted to as signed JSON (README \"Alerts\"). Empty: none");
    public static final Setting ALERT_WEBHOOK_SECRET_FILE = Setting.optional("TUNNELVISION_ALERT_WEBHOOK_SECRET_FILE",
            "", "File whose first line is the webhook's HMAC-SHA256 key (at least 16 bytes, e.g. openssl rand -hex 32);"
                    + " required with TUNNELVISION_ALERT_WEBHOOK_URL, never logged");
    public static final Setting ALERT_AGENT_SILENT_AFTER = Setting.optional("TUNNELVISION_ALERT_AGENT_SILENT_AFTER",
            "60s", "An agent whose newest sample is older than this is silent (alert agent.silent), 10s to 1d");
    public static final Setting ALERTMANAGER_RESEND_INTERVAL = Setting.optional(
            "TUNNELVISION_ALERTMANAGER_RESEND_INTERVAL", "1m",
            "How often firing alerts are sent to Alertmanager again (each is sent with endsAt four intervals ahead, so"
                    + " it stays firing while the api runs and resolves by itself if it stops), 10s to 1h");
    public static final Setting ALERT_GIVE_UP_AFTER = Setting.optional("TUNNELVISION_ALERT_GIVE_UP_AFTER", "24h",
            "An alert event still undelivered this long after it happened is abandoned (counted and logged); older"
                    + " transitions (a replay of old topics) are not alerted. 1m to 30d");

    private static final String JDBC_PREFIX = "jdbc:postgresql:";
    private static final Pattern PASSWORD_IN_URL = Pattern.compile("(?i)(password=)[^&]*");

    private final String kafkaBootstrap;
    private final KafkaSecurity kafkaSecurity;
    private final Topics topics;
    private final String dbUrl;
    private final String dbUser;
    private final String dbPassword;
    private final int httpPort;
    private final String httpHost;
    private final Optional<TlsIdentity> tls;
    private final List<ApiToken> tokens;
    private final String consumerGroup;
    private final int dbPoolSize;
    private final Retention retention;
    private final DatabaseTimeouts dbTimeouts;
    private final Duration maxFuture;
    private final Optional<Path> decisionKeyFile;
    private final AlertSettings alerts;

    public ApiConfig(Env env) {
        this.kafkaBootstrap = env.string(KafkaSettings.BOOTSTRAP);
        this.kafkaSecurity = KafkaSecurity.from(env);
        this.topics = KafkaSettings.topics(env);
        this.dbUrl = env.string(DB_URL);
        if (!dbUrl.startsWith(JDBC_PREFIX) || Driver.parseURL(dbUrl, new Properties()) == null) {
            throw new ConfigException(DB_URL.env() + "=" + masked(dbUrl)
                    + " is not a PostgreSQL JDBC URL: use jdbc:postgresql://HOST:PORT/DATABASE");
        }
        this.dbUser = env.string(DB_USER);
        this.dbPassword = env.string(DB_PASSWORD);
        this.httpPort = env.integer(HTTP_PORT, 1, 65_535);
        this.httpHost = env.string(HTTP_HOST);
        this.tls = TlsFiles.read(env, TLS_CERT_FILE, TLS_KEY_FILE, Clock.systemUTC());
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
        this.dbTimeouts = dbTimeouts(env);
        this.maxFuture = env.duration(MAX_FUTURE);
        if (maxFuture.compareTo(Duration.ofMinutes(1)) < 0 || maxFuture.compareTo(PartitionMaintenance.MAX_FUTURE) > 0) {
            throw new ConfigException(MAX_FUTURE.env() + "=" + env.string(MAX_FUTURE) + " is out of range: between"
                    + " 1m (agents' clocks drift that much under NTP) and " + PartitionMaintenance.MAX_FUTURE
                    + " (further ahead, a wrong clock would get partitions of its own)");
        }
        String rawKey = env.string(DECISION_KEY_FILE).strip();
        try {
            this.decisionKeyFile = rawKey.isEmpty() ? Optional.empty() : Optional.of(Path.of(rawKey));
        } catch (InvalidPathException e) {
            throw new ConfigException(DECISION_KEY_FILE.env() + "=" + rawKey + " is not a usable path: "
                    + e.getReason(), e);
        }
        this.alerts = alertSettings(env);
    }

    private static AlertSettings alertSettings(Env env) {
        Optional<URI> alertmanager = httpUrl(env, ALERTMANAGER_URL);
        Optional<URI> webhook = httpUrl(env, ALERT_WEBHOOK_URL);
        String secretFile = env.string(ALERT_WEBHOOK_SECRET_FILE);
        Optional<WebhookSecret> secret = Optional.empty();
        if (!secretFile.isEmpty()) {
            try {
                secret = Optional.of(WebhookSecret.fromFile(Path.of(secretFile)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(ALERT_WEBHOOK_SECRET_FILE.env() + ": " + e.getMessage(), e);
            }
        }
        if (webhook.isPresent() && secret.isEmpty()) {
            throw new ConfigException(ALERT_WEBHOOK_URL.env() + " is set but " + ALERT_WEBHOOK_SECRET_FILE.env()
                    + " is not: the webhook's bodies are signed with that secret (make one with"
                    + " openssl rand -hex 32 > FILE)");
        }
        Optional<URI> publicUrl = httpUrl(env, PUBLIC_URL);
        AlertSettings defaults = AlertSettings.none();
        return new AlertSettings(alertmanager, webhook, secret, publicUrl.map(URI::toString),
                bounded(env, ALERT_AGENT_SILENT_AFTER, Duration.ofSeconds(10), Duration.ofDays(1)),
                bounded(env, ALERTMANAGER_RESEND_INTERVAL, Duration.ofSeconds(10), Duration.ofHours(1)),
                bounded(env, ALERT_GIVE_UP_AFTER, Duration.ofMinutes(1), Duration.ofDays(30)),
                defaults.retryInitial(), defaults.retryMax(), defaults.pollEvery(), defaults.httpTimeout());
    }

    private static Optional<URI> httpUrl(Env env, Setting setting) {
        String raw = env.string(setting);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(raw);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new URISyntaxException(raw, "not an http:// or https:// URL with a host");
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            throw new ConfigException(setting.env() + " is not a usable URL: " + e.getMessage(), e);
        }
    }

    private static Duration bounded(Env env, Setting setting, Duration min, Duration max) {
        Duration d = env.duration(setting);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new ConfigException(setting.env() + "=" + env.string(setting) + " is out of range [" + min + ", "
                    + max + "]");
        }
        return d;
    }

    public static List<Setting> settings() {
        List<Setting> all = new ArrayList<>(KafkaSettings.all());
        all.addAll(List.of(DB_URL, DB_USER, DB_PASSWORD, HTTP_PORT, HTTP_HOST, TLS_CERT_FILE, TLS_KEY_FILE,
                TOKENS, CONSUMER_GROUP, DB_POOL_SIZE, DB_CONNECT_TIMEOUT, DB_SOCKET_TIMEOUT, DB_STATEMENT_TIMEOUT,
                DB_POOL_TIMEOUT, MAX_FUTURE, RETENTION_RAW, RETENTION_MINUTE, RETENTION_HOUR,
                DECISION_KEY_FILE, PUBLIC_URL, ALERTMANAGER_URL, ALERT_WEBHOOK_URL,
                ALERT_WEBHOOK_SECRET_FILE, ALERT_AGENT_SILENT_AFTER, ALERTMANAGER_RESEND_INTERVAL, ALERT_GIVE_UP_AFTER));
        return List.copyOf(all);
    }

    public String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    /** How the api's Kafka clients authenticate; the files are read when they are made. */
    public KafkaSecurity kafkaSecurity() {
        return kafkaSecurity;
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

    /** Address, port and, when both TLS files are set, the HTTPS certificate and key. */
    public ApiListener listener() {
        return new ApiListener(httpHost, httpPort, tls);
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

    /** How long the api waits for PostgreSQL before it counts an attempt as failed and backs off. */
    public DatabaseTimeouts dbTimeouts() {
        return dbTimeouts;
    }

    /** How far ahead of the api's clock a record may be stamped and still be stored. */
    public Duration maxFuture() {
        return maxFuture;
    }

    private static DatabaseTimeouts dbTimeouts(Env env) {
        Duration connect = env.duration(DB_CONNECT_TIMEOUT);
        Duration socket = env.duration(DB_SOCKET_TIMEOUT);
        Duration statement = env.duration(DB_STATEMENT_TIMEOUT);
        Duration pool = env.duration(DB_POOL_TIMEOUT);
        try {
            return new DatabaseTimeouts(connect, socket, statement, pool);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(DB_CONNECT_TIMEOUT.env() + ", " + DB_SOCKET_TIMEOUT.env() + ", "
                    + DB_STATEMENT_TIMEOUT.env() + " and " + DB_POOL_TIMEOUT.env() + " do not fit together: "
                    + e.getMessage(), e);
        }
    }

    /** The private key decisions are signed with; empty when approving and rejecting are not possible here. */
    public Optional<Path> decisionKeyFile() {
        return decisionKeyFile;
    }

    /** Where alerts go and how; the webhook secret is read already and never shown. */
    public AlertSettings alerts() {
        return alerts;
    }

    /** Safe to log: the password, whether set on its own or inside the URL, is never shown. */
    @Override
    public String toString() {
        return "ApiConfig{kafkaBootstrap=" + kafkaBootstrap + ", " + kafkaSecurity
                + ", topicNamespace=" + topics.namespace()
                + ", dbUrl=" + masked(dbUrl) + ", dbUser=" + dbUser
                + ", dbPassword=" + (dbPassword.isEmpty() ? "(none)" : "***")
                + ", listener=" + listener()
                + ", tokens=" + tokens + ", consumerGroup=" + consumerGroup
                + ", dbPoolSize=" + dbPoolSize + ", " + dbTimeouts + ", maxFuture=" + maxFuture
                + ", retention=" + retention + ", decisionKeyFile="
                + decisionKeyFile.map(Path::toString).orElse("(none)") + ", alerts=" + alerts + "}";
    }

    private static String masked(String url) {
        return PASSWORD_IN_URL.matcher(url).replaceAll("$1***");
    }

}
