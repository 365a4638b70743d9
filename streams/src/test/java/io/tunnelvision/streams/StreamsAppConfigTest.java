package io.tunnelvision.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.config.ConfigException;
import io.tunnelvision.config.Env;
import io.tunnelvision.config.KafkaSettings;
import io.tunnelvision.config.Setting;
import io.tunnelvision.streams.StreamsAppConfig.PlannerMode;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StreamsAppConfigTest {

    @Test
    void unsetSettingsTakeTheirDefaults() {
        StreamsAppConfig config = new StreamsAppConfig(new Env(Map.of()));

        assertEquals("localhost:9092", config.kafkaBootstrap());
        assertEquals("", config.topics().namespace());
        assertEquals("tunnelvision-streams", config.applicationId());
        assertEquals(Path.of("/var/lib/tunnelvision/streams"), config.stateDir());
        assertEquals(1, config.threads());
        assertEquals(PlannerMode.APPROVAL, config.plannerMode(),
                "nothing may reach a gateway's kernel without an operator unless asked for");
    }

    @Test
    void everySettingCanBeOverridden() {
        StreamsAppConfig config = new StreamsAppConfig(new Env(Map.of(
                "TUNNELVISION_KAFKA_BOOTSTRAP", "kafka:9092",
                "TUNNELVISION_TOPIC_NAMESPACE", "staging",
                "TUNNELVISION_STREAMS_APPLICATION_ID", "tunnelvision-streams-canary",
                "TUNNELVISION_STREAMS_STATE_DIR", "/tmp/state",
                "TUNNELVISION_STREAMS_THREADS", "4",
                "TUNNELVISION_STREAMS_PLANNER_MODE", "Auto")));

        assertEquals("kafka:9092", config.kafkaBootstrap());
        assertEquals("staging", config.topics().namespace());
        assertEquals("tunnelvision-streams-canary", config.applicationId());
        assertEquals(Path.of("/tmp/state"), config.stateDir());
        assertEquals(4, config.threads());
        assertEquals(PlannerMode.AUTO, config.plannerMode());
    }

    @Test
    void plannerSafetyRailsAndThresholdsComeFromTheEnvironment() {
        StreamsAppConfig config = new StreamsAppConfig(new Env(Map.of(
                "TUNNELVISION_STREAMS_MAX_UNVERIFIED", "3",
                "TUNNELVISION_STREAMS_CANARY_HOSTS", "4",
                "TUNNELVISION_STREAMS_COOLDOWN", "2m",
                "TUNNELVISION_STREAMS_DRY_RUN", "true",
                "TUNNELVISION_STREAMS_THRESHOLDS", "squeezePerSec=25,openAfter=2",
                "TUNNELVISION_STREAMS_POLICY", "TX_DROPS=")));

        assertEquals(3, config.plannerSettings().maxUnverified());
        assertEquals(4, config.plannerSettings().canaryHosts());
        assertEquals(java.time.Duration.ofMinutes(2), config.plannerSettings().cooldown());
        assertTrue(config.plannerSettings().dryRun());
        assertTrue(config.plannerSettings().approval(), "approval stays the default mode");
        assertEquals(25.0, config.thresholds().squeezePerSec());
        assertEquals(2, config.thresholds().openAfter());
        assertTrue(config.policy().actionsFor(io.tunnelvision.schemas.avro.HotspotType.TX_DROPS).isEmpty());
    }

    @Test
    void keysAreNeverCreatedUnlessAskedAndDecisionKeysAreAListOfFilesOrDirectories() {
        StreamsAppConfig defaults = new StreamsAppConfig(new Env(Map.of()));
        StreamsAppConfig configured = new StreamsAppConfig(new Env(Map.of(
                "TUNNELVISION_STREAMS_CREATE_KEY", "true",
                "TUNNELVISION_STREAMS_DECISION_KEYS", "/etc/tunnelvision/api.pub.pem, /etc/tunnelvision/api-keys/",
                "TUNNELVISION_STREAMS_DECISION_MAX_AGE", "2m")));

        assertFalse(defaults.createKey());
        assertEquals(java.util.List.of(), defaults.decisionKeys());
        assertEquals(java.time.Duration.ofMinutes(10), defaults.decisionMaxAge());
        assertTrue(configured.createKey());
        assertEquals(java.util.List.of(Path.of("/etc/tunnelvision/api.pub.pem"), Path.of("/etc/tunnelvision/api-keys")),
                configured.decisionKeys());
        assertEquals(java.time.Duration.ofMinutes(2), configured.decisionMaxAge());
    }

    @Test
    void plannerCanBeSwitchedOff() {
        StreamsAppConfig config = new StreamsAppConfig(new Env(Map.of("TUNNELVISION_STREAMS_PLANNER_MODE", "off")));

        assertEquals(PlannerMode.OFF, config.plannerMode());
        assertFalse(config.plannerSettings().enabled());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "TUNNELVISION_STREAMS_PLANNER_MODE, yolo",
            "TUNNELVISION_STREAMS_THREADS, 0",
            "TUNNELVISION_STREAMS_THREADS, many",
            "TUNNELVISION_STREAMS_APPLICATION_ID, tunnel vision",
            "TUNNELVISION_STREAMS_APPLICATION_ID, tunnelvision/streams",
            "TUNNELVISION_TOPIC_NAMESPACE, Staging_1",
            "TUNNELVISION_STREAMS_THRESHOLDS, squeeze=3",
            "TUNNELVISION_STREAMS_POLICY, TX_DROPS=REBOOT",
            "TUNNELVISION_STREAMS_MIN_IMPROVEMENT, 1.5",
            "TUNNELVISION_STREAMS_MAX_UNVERIFIED, 0",
            "TUNNELVISION_STREAMS_DECISION_MAX_AGE, 0s",
            "TUNNELVISION_STREAMS_DECISION_MAX_AGE, soon",
            "TUNNELVISION_STREAMS_CREATE_KEY, maybe",
    })
    void aBadValueIsRejectedWithAMessageNamingTheVariable(String variable, String value) {
        ConfigException error = assertThrows(ConfigException.class,
                () -> new StreamsAppConfig(new Env(Map.of(variable, value))));

        assertTrue(error.getMessage().contains(variable + "=" + value),
                "message should name the variable and its value: " + error.getMessage());
    }

    @Test
    void aBadPlannerModeListsTheAcceptedOnes() {
        ConfigException error = assertThrows(ConfigException.class,
                () -> new StreamsAppConfig(new Env(Map.of("TUNNELVISION_STREAMS_PLANNER_MODE", "manual"))));

        assertTrue(error.getMessage().contains("auto|approval|off"), error.getMessage());
    }

    @Test
    void settingsListEachVariableItReadsOnceIncludingTheSharedKafkaOnes() {
        var names = new HashSet<String>();
        for (Setting setting : StreamsAppConfig.settings()) {
            assertTrue(names.add(setting.env()), "listed twice: " + setting.env());
            assertFalse(setting.isRequired(), "unexpected required setting " + setting.env());
        }
        for (Setting kafka : KafkaSettings.all()) {
            assertTrue(names.contains(kafka.env()), "missing " + kafka.env());
        }
        assertEquals(34, names.size());
    }

    @Test
    void theEndpointsListenOnEveryInterfaceOnPort8081AndThreadsAreReplacedThreeTimesInTenMinutes() {
        StreamsAppConfig config = new StreamsAppConfig(new Env(Map.of()));

        assertEquals("0.0.0.0", config.httpAddress().getAddress().getHostAddress());
        assertEquals(8081, config.httpAddress().getPort());
        assertEquals(3, config.maxThreadReplacements());
        assertEquals(java.time.Duration.ofMinutes(10), config.threadReplacementWindow());
    }

    @Test
    void theEndpointsAddressAndTheReplacementPolicyCanBeSet() {
        StreamsAppConfig config = new StreamsAppConfig(new Env(Map.of(
                "TUNNELVISION_STREAMS_HTTP_BIND", "::1",
                "TUNNELVISION_STREAMS_HTTP_PORT", "0",
                "TUNNELVISION_STREAMS_MAX_THREAD_REPLACEMENTS", "0",
                "TUNNELVISION_STREAMS_THREAD_REPLACEMENT_WINDOW", "1h")));

        assertTrue(config.httpAddress().getAddress().isLoopbackAddress());
        assertEquals(0, config.httpAddress().getPort());
        assertEquals(0, config.maxThreadReplacements());
        assertEquals(java.time.Duration.ofHours(1), config.threadReplacementWindow());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "TUNNELVISION_STREAMS_HTTP_BIND|streams.example.org",
            "TUNNELVISION_STREAMS_HTTP_BIND|999.1.1.1",
            "TUNNELVISION_STREAMS_HTTP_PORT|65536",
            "TUNNELVISION_STREAMS_MAX_THREAD_REPLACEMENTS|-1",
            "TUNNELVISION_STREAMS_THREAD_REPLACEMENT_WINDOW|0s",
            "TUNNELVISION_STREAMS_THREAD_REPLACEMENT_WINDOW|2d"})
    void badEndpointOrPolicySettingsAreRefusedByName(String variable, String value) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new StreamsAppConfig(new Env(Map.of(variable, value))));
        assertTrue(e.getMessage().contains(variable), e.getMessage());
    }
}
