package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tunnelvision.schemas.avro.PmtuPath;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.PmtuStep;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collector's control flow over a path modelled from the captured outputs (layouts/pmtu): {@code ping} answers
 * the captured passed output for sizes up to the path's limit and fails (null, exit 1) above it; {@code ip route get}
 * answers the captured exception or none. The real tools run in lab's PmtuBlackholeLabIT.
 */
class PmtuCollectorTest {

    private static final String A = "pmtuxa";

    @TempDir
    Path sys;

    private final List<List<String>> ran = new ArrayList<>();

    private Function<List<String>, String> path(int limit, boolean icmpReported) throws Exception {
        String allowed = Fixtures.text("layouts/pmtu/wg-allowed-ips.txt");
        String endpoints = Fixtures.text("layouts/pmtu/wg-endpoints.txt");
        String passed = Fixtures.text("layouts/pmtu/ping-passed.txt");
        String exception = Fixtures.text("layouts/pmtu/route-get-ptb-exception.json");
        String none = Fixtures.text("layouts/pmtu/route-get-no-exception.json");
        return command -> {
            ran.add(command);
            if (command.equals(PmtuCollector.ALLOWED_IPS)) {
                return allowed;
            }
            if (command.equals(PmtuCollector.ENDPOINTS)) {
                return endpoints;
            }
            if (command.get(0).equals("ip")) {
                return icmpReported && command.contains("10.241.2.1") ? exception : none;
            }
            int payload = Integer.parseInt(command.get(command.indexOf("-s") + 1));
            return payload + 28 <= limit ? passed : null;
        };
    }

    private void wireguardInterface(String name, int mtu) throws Exception {
        Path dir = Files.createDirectories(sys.resolve("class/net").resolve(name));
        Files.writeString(dir.resolve("uevent"), "DEVTYPE=wireguard\nINTERFACE=" + name + "\nIFINDEX=3\n");
        Files.writeString(dir.resolve("mtu"), mtu + "\n");
    }

    private static SampleHeader header(long seq) {
        return new SampleHeader("gw-a", "boot", seq, seq * 1000, "test");
    }

    @Test
    void aBlackHoledPathShowsTheExactLargestSizeAndNoReportedMtu() throws Exception {
        wireguardInterface(A, 1420);
        wireguardInterface("u0", 1500);
        Files.writeString(sys.resolve("class/net/u0/uevent"), "INTERFACE=u0\n");
        PmtuCollector collector = new PmtuCollector(sys, null, path(1328, false), PmtuSchedule.inline());

        PmtuSample sample = collector.collect(header(1));

        assertEquals(1, sample.getPaths().size(), "only this namespace's interface, not pmtuxb: " + sample);
        PmtuPath p = sample.getPaths().get(0);
        assertEquals("N/c8ncj21DEymmUfLnuawu1MXvkcnY8di53vQ83eaQo=", p.getPeer());
        assertEquals(A, p.getTunnelInterface());
        assertEquals("10.242.0.2", p.getAddress());
        assertEquals(1420, p.getTunnelMtu());
        assertEquals(1328, p.getLargestPassedBytes());
        assertEquals(1329, p.getSmallestFailedBytes());
        assertNull(p.getReportedMtu());
        List<Integer> sizes = p.getSteps().stream().map(PmtuStep::getSizeBytes).toList();
        assertEquals(sizes.stream().sorted().toList(), sizes, "ascending");
        assertEquals(List.of(2, 0), List.of(p.getSteps().get(sizes.indexOf(1328)).getReceived(),
                p.getSteps().get(sizes.indexOf(1329)).getReceived()));
        assertEquals(List.of("env", "LC_ALL=C", "ping", "-4", "-n", "-q", "-M", "do", "-c", "2", "-i", "0.2", "-W",
                "1", "-s", "1392", "10.242.0.2"), ran.get(2), "the first probe is the tunnel's MTU, DF set");
    }

    @Test
    void anIcmpReportedPathCarriesTheReportedMtu() throws Exception {
        wireguardInterface(A, 1420);
        PmtuCollector collector = new PmtuCollector(sys, null, path(1328, true), PmtuSchedule.inline());

        PmtuPath p = collector.collect(header(1)).getPaths().get(0);

        assertEquals(1400, p.getReportedMtu());
        assertEquals(1328, p.getLargestPassedBytes());
    }

    @Test
    void probesRunEveryNRoundsAndOnRequestAndTheLatestResultIsSentInBetween() throws Exception {
        wireguardInterface(A, 1420);
        List<Runnable> queued = new ArrayList<>();
        Executor later = queued::add;
        PmtuSchedule schedule = new PmtuSchedule(3, later);
        PmtuCollector collector = new PmtuCollector(sys, null, path(1420, false), schedule);

        assertEquals(List.of(), collector.collect(header(1)).getPaths(), "the first probing has not finished");
        assertEquals(1, queued.size());
        queued.remove(0).run();
        assertEquals(1420, collector.collect(header(2)).getPaths().get(0).getLargestPassedBytes());
        collector.collect(header(3));
        assertEquals(0, queued.size(), "rounds 2 and 3 send the result of round 1");
        collector.collect(header(4));
        assertEquals(1, queued.size(), "round 4 probes again");
        queued.remove(0).run();
        schedule.requestNow();
        collector.collect(header(5));
        assertEquals(1, queued.size(), "a request probes in the next round");
        collector.collect(header(6));
        assertEquals(1, queued.size(), "no second probing while one runs");
        assertEquals(2, collector.probings());
    }

    @Test
    void withoutWgOrWithoutWireguardInterfacesNothingIsProbed() throws Exception {
        Files.createDirectories(sys.resolve("class/net/u0"));
        Files.writeString(sys.resolve("class/net/u0/uevent"), "INTERFACE=u0\n");
        PmtuCollector none = new PmtuCollector(sys, null, path(1420, false), PmtuSchedule.inline());
        assertEquals(List.of(), none.collect(header(1)).getPaths());
        assertEquals(List.of(), ran, "no WireGuard interface: no wg, no ping");

        wireguardInterface(A, 1420);
        PmtuCollector noWg = new PmtuCollector(sys, null, command -> null, PmtuSchedule.inline());
        assertEquals(List.of(), noWg.collect(header(1)).getPaths());
        assertEquals(1, noWg.unavailableRounds());

        PmtuCollector inert = PmtuCollector.of(sys, sys, PmtuSchedule.inline());
        assertEquals(List.of(), inert.collect(header(1)).getPaths(), "a test tree is never probed");
    }
}
