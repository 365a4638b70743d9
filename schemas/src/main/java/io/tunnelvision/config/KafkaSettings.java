package io.tunnelvision.config;

import io.tunnelvision.schemas.topic.Topics;
import java.util.List;

/** Settings every module that talks to Kafka shares: where the broker is, and how a client proves who it is. */
public final class KafkaSettings {

    public static final Setting BOOTSTRAP = Setting.optional("TUNNELVISION_KAFKA_BOOTSTRAP", "localhost:9092",
            "Kafka bootstrap servers, host:port[,host:port]");

    public static final Setting TOPIC_NAMESPACE = Setting.optional("TUNNELVISION_TOPIC_NAMESPACE", "",
            "Prefix of every topic name (namespace.tunnelvision-...), for several environments on one cluster");

    public static final Setting SECURITY_PROTOCOL = Setting.optional("TUNNELVISION_KAFKA_SECURITY_PROTOCOL",
            "PLAINTEXT", "How clients talk to Kafka: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (TLS always"
                    + " verifies the broker's certificate and host name)");
    public static final Setting SASL_MECHANISM = Setting.optional("TUNNELVISION_KAFKA_SASL_MECHANISM",
            "SCRAM-SHA-512", "SASL mechanism with SASL_*: SCRAM-SHA-512, or PLAIN (only over SASL_SSL: it sends the"
                    + " password itself)");
    public static final Setting SASL_USERNAME = Setting.optional("TUNNELVISION_KAFKA_SASL_USERNAME", "",
            "SASL user name (the principal User:NAME the ACLs name); required with SASL_*");
    public static final Setting SASL_PASSWORD_FILE = Setting.optional("TUNNELVISION_KAFKA_SASL_PASSWORD_FILE", "",
            "File holding the SASL password on one line (never the password itself); required with SASL_*");
    public static final Setting SSL_CA_FILE = Setting.optional("TUNNELVISION_KAFKA_SSL_CA_FILE", "",
            "PEM file of the CA certificate(s) that signed the broker's; empty trusts the JVM's public CAs");
    public static final Setting SSL_CERT_FILE = Setting.optional("TUNNELVISION_KAFKA_SSL_CERT_FILE", "",
            "PEM certificate (chain) this client shows the broker (mutual TLS); needs the key file too");
    public static final Setting SSL_KEY_FILE = Setting.optional("TUNNELVISION_KAFKA_SSL_KEY_FILE", "",
            "Unencrypted PKCS#8 PEM private key of the client certificate (openssl pkcs8 -topk8 -nocrypt)");
    public static final Setting CONFIG_FILE = Setting.optional("TUNNELVISION_KAFKA_CONFIG_FILE", "",
            "Instead of the settings above: a client .properties file with security.protocol, ssl.* and sasl.*"
                    + " keys only (e.g. for OAUTHBEARER); setting both is refused");

    private KafkaSettings() {
    }

    public static List<Setting> all() {
        return List.of(BOOTSTRAP, TOPIC_NAMESPACE, SECURITY_PROTOCOL, SASL_MECHANISM, SASL_USERNAME,
                SASL_PASSWORD_FILE, SSL_CA_FILE, SSL_CERT_FILE, SSL_KEY_FILE, CONFIG_FILE);
    }

    /** The topic registry in the namespace the environment names. */
    public static Topics topics(Env env) {
        String namespace = env.string(TOPIC_NAMESPACE);
        try {
            return Topics.inNamespace(namespace);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(TOPIC_NAMESPACE.env() + "=" + namespace + " is not usable: " + e.getMessage(), e);
        }
    }
}
