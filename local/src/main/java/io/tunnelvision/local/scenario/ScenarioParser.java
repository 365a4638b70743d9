package io.tunnelvision.local.scenario;

import io.tunnelvision.config.Env;
import io.tunnelvision.local.sim.Fault;
import io.tunnelvision.local.sim.NicDriver;
import io.tunnelvision.local.sim.TrafficLoad;
import io.tunnelvision.local.sim.TunnelKind;
import java.io.Reader;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a scenario file (YAML; the format is described in {@code local/README.md}). Pure: text in, a
 * {@link Scenario} out, or a {@link ScenarioException} naming the source, the line and the field.
 */
public final class ScenarioParser {

    /** The kernel's own rule for host names is looser; this keeps names safe as directory names and Kafka keys. */
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Set<String> TOP = Set.of("name", "gateways", "seed", "interval", "load", "hosts", "faults");
    private static final Set<String> LOAD = Set.of("rxPps", "txPps", "largeShare", "smallBytes");
    private static final Set<String> SHAPE = Set.of("cpus", "kind", "rxQueues", "nic", "numaNodes");
    private static final Set<String> WHEN = Set.of("fault", "hosts", "share", "start", "end");

    private final String source;

    private ScenarioParser(String source) {
        this.source = source;
    }

    public static Scenario parse(String source, String text) {
        return parse(source, new StringReader(text));
    }

    public static Scenario parse(String source, Reader reader) {
        return new ScenarioParser(source).read(reader);
    }

    private Scenario read(Reader reader) {
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            root = new Yaml(options).compose(reader);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new ScenarioException(source + " line " + line + ": not valid YAML: " + e.getProblem(), e);
        } catch (YAMLException e) {
            throw new ScenarioException(source + ": not valid YAML: " + e.getMessage(), e);
        }
        if (root == null) {
            throw new ScenarioException(source + ": the file is empty");
        }
        Map<String, Node> top = mapping(root, "(top level)", TOP);
        String name = top.containsKey("name") ? text(top.get("name"), "name") : "unnamed";
        int gateways = top.containsKey("gateways") ? integer(top.get("gateways"), "gateways", 1, 1_000_000) : 50;
        long seed = top.containsKey("seed") ? integer(top.get("seed"), "seed", 0, Integer.MAX_VALUE) : 1;
        Duration interval = top.containsKey("interval") ? duration(top.get("interval"), "interval")
                : Duration.ofSeconds(1);
        if (interval.toMillis() < 100) {
            throw error(top.get("interval"), "interval", "must be at least 100ms, was " + interval.toMillis() + "ms");
        }
        TrafficLoad load = top.containsKey("load") ? load(top.get("load")) : TrafficLoad.typical();
        Map<String, HostShape> hosts = top.containsKey("hosts") ? hosts(top.get("hosts")) : Map.of();
        List<FaultPlan> faults = new ArrayList<>();
        if (top.containsKey("faults")) {
            Node node = top.get("faults");
            if (!(node instanceof SequenceNode list)) {
                throw error(node, "faults", "must be a list of faults");
            }
            for (int i = 0; i < list.getValue().size(); i++) {
                faults.add(fault(list.getValue().get(i), "faults[" + i + "]", hosts.keySet()));
            }
        }
        return new Scenario(name, gateways, seed, interval, load, hosts, faults);
    }

    private TrafficLoad load(Node node) {
        Map<String, Node> m = mapping(node, "load", LOAD);
        TrafficLoad typical = TrafficLoad.typical();
        double rx = m.containsKey("rxPps") ? number(m.get("rxPps"), "load.rxPps", 0, 1e9) : typical.rxPacketsPerSecond();
        double tx = m.containsKey("txPps") ? number(m.get("txPps"), "load.txPps", 0, 1e9) : typical.txPacketsPerSecond();
        double large = m.containsKey("largeShare") ? number(m.get("largeShare"), "load.largeShare", 0, 1)
                : typical.largeShare();
        int small = m.containsKey("smallBytes") ? integer(m.get("smallBytes"), "load.smallBytes", 20, 65535)
                : typical.smallPacketBytes();
        return new TrafficLoad(rx, tx, large, small);
    }

    private Map<String, HostShape> hosts(Node node) {
        if (!(node instanceof MappingNode mapping)) {
            throw error(node, "hosts", "must map gateway names to {cpus, kind, rxQueues, nic, numaNodes}");
        }
        Map<String, HostShape> hosts = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String name = text(tuple.getKeyNode(), "hosts");
            String field = "hosts." + name;
            if (!HOST_NAME.matcher(name).matches()) {
                throw error(tuple.getKeyNode(), field, "is not a usable gateway name (letters, digits, '.', '_', "
                        + "'-'; at most 63)");
            }
            Map<String, Node> m = mapping(tuple.getValueNode(), field, SHAPE);
            if (!m.containsKey("cpus")) {
                throw error(tuple.getValueNode(), field + ".cpus", "is missing");
            }
            int cpus = integer(m.get("cpus"), field + ".cpus", 2, 64);
            TunnelKind kind = m.containsKey("kind") ? kind(m.get("kind"), field + ".kind") : TunnelKind.WIREGUARD;
            int queues = m.containsKey("rxQueues") ? integer(m.get("rxQueues"), field + ".rxQueues", 1, 64)
                    : Math.min(cpus, 8);
            NicDriver nic = m.containsKey("nic") ? nic(m.get("nic"), field + ".nic") : NicDriver.IXGBE;
            int nodes = m.containsKey("numaNodes") ? integer(m.get("numaNodes"), field + ".numaNodes", 1, 2) : 1;
            if (nodes == 2 && cpus % 4 != 0) {
                throw error(m.get("numaNodes"), field + ".numaNodes", "2 needs cpus divisible by 4 (two sockets of "
                        + "cores with two threads each), cpus is " + cpus);
            }
            hosts.put(name, new HostShape(cpus, kind, queues, nic, nodes));
        }
        return hosts;
    }

    private FaultPlan fault(Node node, String field, Set<String> named) {
        if (!(node instanceof MappingNode)) {
            throw error(node, field, "must be a mapping with fault, hosts or share, start and the fault's fields");
        }
        Map<String, Node> all = mapping(node, field, null);
        if (!all.containsKey("fault")) {
            throw error(node, field + ".fault", "is missing: one of " + FaultType.names());
        }
        String typeName = text(all.get("fault"), field + ".fault");
        FaultType type = FaultType.byName(typeName);
        if (type == null) {
            throw error(all.get("fault"), field + ".fault", "'" + typeName + "' is not a fault: use one of "
                    + FaultType.names());
        }
        Set<String> allowed = new LinkedHashSet<>(WHEN);
        allowed.addAll(type.parameters());
        mapping(node, field, allowed);
        List<String> hosts = new ArrayList<>();
        double share = 0;
        if (all.containsKey("hosts") == all.containsKey("share")) {
            throw error(node, field, "needs exactly one of hosts (a list of names from the hosts section) or share "
                    + "(a fraction of the other gateways)");
        }
        if (all.containsKey("hosts")) {
            Node list = all.get("hosts");
            if (!(list instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
                throw error(list, field + ".hosts", "must be a non-empty list of gateway names");
            }
            for (Node item : seq.getValue()) {
                String host = text(item, field + ".hosts");
                if (!named.contains(host)) {
                    throw error(item, field + ".hosts", "'" + host + "' is not in the hosts section (known: "
                            + named + ")");
                }
                hosts.add(host);
            }
        } else {
            share = number(all.get("share"), field + ".share", 0, 1);
            if (share == 0) {
                throw error(all.get("share"), field + ".share", "must be above 0");
            }
        }
        Duration start = all.containsKey("start") ? duration(all.get("start"), field + ".start") : Duration.ZERO;
        Optional<Duration> end = Optional.empty();
        if (all.containsKey("end")) {
            Duration e = duration(all.get("end"), field + ".end");
            if (e.compareTo(start) <= 0) {
                throw error(all.get("end"), field + ".end", "must be after start (" + start + "), was " + e);
            }
            end = Optional.of(e);
        }
        Fault fault;
        try {
            fault = type.build(p -> all.containsKey(p) ? number(all.get(p), field + "." + p, 0, 1e6) : null);
        } catch (IllegalArgumentException e) {
            throw error(node, field, e.getMessage());
        }
        return new FaultPlan(type.fileName(), fault, hosts, share, start, end, node.getStartMark().getLine() + 1);
    }

    // typed access to nodes

    private Map<String, Node> mapping(Node node, String field, Set<String> allowed) {
        if (!(node instanceof MappingNode mapping)) {
            throw error(node, field, "must be a mapping");
        }
        Map<String, Node> m = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String key = text(tuple.getKeyNode(), field);
            if (allowed != null && !allowed.contains(key)) {
                throw error(tuple.getKeyNode(), prefix(field) + key, "is not a field here; known: " + allowed);
            }
            m.put(key, tuple.getValueNode());
        }
        return m;
    }

    private static String prefix(String field) {
        return field.equals("(top level)") ? "" : field + ".";
    }

    private String text(Node node, String field) {
        if (!(node instanceof ScalarNode scalar)) {
            throw error(node, field, "must be a single value");
        }
        return scalar.getValue().strip();
    }

    private int integer(Node node, String field, int min, int max) {
        String raw = text(node, field);
        try {
            int value = Integer.parseInt(raw.replace("_", ""));
            if (value < min || value > max) {
                throw error(node, field, "must be " + min + " to " + max + ", was " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw error(node, field, "'" + raw + "' is not a whole number");
        }
    }

    private double number(Node node, String field, double min, double max) {
        String raw = text(node, field);
        try {
            double value = Double.parseDouble(raw.replace("_", ""));
            if (!(value >= min && value <= max)) {
                throw error(node, field, "must be " + min + " to " + max + ", was " + raw);
            }
            return value;
        } catch (NumberFormatException e) {
            throw error(node, field, "'" + raw + "' is not a number");
        }
    }

    private Duration duration(Node node, String field) {
        String raw = text(node, field);
        try {
            Duration d = Env.parseDuration(raw);
            if (d.isNegative()) {
                throw error(node, field, "cannot be negative");
            }
            return d;
        } catch (RuntimeException e) {
            if (e instanceof ScenarioException s) {
                throw s;
            }
            throw error(node, field, "'" + raw + "' is not a duration (e.g. 500ms, 30s, 5m, PT1M)");
        }
    }

    private TunnelKind kind(Node node, String field) {
        String raw = text(node, field);
        try {
            return TunnelKind.valueOf(raw.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw error(node, field, "'" + raw + "' is not a tunnel kind: tun, wireguard or vxlan");
        }
    }

    private NicDriver nic(Node node, String field) {
        String raw = text(node, field);
        NicDriver nic = NicDriver.byFileName(raw);
        if (nic == null) {
            throw error(node, field, "'" + raw + "' is not a NIC driver: use one of " + Arrays.stream(
                    NicDriver.values()).map(NicDriver::fileName).collect(Collectors.joining(", ")));
        }
        return nic;
    }

    private ScenarioException error(Node node, String field, String problem) {
        int line = node == null ? 0 : node.getStartMark().getLine() + 1;
        return new ScenarioException(source + " line " + line + ", " + field + ": " + problem);
    }
}
