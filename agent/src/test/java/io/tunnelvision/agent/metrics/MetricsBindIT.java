package io.tunnelvision.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.AgentMain;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's {@code /metrics} as a real {@code run} process serves it: with the default settings it answers on
 * 127.0.0.1 only, so nobody on another address (another loopback address, or any address of this machine's
 * interfaces) can read it; TUNNELVISION_AGENT_METRICS_BIND opens it where it is wanted.
 */
class MetricsBindIT {

    private static final Path TREE = Path.of("src/test/resources/fixtures/live-host").toAbsolutePath();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;
    private Process agent;

    @AfterEach
    void stopTheAgent() throws InterruptedException {
        if (agent != null) {
            agent.destroyForcibly().waitFor();
        }
    }

    @Test
    void aDefaultAgentAnswersMetricsOnLoopbackOnlyAndNotOnAnyOtherAddress() throws Exception {
        int port = freePort();
        agent = startAgent(port, Map.of());

        awaitMetrics(InetAddress.getByName("127.0.0.1"), port);

        List<InetAddress> others = otherAddresses();
        assertTrue(others.contains(InetAddress.getByName("127.0.0.2")));
        for (InetAddress other : others) {
            assertThrows(ConnectException.class, () -> connect(other, port),
                    "metrics must not answer on " + other.getHostAddress());
        }
    }

    @Test
    void theBindSettingOpensMetricsToOtherAddresses() throws Exception {
        int port = freePort();
        agent = startAgent(port, Map.of("TUNNELVISION_AGENT_METRICS_BIND", "0.0.0.0"));

        awaitMetrics(InetAddress.getByName("127.0.0.1"), port);

        HttpResponse<String> other = get(InetAddress.getByName("127.0.0.2"), port);
        assertEquals(200, other.statusCode());
        assertTrue(other.body().contains("tunnelvision_probe_reflector_dropped_total{reason=\"over_budget\"}"),
                other.body());
    }

    private Process startAgent(int port, Map<String, String> extra) throws IOException {
        String cp = System.getProperty("surefire.test.class.path");
        String classpath = cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", classpath, AgentMain.class.getName(), "run")
                .redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("TUNNELVISION_"));
        builder.environment().putAll(Map.of(
                "TUNNELVISION_AGENT_HOST_ID", "gw-metrics",
                "TUNNELVISION_AGENT_PROC_ROOT", TREE.resolve("proc").toString(),
                "TUNNELVISION_AGENT_SYS_ROOT", TREE.resolve("sys").toString(),
                "TUNNELVISION_AGENT_SPOOL_DIR", dir.resolve("spool").toString(),
                "TUNNELVISION_AGENT_STATE_DIR", dir.resolve("executor").toString(),
                "TUNNELVISION_AGENT_TRUSTED_KEYS_DIR", dir.resolve("no-keys").toString(),
                // no broker: the agent spools and retries, and its metrics answer all the same
                "TUNNELVISION_KAFKA_BOOTSTRAP", "127.0.0.1:" + freePort(),
                "TUNNELVISION_AGENT_METRICS_PORT", Integer.toString(port)));
        builder.environment().putAll(extra);
        return builder.start();
    }

    private void awaitMetrics(InetAddress address, int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            assertTrue(agent.isAlive(), "the agent exited: " + Files.readString(dir.resolve("agent.log")));
            try {
                HttpResponse<String> response = get(address, port);
                assertEquals(200, response.statusCode());
                assertTrue(response.body().contains("tunnelvision_commands_total"), response.body());
                return;
            } catch (ConnectException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no metrics on " + address + ":" + port + " after 60 s: "
                            + Files.readString(dir.resolve("agent.log")), e);
                }
                Thread.sleep(200);
            }
        }
    }

    private static HttpResponse<String> get(InetAddress address, int port) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + address.getHostAddress() + ":" + port
                + "/metrics")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void connect(InetAddress address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2_000);
        }
    }

    /** 127.0.0.2 and every IPv4 address of this machine's interfaces but 127.0.0.1. */
    private static List<InetAddress> otherAddresses() throws IOException {
        List<InetAddress> out = new ArrayList<>(List.of(InetAddress.getByName("127.0.0.2")));
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.getHostAddress().equals("127.0.0.1")) {
                    out.add(a);
                }
            }
        }
        assertFalse(out.isEmpty());
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
