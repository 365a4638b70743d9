package io.tunnelvision.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.types.Password;

/**
 * How every Kafka client of Tunnelvision proves who it is and checks who the broker is, from the
 * {@code TUNNELVISION_KAFKA_*} security settings ({@link KafkaSettings}).
 *
 * <p>{@link #from} only checks the settings against each other, so a config class can hold one and a test can build
 * it from a compose file's environment; {@link #clientProperties()} reads the files (password, CA, certificate, key
 * or a client properties file) and is called once when a process wires its clients, so a missing file stops the
 * start with the variable's name. Secrets go to Kafka only as {@link Password}s, which Kafka's own config logging
 * prints as {@code [hidden]}; {@link #toString()} names files, never their content.
 */
public final class KafkaSecurity {

    /** Kafka's {@code security.protocol} values. */
    public enum Protocol {
        PLAINTEXT(false, false), SSL(true, false), SASL_PLAINTEXT(false, true), SASL_SSL(true, true);

        private final boolean tls;
        private final boolean sasl;

        Protocol(boolean tls, boolean sasl) {
            this.tls = tls;
            this.sasl = sasl;
        }
    }

    /** The SASL mechanisms a password file can serve. */
    public enum Mechanism {
        SCRAM_SHA_512("SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule"),
        PLAIN("PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule");

        private final String kafkaName;
        private final String loginModule;

        Mechanism(String kafkaName, String loginModule) {
            this.kafkaName = kafkaName;
            this.loginModule = loginModule;
        }

        public String kafkaName() {
            return kafkaName;
        }
    }

    private static final List<Setting> DETAILED = List.of(KafkaSettings.SECURITY_PROTOCOL,
            KafkaSettings.SASL_MECHANISM, KafkaSettings.SASL_USERNAME, KafkaSettings.SASL_PASSWORD_FILE,
            KafkaSettings.SSL_CA_FILE, KafkaSettings.SSL_CERT_FILE, KafkaSettings.SSL_KEY_FILE);
    /** What a client properties file may set: security.protocol and Kafka's client ssl.* and sasl.* keys. */
    private static final ConfigDef FILE_KEYS = fileKeys();
    private static final String PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----";
    private static final String PKCS8_KEY = "-----BEGIN PRIVATE KEY-----";
    private static final KafkaSecurity NONE = new KafkaSecurity(Protocol.PLAINTEXT, null, null, null, null, null,
            null, null);

    private final Protocol protocol;
    private final Mechanism mechanism;
    private final String username;
    private final Path passwordFile;
    private final Path caFile;
    private final Path certFile;
    private final Path keyFile;
    private final Path configFile;

    private KafkaSecurity(Protocol protocol, Mechanism mechanism, String username, Path passwordFile, Path caFile,
                          Path certFile, Path keyFile, Path configFile) {
        this.protocol = protocol;
        this.mechanism = mechanism;
        this.username = username;
        this.passwordFile = passwordFile;
        this.caFile = caFile;
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.configFile = configFile;
    }

    /** A client of a broker without security (the embedded broker of tests and the local system). */
    public static KafkaSecurity none() {
        return NONE;
    }

    /** Checks the settings against each other; reads no file (see {@link #clientProperties()}). */
    public static KafkaSecurity from(Env env) {
        Path configFile = path(env, KafkaSettings.CONFIG_FILE);
        if (configFile != null) {
            List<String> alsoSet = DETAILED.stream().filter(s -> !env.string(s).equals(s.defaultValue()))
                    .map(Setting::env).toList();
            if (!alsoSet.isEmpty()) {
                throw new ConfigException(KafkaSettings.CONFIG_FILE.env() + " and " + alsoSet + " are both set:"
                        + " use either the client properties file or the separate settings, not both");
            }
            return new KafkaSecurity(null, null, null, null, null, null, null, configFile);
        }
        Protocol protocol = protocol(env);
        Mechanism mechanism = protocol.sasl ? mechanism(env) : null;
        String username = env.string(KafkaSettings.SASL_USERNAME);
        Path passwordFile = path(env, KafkaSettings.SASL_PASSWORD_FILE);
        if (protocol.sasl) {
            String needs = protocol + " with " + mechanism.kafkaName;
            if (username.isEmpty()) {
                throw new ConfigException(KafkaSettings.SASL_USERNAME.env() + " is not set: " + needs
                        + " needs a user name");
            }
            if (username.chars().anyMatch(Character::isISOControl)) {
                throw new ConfigException(KafkaSettings.SASL_USERNAME.env() + " holds a control character");
            }
            if (passwordFile == null) {
                throw new ConfigException(KafkaSettings.SASL_PASSWORD_FILE.env() + " is not set: " + needs
                        + " needs the file that holds " + username + "'s password");
            }
            if (mechanism == Mechanism.PLAIN && !protocol.tls) {
                throw new ConfigException(KafkaSettings.SASL_MECHANISM.env() + "=PLAIN sends the password itself,"
                        + " which " + protocol + " would carry unencrypted: use SASL_SSL, or SCRAM-SHA-512");
            }
        } else {
            refuseWithout(env, protocol, "does not use SASL: use SASL_PLAINTEXT or SASL_SSL, or unset it",
                    KafkaSettings.SASL_USERNAME, KafkaSettings.SASL_PASSWORD_FILE, KafkaSettings.SASL_MECHANISM);
        }
        Path caFile = path(env, KafkaSettings.SSL_CA_FILE);
        Path certFile = path(env, KafkaSettings.SSL_CERT_FILE);
        Path keyFile = path(env, KafkaSettings.SSL_KEY_FILE);
        if (protocol.tls) {
            if ((certFile == null) != (keyFile == null)) {
                Setting missing = certFile == null ? KafkaSettings.SSL_CERT_FILE : KafkaSettings.SSL_KEY_FILE;
                Setting given = certFile == null ? KafkaSettings.SSL_KEY_FILE : KafkaSettings.SSL_CERT_FILE;
                throw new ConfigException(given.env() + " is set but " + missing.env() + " is not: a client"
                        + " certificate needs both its certificate and its private key");
            }
        } else {
            refuseWithout(env, protocol, "has no TLS: use SSL or SASL_SSL, or unset it", KafkaSettings.SSL_CA_FILE,
                    KafkaSettings.SSL_CERT_FILE, KafkaSettings.SSL_KEY_FILE);
        }
        return new KafkaSecurity(protocol, mechanism, protocol.sasl ? username : null, passwordFile, caFile,
                certFile, keyFile, null);
    }

    /**
     * The client properties to add to a producer's, consumer's, admin client's or Kafka Streams' own: reads the
     * files now.
     *
     * @throws ConfigException naming the setting whose file is missing, unreadable or not what it should hold
     */
    public Map<String, Object> clientProperties() {
        if (configFile != null) {
            return fromConfigFile();
        }
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol.name());
        if (protocol.sasl) {
            props.put(SaslConfigs.SASL_MECHANISM, mechanism.kafkaName);
            props.put(SaslConfigs.SASL_JAAS_CONFIG, new Password(mechanism.loginModule + " required username="
                    + jaasQuoted(username) + " password=" + jaasQuoted(password()) + ";"));
        }
        if (protocol.tls) {
            // Kafka's default, set here so that no properties file or later change can switch it off unseen.
            props.put(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, "https");
            if (caFile != null) {
                props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
                props.put(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG,
                        new Password(certificates(KafkaSettings.SSL_CA_FILE, caFile)));
            }
            if (certFile != null) {
                props.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
                props.put(SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG,
                        new Password(certificates(KafkaSettings.SSL_CERT_FILE, certFile)));
                props.put(SslConfigs.SSL_KEYSTORE_KEY_CONFIG, new Password(privateKey()));
            }
        }
        return Map.copyOf(props);
    }

    /** Whether clients authenticate or encrypt at all. */
    public boolean enabled() {
        return configFile != null || protocol != Protocol.PLAINTEXT;
    }

    /** Safe to log: names the protocol, the user and the files, never a password or a key. */
    @Override
    public String toString() {
        if (configFile != null) {
            return "KafkaSecurity[client properties from " + configFile + "]";
        }
        List<String> parts = new ArrayList<>(List.of(protocol.name()));
        if (protocol.sasl) {
            parts.add(mechanism.kafkaName + " as " + username + " (password in " + passwordFile + ")");
        }
        if (protocol.tls) {
            parts.add(caFile == null ? "broker checked against the JVM's CAs" : "broker checked against " + caFile);
            if (certFile != null) {
                parts.add("client certificate " + certFile);
            }
        }
        return "KafkaSecurity[" + String.join(", ", parts) + "]";
    }

    private Map<String, Object> fromConfigFile() {
        Properties file = new Properties();
        try (Reader reader = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
            file.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw unreadable(KafkaSettings.CONFIG_FILE, configFile, e);
        }
        Map<String, Object> props = new LinkedHashMap<>();
        for (String key : file.stringPropertyNames()) {
            String value = file.getProperty(key);
            ConfigDef.ConfigKey known = FILE_KEYS.configKeys().get(key);
            if (known == null) {
                throw new ConfigException(KafkaSettings.CONFIG_FILE.env() + "=" + configFile + " sets '" + key
                        + "', which is not a client security setting: only security.protocol, ssl.* and sasl.* are"
                        + " taken from the file (Tunnelvision sets the rest itself)");
            }
            if (key.equals(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG) && value.isBlank()) {
                throw new ConfigException(KafkaSettings.CONFIG_FILE.env() + "=" + configFile + " switches off the"
                        + " check of the broker's host name (" + key + " is empty): remove that line");
            }
            props.put(key, known.type == ConfigDef.Type.PASSWORD ? new Password(value) : value);
        }
        return Map.copyOf(props);
    }

    private String password() {
        String text = read(KafkaSettings.SASL_PASSWORD_FILE, passwordFile);
        // echo and most editors end the file with a newline, which is not part of the password
        String password = text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
                : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        if (password.isEmpty()) {
            throw new ConfigException(KafkaSettings.SASL_PASSWORD_FILE.env() + "=" + passwordFile + " is empty");
        }
        if (password.indexOf('\n') >= 0 || password.indexOf('\r') >= 0) {
            throw new ConfigException(KafkaSettings.SASL_PASSWORD_FILE.env() + "=" + passwordFile
                    + " holds more than one line: put the password alone on the first line");
        }
        return password;
    }

    private static String certificates(Setting setting, Path file) {
        String pem = read(setting, file);
        if (!pem.contains(PEM_CERTIFICATE)) {
            throw new ConfigException(setting.env() + "=" + file + " holds no PEM certificate (" + PEM_CERTIFICATE
                    + ")");
        }
        return pem.strip();
    }

    private String privateKey() {
        String pem = read(KafkaSettings.SSL_KEY_FILE, keyFile).strip();
        if (!pem.startsWith(PKCS8_KEY)) {
            String found = pem.lines().findFirst().orElse("nothing");
            throw new ConfigException(KafkaSettings.SSL_KEY_FILE.env() + "=" + keyFile + " starts with '"
                    + (found.startsWith("-----") ? found : "(not PEM)") + "', not an unencrypted PKCS#8 key ("
                    + PKCS8_KEY + "): convert it with openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        return pem;
    }

    private static String read(Setting setting, Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw unreadable(setting, file, e);
        }
    }

    private static ConfigException unreadable(Setting setting, Path file, Exception e) {
        String why = e instanceof MalformedInputException ? "it is not UTF-8 text" : e.toString();
        return new ConfigException(setting.env() + "=" + file + " cannot be read: " + why, e);
    }

    /** A JAAS option value: double-quoted, with Kafka's parser's escapes for the quote and the backslash. */
    static String jaasQuoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static Protocol protocol(Env env) {
        String raw = env.string(KafkaSettings.SECURITY_PROTOCOL);
        try {
            return Protocol.valueOf(raw.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(KafkaSettings.SECURITY_PROTOCOL.env() + "=" + raw + " is not one of "
                    + Arrays.toString(Protocol.values()), e);
        }
    }

    private static Mechanism mechanism(Env env) {
        String raw = env.string(KafkaSettings.SASL_MECHANISM);
        for (Mechanism m : Mechanism.values()) {
            if (m.kafkaName.equalsIgnoreCase(raw)) {
                return m;
            }
        }
        throw new ConfigException(KafkaSettings.SASL_MECHANISM.env() + "=" + raw + " is not one of "
                + Arrays.stream(Mechanism.values()).map(Mechanism::kafkaName).collect(Collectors.joining(", "))
                + " (others: use " + KafkaSettings.CONFIG_FILE.env() + ")");
    }

    private static void refuseWithout(Env env, Protocol protocol, String why, Setting... settings) {
        for (Setting setting : settings) {
            if (!env.string(setting).equals(setting.defaultValue())) {
                throw new ConfigException(setting.env() + " is set but " + KafkaSettings.SECURITY_PROTOCOL.env()
                        + "=" + protocol + " " + why);
            }
        }
    }

    private static Path path(Env env, Setting setting) {
        String raw = env.string(setting);
        if (raw.isEmpty()) {
            return null;
        }
        try {
            return Path.of(raw);
        } catch (InvalidPathException e) {
            throw new ConfigException(setting.env() + "=" + raw + " is not a usable path: " + e.getReason(), e);
        }
    }

    private static ConfigDef fileKeys() {
        ConfigDef def = new ConfigDef();
        def.define(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, ConfigDef.Type.STRING, ConfigDef.Importance.HIGH,
                CommonClientConfigs.SECURITY_PROTOCOL_DOC);
        SslConfigs.addClientSslSupport(def);
        SaslConfigs.addClientSaslSupport(def);
        return def;
    }
}
