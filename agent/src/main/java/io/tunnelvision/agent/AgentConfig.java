package io.tunnelvision.agent;

import io.tunnelvision.agent.apply.ApplyBounds;
import io.tunnelvision.agent.apply.CrashPause;
import io.tunnelvision.agent.apply.ExecutorSettings;
import io.tunnelvision.agent.collect.Addresses;
import io.tunnelvision.agent.collect.InterruptsParser;
import io.tunnelvision.agent.probe.ProbeSettings;
import io.tunnelvision.agent.publish.SpoolFsync;
import io.tunnelvision.config.ConfigException;
import io.tunnelvision.config.Env;
import io.tunnelvision.config.KafkaSecurity;
import io.tunnelvision.config.KafkaSettings;
import io.tunnelvision.config.Setting;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.topic.Topics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Everything the host agent reads from its environment. */
public final class AgentConfig {

    public static final Setting HOST_ID = Setting.optional("TUNNELVISION_AGENT_HOST_ID", "",
            "Name of this gateway in every sample it sends; empty means the kernel hostname"
                    + " (<proc root>/sys/kernel/hostname)");
    public static final Setting PROC_ROOT = Setting.optional("TUNNELVISION_AGENT_PROC_ROOT", "/proc",
            "Where procfs is mounted; a container points it at the host's /proc, tests at a directory tree");
    public static final Setting SYS_ROOT = Setting.optional("TUNNELVISION_AGENT_SYS_ROOT", "/sys",
            "Where sysfs is mounted; a container points it at the host's /sys, tests at a directory tree");
    public static final Setting SAMPLE_INTERVAL = Setting.optional("TUNNELVISION_AGENT_SAMPLE_INTERVAL", "1s",
            "How often the collectors run, between 100ms and 10m (e.g. 500ms, 1s, PT2S)");
    public static final Setting SPOOL_DIR = Setting.optional("TUNNELVISION_AGENT_SPOOL_DIR",
            "/var/lib/tunnelvision/spool", "Directory where samples wait while Kafka cannot be reached");
    public static final Setting SPOOL_MAX_BYTES = Setting.optional("TUNNELVISION_AGENT_SPOOL_MAX_BYTES",
            String.valueOf(256L * 1024 * 1024), "Most disk the spool may use, in bytes (at least 1 MiB)");
    public static final Setting SPOOL_FSYNC = Setting.optional("TUNNELVISION_AGENT_SPOOL_FSYNC", "interval",
            "When the spool forces appended records to disk: interval (every TUNNELVISION_AGENT_SPOOL_FSYNC_INTERVAL),"
                    + " always (before each append returns) or never (the kernel's writeback); only an OS crash or a"
                    + " power cut loses what was not forced, a killed agent loses nothing");
    public static final Setting SPOOL_FSYNC_INTERVAL = Setting.optional("TUNNELVISION_AGENT_SPOOL_FSYNC_INTERVAL",
            "1s", "With TUNNELVISION_AGENT_SPOOL_FSYNC=interval: the most a power cut may lose, between 10ms and 1m");
    public static final Setting METRICS_PORT = Setting.optional("TUNNELVISION_AGENT_METRICS_PORT", "9464",
            "TCP port of the agent's own metrics endpoint");
    public static final Setting IRQ_DEVICES = Setting.optional("TUNNELVISION_AGENT_IRQ_DEVICES",
            InterruptsParser.DEFAULT_DEVICES.pattern(),
            "Regular expression: /proc/interrupts rows whose device names match are sent one by one, the rest as per-CPU totals");
    public static final Setting DISABLED_COLLECTORS = Setting.optional("TUNNELVISION_AGENT_DISABLED_COLLECTORS", "",
            "Comma-separated collectors to switch off: interrupts, softnet, link, interface-config, kernel-settings, wireguard, pmtu, qdisc, nic");
    public static final Setting NIC_INTERFACES = Setting.optional("TUNNELVISION_AGENT_NIC_INTERFACES", "",
            "Comma-separated interfaces the nic collector reads with ethtool besides those backed by a bus device "
                    + "(sysfs device link): a veth underlay in a container or a namespace");
    public static final Setting DRY_RUN = Setting.optional("TUNNELVISION_AGENT_DRY_RUN", "true",
            "When true the agent answers every acceptable tuning command DRY_RUN with what it would change, and changes nothing");
    public static final Setting TRUSTED_KEYS_DIR = Setting.optional("TUNNELVISION_AGENT_TRUSTED_KEYS_DIR",
            "/etc/tunnelvision/trusted-keys", "Directory of the planner public keys (*.pub.pem) whose signed tuning"
                    + " commands the agent accepts, and of revoked.txt, key ids refused whatever they sign; without"
                    + " any key, every command is rejected");
    public static final Setting STATE_DIR = Setting.optional("TUNNELVISION_AGENT_STATE_DIR",
            "/var/lib/tunnelvision/executor", "Directory of the command executor's replay guard, applied-changes"
                    + " record (for rollbacks) and append-only audit.log");
    public static final Setting APPLY_ACTIONS = Setting.optional("TUNNELVISION_AGENT_APPLY_ACTIONS", "all",
            "Comma-separated tuning actions this agent may apply (e.g. TXQUEUELEN,RPS_CPUS), or all;"
                    + " others are rejected");
    public static final Setting APPLY_BOUNDS = Setting.optional("TUNNELVISION_AGENT_APPLY_BOUNDS", "",
            "Overrides of the value bounds per action, e.g. MTU=1280..9000,TXQUEUELEN=500..5000; empty keeps"
                    + " the built-in ones (see agent/README.md)");
    public static final Setting SETTINGS_EVERY = Setting.optional("TUNNELVISION_AGENT_SETTINGS_EVERY", "10",
            "Rounds between two reads of the settings only an administrator or the executor changes (MTU, txqueuelen,"
                    + " RPS, sysctls, rp_filter, governors; at once after a command); counters are read every round");
    public static final Setting PMTU_EVERY = Setting.optional("TUNNELVISION_AGENT_PMTU_EVERY", "300",
            "Rounds between two path-MTU probings of the WireGuard peers (DF pings through each tunnel, on a thread"
                    + " of their own); every round publishes the latest result");
    public static final Setting PUBLISH_INTERVAL = Setting.optional("TUNNELVISION_AGENT_PUBLISH_INTERVAL", "1s",
            "How long spooled samples wait to go to Kafka together in one request, between 100ms and 1m;"
                    + " command results go at once (5s saves a little CPU but delays detection by as much)");
    public static final Setting METRICS_BIND = Setting.optional("TUNNELVISION_AGENT_METRICS_BIND", "127.0.0.1",
            "IP address the metrics endpoint listens on; the default answers only on this host (a local scraper or"
                    + " an SSH tunnel); 0.0.0.0 or an interface's address opens it to the network");
    public static final Setting TEST_CRASH_PAUSE = Setting.optional("TUNNELVISION_AGENT_TEST_CRASH_PAUSE", "",
            "For crash tests only, never in production: point:duration (after-kernel-write, after-result-recorded"
                    + " or after-result-spooled, e.g. after-kernel-write:60s) makes the first command that reaches"
                    + " the point pause there, so that a test can kill the agent; empty: off");

    // Below 100ms the agent's own reads of /proc/interrupts start to load the gateway it is meant to relieve;
    // above 10m the rates are too coarse to show a hotspot before users feel it.
    private static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    private static final Duration MAX_INTERVAL = Duration.ofMinutes(10);
    // The setting is in bytes: anything under 1 MiB is far more likely a unit mistake than a wish.
    private static final long MIN_SPOOL_BYTES = 1024L * 1024;

    private final String hostId;
    private final Path procRoot;
    private final Path sysRoot;
    private final Duration sampleInterval;
    private final Path spoolDir;
    private final long spoolMaxBytes;
    private final SpoolFsync spoolFsync;
    private final int metricsPort;
    private final boolean dryRun;
    private final Path trustedKeysDir;
    private final Path stateDir;
    private final Set<TuningAction> applyActions;
    private final ApplyBounds applyBounds;
    private final Pattern irqDevices;
    private final List<String> disabledCollectors;
    private final Set<String> nicInterfaces;
    private final String kafkaBootstrap;
    private final KafkaSecurity kafkaSecurity;
    private final Topics topics;
    private final ProbeSettings probes;
    private final int settingsEvery;
    private final int pmtuEvery;
    private final Duration publishInterval;
    private final InetAddress metricsBind;
    private final CrashPause crashPause;

    public AgentConfig(Env env) {
        this.procRoot = path(env, PROC_ROOT);
        this.sysRoot = path(env, SYS_ROOT);
        String configuredHostId = env.string(HOST_ID);
        this.hostId = configuredHostId.isEmpty() ? kernelHostname(procRoot) : configuredHostId;
        this.sampleInterval = env.duration(SAMPLE_INTERVAL);
        if (sampleInterval.compareTo(MIN_INTERVAL) < 0 || sampleInterval.compareTo(MAX_INTERVAL) > 0) {
            throw new ConfigException(SAMPLE_INTERVAL.env() + "=" + env.string(SAMPLE_INTERVAL)
                    + " is out of range: use a value between 100ms and 10m");
        }
        this.spoolDir = path(env, SPOOL_DIR);
        this.spoolMaxBytes = env.longValue(SPOOL_MAX_BYTES, MIN_SPOOL_BYTES, Long.MAX_VALUE);
        this.spoolFsync = spoolFsync(env);
        this.metricsPort = env.integer(METRICS_PORT, 1, 65_535);
        this.dryRun = env.bool(DRY_RUN);
        this.trustedKeysDir = path(env, TRUSTED_KEYS_DIR);
        this.stateDir = path(env, STATE_DIR);
        this.applyActions = actions(env);
        this.applyBounds = bounds(env);
        this.irqDevices = pattern(env, IRQ_DEVICES);
        this.disabledCollectors = Arrays.stream(env.string(DISABLED_COLLECTORS).split(","))
                .map(String::trim).filter(name -> !name.isEmpty()).toList();
        this.nicInterfaces = nicInterfaces(env);
        this.kafkaBootstrap = env.string(KafkaSettings.BOOTSTRAP);
        this.kafkaSecurity = KafkaSecurity.from(env);
        this.topics = KafkaSettings.topics(env);
        this.probes = ProbeSettings.from(env);
        this.settingsEvery = env.integer(SETTINGS_EVERY, 1, 3600);
        this.pmtuEvery = env.integer(PMTU_EVERY, 1, 86_400);
        this.publishInterval = env.duration(PUBLISH_INTERVAL);
        if (publishInterval.compareTo(MIN_INTERVAL) < 0 || publishInterval.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new ConfigException(PUBLISH_INTERVAL.env() + "=" + env.string(PUBLISH_INTERVAL)
                    + " is out of range: use a value between 100ms and 1m");
        }
        this.metricsBind = ipLiteral(env, METRICS_BIND);
        try {
            this.crashPause = CrashPause.parse(env.string(TEST_CRASH_PAUSE));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(TEST_CRASH_PAUSE.env() + "=" + env.string(TEST_CRASH_PAUSE)
                    + " is not usable: " + e.getMessage(), e);
        }
    }

    public static List<Setting> settings() {
        List<Setting> all = new ArrayList<>(List.of(HOST_ID, PROC_ROOT, SYS_ROOT, SAMPLE_INTERVAL, SPOOL_DIR,
                SPOOL_MAX_BYTES, SPOOL_FSYNC, SPOOL_FSYNC_INTERVAL, METRICS_PORT, IRQ_DEVICES, DISABLED_COLLECTORS, NIC_INTERFACES, DRY_RUN, TRUSTED_KEYS_DIR, STATE_DIR,
                APPLY_ACTIONS, APPLY_BOUNDS, SETTINGS_EVERY, PMTU_EVERY, PUBLISH_INTERVAL, METRICS_BIND, TEST_CRASH_PAUSE));
        all.addAll(KafkaSettings.all());
        all.addAll(ProbeSettings.settings());
        return List.copyOf(all);
    }

    public String hostId() {
        return hostId;
    }

    public Path procRoot() {
        return procRoot;
    }

    public Path sysRoot() {
        return sysRoot;
    }

    public Duration sampleInterval() {
        return sampleInterval;
    }

    public Path spoolDir() {
        return spoolDir;
    }

    public long spoolMaxBytes() {
        return spoolMaxBytes;
    }

    /** When the spool forces what it appended to disk. */
    public SpoolFsync spoolFsync() {
        return spoolFsync;
    }

    public int metricsPort() {
        return metricsPort;
    }

    /** The address the metrics endpoint listens on. */
    public InetAddress metricsBind() {
        return metricsBind;
    }

    /** The crash tests' pause; {@link CrashPause#OFF} unless TUNNELVISION_AGENT_TEST_CRASH_PAUSE is set. */
    public CrashPause crashPause() {
        return crashPause;
    }

    public Pattern irqDevices() {
        return irqDevices;
    }

    /** {@link #NIC_INTERFACES} of {@code env}: the collect and doctor commands read it too. */
    public static Set<String> nicInterfaces(Env env) {
        return Arrays.stream(env.string(NIC_INTERFACES).split(",")).map(String::trim)
                .filter(name -> !name.isEmpty()).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    public Set<String> nicInterfaces() {
        return nicInterfaces;
    }

    public List<String> disabledCollectors() {
        return disabledCollectors;
    }

    public boolean dryRun() {
        return dryRun;
    }

    public Path trustedKeysDir() {
        return trustedKeysDir;
    }

    public Path stateDir() {
        return stateDir;
    }

    public Set<TuningAction> applyActions() {
        return applyActions;
    }

    public ApplyBounds applyBounds() {
        return applyBounds;
    }

    /** What the command executor needs, from these settings. */
    public ExecutorSettings executorSettings() {
        return ExecutorSettings.of(hostId, sysRoot, procRoot, stateDir, applyActions, applyBounds, dryRun);
    }

    /** The latency probes' settings (TUNNELVISION_AGENT_PROBE_*). */
    public ProbeSettings probes() {
        return probes;
    }

    public String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    /** How the agent's producer and command consumer authenticate; the files are read when they are wired. */
    public KafkaSecurity kafkaSecurity() {
        return kafkaSecurity;
    }

    /** Rounds between two reads of the settings that only change by an administrator's or the executor's hand. */
    public int settingsEvery() {
        return settingsEvery;
    }

    /** Rounds between two path-MTU probings. */
    public int pmtuEvery() {
        return pmtuEvery;
    }

    /** How long the spool sender gathers samples into one produce request. */
    public Duration publishInterval() {
        return publishInterval;
    }

    /** The topic registry in the configured namespace. */
    public Topics topics() {
        return topics;
    }

    @Override
    public String toString() {
        return "AgentConfig{hostId=" + hostId + ", procRoot=" + procRoot + ", sysRoot=" + sysRoot
                + ", sampleInterval=" + sampleInterval + ", spoolDir=" + spoolDir + ", spoolMaxBytes="
                + spoolMaxBytes + ", spoolFsync=" + spoolFsync + ", metrics=" + metricsBind.getHostAddress() + ":" + metricsPort
                + (crashPause.on() ? ", crashPause=" + crashPause : "") + ", dryRun=" + dryRun + ", trustedKeysDir="
                + trustedKeysDir + ", stateDir=" + stateDir + ", applyActions=" + applyActions + ", kafkaBootstrap="
                + kafkaBootstrap + ", " + kafkaSecurity + ", topicNamespace=" + topics.namespace() + "}";
    }

    /**
     * The kernel's hostname is read under the configured proc root, so tests decide it with a file; the JVM's
     * idea of the local host name is only a fallback for systems where that file cannot be read.
     */
    private static Pattern pattern(Env env, Setting setting) {
        String raw = env.string(setting);
        try {
            return Pattern.compile(raw);
        } catch (PatternSyntaxException e) {
            throw new ConfigException(setting.env() + "=" + raw + " is not a regular expression: "
                    + e.getDescription(), e);
        }
    }

    private static String kernelHostname(Path procRoot) {
        Path file = procRoot.resolve("sys/kernel/hostname");
        try {
            String name = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException e) {
            // not readable here: fall through to the JVM's answer
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            throw new ConfigException(HOST_ID.env() + " is not set and the hostname could be read neither from "
                    + file + " nor from the resolver: set " + HOST_ID.env() + " to this gateway's name", e);
        }
    }

    private static Set<TuningAction> actions(Env env) {
        String raw = env.string(APPLY_ACTIONS);
        if (raw.equalsIgnoreCase("all")) {
            return ExecutorSettings.allActions();
        }
        Set<TuningAction> actions = EnumSet.noneOf(TuningAction.class);
        for (String name : raw.split(",")) {
            String n = name.strip().toUpperCase(java.util.Locale.ROOT);
            if (n.isEmpty()) {
                continue;
            }
            try {
                TuningAction action = TuningAction.valueOf(n);
                if (action == TuningAction.UNKNOWN) {
                    throw new IllegalArgumentException(n);
                }
                actions.add(action);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(APPLY_ACTIONS.env() + "=" + raw + " names '" + n + "', which is not one"
                        + " of " + ExecutorSettings.allActions() + " (or use all)", e);
            }
        }
        return actions;
    }

    private static SpoolFsync spoolFsync(Env env) {
        String raw = env.string(SPOOL_FSYNC);
        SpoolFsync.Mode mode;
        try {
            mode = SpoolFsync.mode(raw);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(SPOOL_FSYNC.env() + "=" + raw + " is not usable: use interval, always or never",
                    e);
        }
        Duration interval = env.duration(SPOOL_FSYNC_INTERVAL);
        if (interval.compareTo(Duration.ofMillis(10)) < 0 || interval.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new ConfigException(SPOOL_FSYNC_INTERVAL.env() + "=" + env.string(SPOOL_FSYNC_INTERVAL)
                    + " is out of range: use a value between 10ms and 1m");
        }
        return new SpoolFsync(mode, interval);
    }

    private static ApplyBounds bounds(Env env) {
        String raw = env.string(APPLY_BOUNDS);
        try {
            return ApplyBounds.parse(raw);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(APPLY_BOUNDS.env() + "=" + raw + " is not usable: " + e.getMessage(), e);
        }
    }

    /** An IP address written as one (v4, or v6 with or without brackets): a name would need a resolver at start. */
    private static InetAddress ipLiteral(Env env, Setting setting) {
        String raw = env.string(setting);
        InetAddress address = Addresses.literal(raw);
        if (address == null) {
            throw new ConfigException(setting.env() + "=" + raw + " is not an IP address (e.g. 127.0.0.1, ::1,"
                    + " 0.0.0.0); host names are not resolved");
        }
        return address;
    }

    private static Path path(Env env, Setting setting) {
        String raw = env.string(setting);
        try {
            return Path.of(raw);
        } catch (InvalidPathException e) {
            throw new ConfigException(setting.env() + "=" + raw + " is not a usable path: " + e.getReason(), e);
        }
    }

}
