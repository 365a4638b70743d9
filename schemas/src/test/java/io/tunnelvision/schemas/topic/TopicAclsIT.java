package io.tunnelvision.schemas.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.config.Env;
import io.tunnelvision.config.KafkaSecurity;
import io.tunnelvision.embedded.fixture.SecureKafka;
import io.tunnelvision.embedded.fixture.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The roles' ACLs ({@link TopicAcls}, applied by {@link AclCreator}) on the secure embedded broker, with clients
 * configured the way every Tunnelvision process configures them ({@link KafkaSecurity}): a stolen gateway
 * credential writes samples and results, and nothing that steers the fleet.
 */
class TopicAclsIT {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String AGENT = "aclit_agent_" + RUN;
    private static final String STREAMS = "aclit_streams_" + RUN;
    private static final String API = "aclit_api_" + RUN;
    private static final byte[] KEY = "gw-1".getBytes();
    private static SecureKafka kafka;
    private static Topics topics;
    private static TopicAcls acls;
    private static Path dir;
    private static String agentPassword;
    private static String apiPassword;

    @BeforeAll
    static void rolesOnASecureBroker() throws Exception {
        kafka = SecureKafka.get();
        dir = Files.createTempDirectory(kafka.dir(), "acls-");
        topics = Topics.inNamespace("acl-it-" + RUN);
        acls = new TopicAcls(topics, new TopicAcls.Roles("User:" + AGENT, "User:" + STREAMS, "User:" + API,
                "acl-it-" + RUN + "-streams", "acl-it-" + RUN + "-api"));
        // a password the JAAS text has to escape: quote and backslash
        agentPassword = SecureKafka.randomPassword() + "\"\\";
        kafka.broker().createScramUser(AGENT, agentPassword);
        apiPassword = SecureKafka.randomPassword();
        kafka.broker().createScramUser(API, apiPassword);
        try (Admin admin = Admin.create(kafka.adminClientProperties())) {
            new TopicCreator(admin).ensure(topics.all());
            AclCreator.Outcome first = new AclCreator(admin).ensure(acls.all());
            assertEquals(acls.all().size(), first.created().size());
            AclCreator.Outcome again = new AclCreator(admin).ensure(acls.all());
            assertEquals(0, again.created().size(), "a second init creates nothing");
            assertEquals(acls.all().size(), again.existing());
        }
    }

    @Test
    void anAgentWritesSamplesAndResultsAndCommitsInItsOwnGroup() throws Exception {
        Map<String, Object> agent = scram(AGENT, agentPassword);
        send(agent, topics.linkSamples);
        send(agent, topics.commandResults);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(agent, topics.agentGroupPrefix() + "gw-1")) {
            TopicPartition partition = new TopicPartition(topics.commands.name(), 0);
            consumer.assign(List.of(partition));
            consumer.poll(Duration.ofMillis(500));
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(0)));
        }
    }

    @Test
    void anAgentCannotWriteADecisionACommandOrAProposal() {
        Map<String, Object> agent = scram(AGENT, agentPassword);
        for (Topic<?, ?> topic : List.of(topics.commandDecisions, topics.commands, topics.commandProposals)) {
            assertInstanceOf(TopicAuthorizationException.class, sendFailure(agent, topic), topic.name());
        }
    }

    @Test
    void anAgentCannotReadHotspotsRatesOrOtherHostsSamples() {
        Map<String, Object> agent = scram(AGENT, agentPassword);
        for (Topic<?, ?> topic : List.of(topics.hotspots, topics.interruptRates, topics.linkSamples)) {
            try (KafkaConsumer<byte[], byte[]> consumer = consumer(agent, topics.agentGroupPrefix() + "gw-1")) {
                consumer.assign(List.of(new TopicPartition(topic.name(), 0)));
                assertThrows(TopicAuthorizationException.class, () -> consumer.poll(Duration.ofSeconds(10)),
                        topic.name());
            }
        }
    }

    @Test
    void anAgentCannotUseTheApisConsumerGroup() {
        Map<String, Object> agent = scram(AGENT, agentPassword);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(agent, "acl-it-" + RUN + "-api")) {
            TopicPartition partition = new TopicPartition(topics.commands.name(), 0);
            consumer.assign(List.of(partition));
            assertThrows(GroupAuthorizationException.class,
                    () -> consumer.commitSync(Map.of(partition, new OffsetAndMetadata(0))));
        }
    }

    @Test
    void theApiWritesDecisionsButNoCommand() throws Exception {
        Map<String, Object> api = scram(API, apiPassword);
        send(api, topics.commandDecisions);
        assertInstanceOf(TopicAuthorizationException.class, sendFailure(api, topics.commands));
    }

    @Test
    void aWrongPasswordIsRefused() {
        assertInstanceOf(SaslAuthenticationException.class,
                sendFailure(scram(AGENT, "guessed-" + agentPassword), topics.linkSamples));
    }

    @Test
    void aBrokerWhoseCertificateTheClientCannotCheckIsRefused() throws IOException {
        Map<String, Object> props = new HashMap<>(KafkaSecurity.from(new Env(Map.of(
                "TUNNELVISION_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "TUNNELVISION_KAFKA_SASL_USERNAME", AGENT,
                "TUNNELVISION_KAFKA_SASL_PASSWORD_FILE", passwordFile(AGENT, agentPassword).toString())))
                .clientProperties());
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.broker().bootstrapServers());
        // no CA file: the JVM's public CAs, which never signed the test broker's certificate
        assertInstanceOf(SslAuthenticationException.class, sendFailure(props, topics.linkSamples));
    }

    @Test
    void aClientCertificateIsTheAgentsPrincipalOnTheMutualTlsListener() throws Exception {
        TestPki.PemFiles certificate = kafka.pki().issue("CN=" + AGENT + ",OU=gateways", List.of())
                .written(dir, AGENT);
        Map<String, Object> props = new HashMap<>(KafkaSecurity.from(new Env(Map.of(
                "TUNNELVISION_KAFKA_SECURITY_PROTOCOL", "SSL",
                "TUNNELVISION_KAFKA_SSL_CA_FILE", kafka.caFile().toString(),
                "TUNNELVISION_KAFKA_SSL_CERT_FILE", certificate.certificate().toString(),
                "TUNNELVISION_KAFKA_SSL_KEY_FILE", certificate.key().toString()))).clientProperties());
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.broker().mutualTlsBootstrapServers());
        send(props, topics.latencySamples);
        assertInstanceOf(TopicAuthorizationException.class, sendFailure(props, topics.commandDecisions));
    }

    @Test
    void plainOverTlsAuthenticatesTheSuperUserWithItsPasswordOnly() throws Exception {
        try (Admin admin = Admin.create(plain(kafka.adminPassword()))) {
            assertTrue(admin.listTopics().names().get(20, TimeUnit.SECONDS).contains(topics.commands.name()));
        }
        try (Admin admin = Admin.create(plain("not-" + kafka.adminPassword()))) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> admin.listTopics().names().get(20, TimeUnit.SECONDS));
            assertInstanceOf(SaslAuthenticationException.class, e.getCause());
        }
    }

    private static Map<String, Object> plain(String password) throws IOException {
        Map<String, Object> props = new HashMap<>(KafkaSecurity.from(new Env(Map.of(
                "TUNNELVISION_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "TUNNELVISION_KAFKA_SASL_MECHANISM", "PLAIN",
                "TUNNELVISION_KAFKA_SASL_USERNAME", SecureKafka.ADMIN,
                "TUNNELVISION_KAFKA_SASL_PASSWORD_FILE", passwordFile(SecureKafka.ADMIN, password).toString(),
                "TUNNELVISION_KAFKA_SSL_CA_FILE", kafka.caFile().toString()))).clientProperties());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.broker().bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        return props;
    }

    private static Map<String, Object> scram(String user, String password) {
        try {
            Map<String, Object> props = new HashMap<>(KafkaSecurity.from(new Env(Map.of(
                    "TUNNELVISION_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                    "TUNNELVISION_KAFKA_SASL_USERNAME", user,
                    "TUNNELVISION_KAFKA_SASL_PASSWORD_FILE", passwordFile(user, password).toString(),
                    "TUNNELVISION_KAFKA_SSL_CA_FILE", kafka.caFile().toString()))).clientProperties());
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.broker().bootstrapServers());
            return props;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path passwordFile(String user, String password) throws IOException {
        return Files.writeString(Files.createTempFile(dir, user, ".password"), password + "\n");
    }

    private static void send(Map<String, Object> props, Topic<?, ?> topic) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer(props)) {
            producer.send(new ProducerRecord<>(topic.name(), KEY, new byte[] {1})).get(30, TimeUnit.SECONDS);
        }
    }

    private static Throwable sendFailure(Map<String, Object> props, Topic<?, ?> topic) {
        try (KafkaProducer<byte[], byte[]> producer = producer(props)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> producer.send(
                    new ProducerRecord<>(topic.name(), KEY, new byte[] {1})).get(30, TimeUnit.SECONDS), topic.name());
            return e.getCause();
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(Map<String, Object> security) {
        Map<String, Object> props = new HashMap<>(security);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> security, String group) {
        Map<String, Object> props = new HashMap<>(security);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
