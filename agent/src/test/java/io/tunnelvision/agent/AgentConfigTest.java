package io.tunnelvision.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.apply.ExecutorSettings;
import io.tunnelvision.agent.publish.SpoolFsync;
import io.tunnelvision.config.ConfigException;
import io.tunnelvision.config.Env;
import io.tunnelvision.config.KafkaSettings;
import io.tunnelvision.config.Setting;
import io.tunnelvision.schemas.avro.TuningAction;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentConfigTest {

    @TempDir
    Path procRoot;

    @Test
    void unsetSettingsTakeTheirDefaults() throws IOException {
        givenKernelHostname("gw-ams-01\n");

        AgentConfig config = new AgentConfig(new Env(Map.of("TUNNELVISION_AGENT_PROC_ROOT", procRoot.toString())));

        assertEquals("gw-ams-01", config.hostId());
        assertEquals(Path.of("/sys"), config.sysRoot());
        assertEquals(Duration.ofSeconds(1), config.sampleInterval());
        assertEquals(Path.of("/var/lib/tunnelvision/spool"), config.spoolDir());
        assertEquals(256L * 1024 * 1024, config.spoolMaxBytes());
        assertEquals(9464, config.metricsPort());
        assertEquals(InetAddress.getByName("127.0.0.1"), config.metricsBind(), "metrics answer on this host only");
        assertFalse(config.crashPause().on(), "the crash tests' hook is off unless set");
        assertTrue(config.dryRun(), "a fresh agent must never touch the kernel unless told to");
        assertEquals(Path.of("/etc/tunnelvision/trusted-keys"), config.trustedKeysDir());
        assertEquals(Path.of("/var/lib/tunnelvision/executor"), config.stateDir());
        assertEquals(ExecutorSettings.allActions(), config.applyActions());
        assertEquals("576..9000", config.applyBounds().of(TuningAction.MTU).orElseThrow().toString());
        assertEquals("localhost:9092", config.kafkaBootstrap());
        assertEquals("", config.topics().namespace());
        assertEquals(10, config.settingsEvery());
        assertEquals(Duration.ofSeconds(1), config.publishInterval());
    }

    @Test
    void settingsRoundsAndPublishIntervalAreBounded() {
        for (Map<String, String> env : List.of(Map.of("TUNNELVISION_AGENT_SETTINGS_EVERY", "0"),
                Map.of("TUNNELVISION_AGENT_PUBLISH_INTERVAL", "50ms"),
                Map.of("TUNNELVISION_AGENT_PUBLISH_INTERVAL", "2m"))) {
            Map<String, String> withHost = new java.util.HashMap<>(env);
            withHost.put("TUNNELVISION_AGENT_HOST_ID", "gw");
            assertThrows(ConfigException.class, () -> new AgentConfig(new Env(withHost)), env.toString());
        }
        AgentConfig config = new AgentConfig(new Env(Map.of("TUNNELVISION_AGENT_HOST_ID", "gw",
                "TUNNELVISION_AGENT_SETTINGS_EVERY", "1", "TUNNELVISION_AGENT_PUBLISH_INTERVAL", "100ms")));
        assertEquals(1, config.settingsEvery());
        assertEquals(Duration.ofMillis(100), config.publishInterval());
    }

    @Test
    void theSpoolFsyncPolicyDefaultsToEverySecondAndRefusesWhatItCannotDo() {
        assertEquals(SpoolFsync.DEFAULT,
                new AgentConfig(new Env(Map.of("TUNNELVISION_AGENT_HOST_ID", "gw"))).spoolFsync());
        assertEquals(new SpoolFsync(SpoolFsync.Mode.ALWAYS, Duration.ofMillis(250)), new AgentConfig(new Env(Map.of(
                "TUNNELVISION_AGENT_HOST_ID", "gw", "TUNNELVISION_AGENT_SPOOL_FSYNC", "Always",
                "TUNNELVISION_AGENT_SPOOL_FSYNC_INTERVAL", "250ms"))).spoolFsync());
        for (Map<String, String> env : List.of(Map.of("TUNNELVISION_AGENT_SPOOL_FSYNC", "sometimes"),
                Map.of("TUNNELVISION_AGENT_SPOOL_FSYNC_INTERVAL", "1ms"),
                Map.of("TUNNELVISION_AGENT_SPOOL_FSYNC_INTERVAL", "2m"))) {
            Map<String, String> withHost = new java.util.HashMap<>(env);
            withHost.put("TUNNELVISION_AGENT_HOST_ID", "gw");
            ConfigException error = assertThrows(ConfigException.class, () -> new AgentConfig(new Env(withHost)),
                    env.toString());
            assertTrue(error.getMessage().contains(env.keySet().iterator().next()), error.getMessage());
        }
    }

    @Test
    void anEmptyEnvironmentReadsTheRealProcAndStillFindsAHostId() {
        AgentConfig config = new AgentConfig(new Env(Map.of()));

        assertEquals(Path.of("/proc"), config.procRoot());
        assertFalse(config.hostId().isBlank());
    }

    @Test
    void everySettingCanBeOverridden() throws IOException {
        givenKernelHostname("ignored-because-set-explicitly");

        AgentConfig config = new AgentConfig(new Env(Map.ofEntries(
                Map.entry("TUNNELVISION_AGENT_HOST_ID", "gw-fra-07"),
                Map.entry("TUNNELVISION_AGENT_PROC_ROOT", procRoot.toString()),
                Map.entry("TUNNELVISION_AGENT_SYS_ROOT", "/host/sys"),
                Map.entry("TUNNELVISION_AGENT_SAMPLE_INTERVAL", "250ms"),
                Map.entry("TUNNELVISION_AGENT_SPOOL_DIR", "/data/spool"),
                Map.entry("TUNNELVISION_AGENT_SPOOL_MAX_BYTES", "2097152"),
                Map.entry("TUNNELVISION_AGENT_METRICS_PORT", "19464"),
                Map.entry("TUNNELVISION_AGENT_METRICS_BIND", "[::]"),
                Map.entry("TUNNELVISION_AGENT_TEST_CRASH_PAUSE", "after-kernel-write:30s"),
                Map.entry("TUNNELVISION_AGENT_DRY_RUN", "false"),
                Map.entry("TUNNELVISION_AGENT_TRUSTED_KEYS_DIR", "/etc/tv/keys"),
                Map.entry("TUNNELVISION_AGENT_STATE_DIR", "/data/executor"),
                Map.entry("TUNNELVISION_AGENT_APPLY_ACTIONS", "txqueuelen, RPS_CPUS"),
                Map.entry("TUNNELVISION_AGENT_APPLY_BOUNDS", "MTU=1280..1500"),
                Map.entry("TUNNELVISION_KAFKA_BOOTSTRAP", "kafka-1:9092,kafka-2:9092"),
                Map.entry("TUNNELVISION_TOPIC_NAMESPACE", "staging"))));

        assertEquals("gw-fra-07", config.hostId());
        assertEquals(procRoot, config.procRoot());
        assertEquals(Path.of("/host/sys"), config.sysRoot());
        assertEquals(Duration.ofMillis(250), config.sampleInterval());
        assertEquals(Path.of("/data/spool"), config.spoolDir());
        assertEquals(2_097_152L, config.spoolMaxBytes());
        assertEquals(19464, config.metricsPort());
        assertEquals(InetAddress.getByName("::"), config.metricsBind());
        assertEquals("after-kernel-write:30000ms", config.crashPause().toString());
        assertFalse(config.dryRun());
        assertEquals(Path.of("/etc/tv/keys"), config.trustedKeysDir());
        assertEquals(Path.of("/data/executor"), config.stateDir());
        assertEquals(EnumSet.of(TuningAction.TXQUEUELEN, TuningAction.RPS_CPUS), config.applyActions());
        assertEquals("1280..1500", config.applyBounds().of(TuningAction.MTU).orElseThrow().toString());
        assertFalse(config.executorSettings().dryRun());
        assertEquals("kafka-1:9092,kafka-2:9092", config.kafkaBootstrap());
        assertEquals("staging", config.topics().namespace());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "TUNNELVISION_AGENT_SAMPLE_INTERVAL, often",
            "TUNNELVISION_AGENT_SAMPLE_INTERVAL, 0s",
            "TUNNELVISION_AGENT_SAMPLE_INTERVAL, 1h",
            "TUNNELVISION_AGENT_SPOOL_MAX_BYTES, 256",
            "TUNNELVISION_AGENT_SPOOL_MAX_BYTES, 256MiB",
            "TUNNELVISION_AGENT_METRICS_PORT, 70000",
            "TUNNELVISION_AGENT_METRICS_BIND, localhost",
            "TUNNELVISION_AGENT_METRICS_BIND, 127.0.0.1:9464",
            "TUNNELVISION_AGENT_TEST_CRASH_PAUSE, after-kernel-write",
            "TUNNELVISION_AGENT_TEST_CRASH_PAUSE, before-lunch:10s",
            "TUNNELVISION_AGENT_TEST_CRASH_PAUSE, after-result-spooled:0s",
            "TUNNELVISION_AGENT_DRY_RUN, maybe",
            "TUNNELVISION_AGENT_APPLY_ACTIONS, 'MTU,REBOOT'",
            "TUNNELVISION_AGENT_APPLY_ACTIONS, UNKNOWN",
            "TUNNELVISION_AGENT_APPLY_BOUNDS, MTU=9000..576",
            "TUNNELVISION_AGENT_APPLY_BOUNDS, RPS_CPUS=0..3",
            "TUNNELVISION_AGENT_APPLY_BOUNDS, MTU:576-9000",
            "TUNNELVISION_TOPIC_NAMESPACE, Staging_1",
    })
    void aBadValueIsRejectedWithAMessageNamingTheVariable(String variable, String value) throws IOException {
        givenKernelHostname("gw-ams-01");

        ConfigException error = assertThrows(ConfigException.class, () -> new AgentConfig(new Env(Map.of(
                "TUNNELVISION_AGENT_PROC_ROOT", procRoot.toString(),
                variable, value))));

        assertTrue(error.getMessage().contains(variable + "="),
                "message should name the variable and its value: " + error.getMessage());
    }

    @Test
    void settingsListEachVariableItReadsOnceIncludingTheSharedKafkaOnes() {
        var names = new HashSet<String>();
        for (Setting setting : AgentConfig.settings()) {
            assertTrue(names.add(setting.env()), "listed twice: " + setting.env());
            assertFalse(setting.isRequired(), "the agent must start on a bare gateway, but requires " + setting.env());
        }
        for (Setting kafka : KafkaSettings.all()) {
            assertTrue(names.contains(kafka.env()), "missing " + kafka.env());
        }
        assertEquals(38, names.size());
    }

    @Test
    void nicInterfacesAreACommaSeparatedSetEmptyByDefault() {
        assertEquals(java.util.Set.of(), new AgentConfig(new Env(Map.of("TUNNELVISION_AGENT_HOST_ID", "gw")))
                .nicInterfaces());
        assertEquals(java.util.Set.of("u0", "eth1"), new AgentConfig(new Env(Map.of("TUNNELVISION_AGENT_HOST_ID", "gw",
                "TUNNELVISION_AGENT_NIC_INTERFACES", " u0, eth1 ,"))).nicInterfaces());
    }

    private void givenKernelHostname(String content) throws IOException {
        Path file = procRoot.resolve("sys/kernel/hostname");
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
