package io.tunnelvision.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tunnelvision.embedded.fixture.SecureKafka;
import io.tunnelvision.embedded.fixture.TestPki;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The secure mode of the embedded broker, with hand-written client settings (the project's own client settings
 * are tested on it in the schemas and local modules): who gets in, and that the authorizer allows only what an
 * ACL allows.
 */
class SecureEmbeddedKafkaIT {

    private static final String TOPIC = "secure-embedded-it";
    private static final String WRITER = "secure_it_writer";
    private static final String OUTSIDER = "secure_it_outsider";
    private static SecureKafka kafka;
    private static String writerPassword;
    private static String outsiderPassword;

    @BeforeAll
    static void usersAndAcls() throws Exception {
        kafka = SecureKafka.get();
        writerPassword = SecureKafka.randomPassword();
        outsiderPassword = SecureKafka.randomPassword();
        kafka.broker().createScramUser(WRITER, writerPassword);
        kafka.broker().createScramUser(OUTSIDER, outsiderPassword);
        try (Admin admin = Admin.create(kafka.adminClientProperties())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            admin.createAcls(List.of(
                    write("User:" + WRITER),
                    // the mutual-TLS listener's principal is the certificate's CN
                    write("User:secure_it_cert"))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aScramUserWritesWhereAnAclAllowsIt() throws Exception {
        try (KafkaProducer<String, String> producer = producer(scram(WRITER, writerPassword))) {
            assertEquals(TOPIC, producer.send(new ProducerRecord<>(TOPIC, "k", "v")).get(30, TimeUnit.SECONDS)
                    .topic());
        }
    }

    @Test
    void anAuthenticatedUserWithoutAnAclIsRefused() {
        assertEquals(TopicAuthorizationException.class, sendFailure(scram(OUTSIDER, outsiderPassword)).getClass());
    }

    @Test
    void aWrongPasswordIsRefused() {
        assertEquals(SaslAuthenticationException.class, sendFailure(scram(WRITER, "not-" + writerPassword))
                .getClass());
    }

    @Test
    void aClientThatDoesNotTrustTheCaIsRefusedBeforeItSendsItsPassword() {
        Map<String, Object> props = scram(WRITER, writerPassword);
        props.put(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG,
                new Password(TestPki.create("some-other-ca").caPem()));
        assertInstanceOf(SslAuthenticationException.class, sendFailure(props));
    }

    @Test
    void theMutualTlsListenerTakesACertificateFromTheCaAndNothingElse() throws Exception {
        Map<String, Object> withCertificate = tls(kafka.pki().issue("CN=secure_it_cert,OU=tests", List.of()));
        try (KafkaProducer<String, String> producer = producer(withCertificate)) {
            producer.send(new ProducerRecord<>(TOPIC, "k", "mtls")).get(30, TimeUnit.SECONDS);
        }

        Map<String, Object> withoutCertificate = tls(null);
        assertInstanceOf(SslAuthenticationException.class, sendFailure(withoutCertificate));

        Map<String, Object> foreignCertificate = tls(TestPki.create("rogue-ca").issue("CN=secure_it_cert",
                List.of()));
        assertInstanceOf(SslAuthenticationException.class, sendFailure(foreignCertificate));
    }

    private static AclBinding write(String principal) {
        return new AclBinding(new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL),
                new AccessControlEntry(principal, "*", AclOperation.WRITE, AclPermissionType.ALLOW));
    }

    private static Map<String, Object> scram(String user, String password) {
        Map<String, Object> props = common(kafka.broker().bootstrapServers());
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        props.put(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512");
        props.put(SaslConfigs.SASL_JAAS_CONFIG, new Password("org.apache.kafka.common.security.scram.ScramLoginModule"
                + " required username=\"" + user + "\" password=\"" + password + "\";"));
        return props;
    }

    private static Map<String, Object> tls(TestPki.Identity identity) {
        Map<String, Object> props = common(kafka.broker().mutualTlsBootstrapServers());
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        if (identity != null) {
            props.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
            props.put(SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG, new Password(identity.certificateChainPem()));
            props.put(SslConfigs.SSL_KEYSTORE_KEY_CONFIG, new Password(identity.privateKeyPem()));
        }
        return props;
    }

    private static Map<String, Object> common(String bootstrap) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        props.put(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, new Password(kafka.pki().caPem()));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        return props;
    }

    private static KafkaProducer<String, String> producer(Map<String, Object> props) {
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /** What sending one record fails with (the cause of the future's failure, or what send itself threw). */
    private static Throwable sendFailure(Map<String, Object> props) {
        try (KafkaProducer<String, String> producer = producer(props)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(TOPIC, "k", "refused")).get(30, TimeUnit.SECONDS));
            return e.getCause();
        } catch (RuntimeException e) {
            return e;
        }
    }
}
