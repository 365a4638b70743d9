package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tunnelvision.schemas.avro.WireguardInterface;
import io.tunnelvision.schemas.avro.WireguardSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class WireguardCollectorTest {

    @TempDir
    Path dir;

    private Path sys;
    private Path sockets;
    private final List<List<String>> ran = new ArrayList<>();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(WireguardCollector.class);

    @BeforeEach
    void tree() throws IOException {
        sys = dir.resolve("sys");
        sockets = Files.createDirectories(dir.resolve("run/wireguard"));
        netdev("eth0", "INTERFACE=eth0\nIFINDEX=2\n");
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(log);
    }

    @Test
    void withoutAWireGuardInterfaceWgIsNeverRun() throws Exception {
        netdev("tun0", "INTERFACE=tun0\nIFINDEX=3\n"); // a tun without a UAPI socket: OpenVPN, not WireGuard
        WireguardCollector collector = collector(answering("must not be asked"));

        WireguardSample sample = collector.collect(Fixtures.header());

        assertEquals(List.of(), sample.getInterfaces());
        assertEquals(List.of(), ran);
        assertEquals(0, collector.unavailableRounds());
    }

    @Test
    void kernelAndUserspaceInterfacesAreReadWithOneDumpAndOtherNamespacesAreLeftOut() throws Exception {
        netdev("wgdump-a", "INTERFACE=wgdump-a\nIFINDEX=4\n"); // a tun of wireguard-go
        Files.createFile(sockets.resolve("wgdump-a.sock"));
        Files.createFile(sockets.resolve("wgdump-b.sock")); // wireguard-go of another namespace: /run is shared
        WireguardCollector collector = collector(answering(Fixtures.text("layouts/wg/dump-after-handshake.txt")));

        WireguardSample sample = collector.collect(Fixtures.header());

        assertEquals(List.of(List.of("wg", "show", "all", "dump")), ran);
        assertEquals(List.of("wgdump-a"), sample.getInterfaces().stream().map(WireguardInterface::getName).toList());
        assertEquals(2, sample.getInterfaces().get(0).getPeers().size());
        assertEquals(Fixtures.header(), sample.getHeader());

        netdev("wgdump-b", "DEVTYPE=wireguard\nINTERFACE=wgdump-b\nIFINDEX=5\n"); // the kernel's, by DEVTYPE
        Files.delete(sockets.resolve("wgdump-b.sock"));
        assertEquals(List.of("wgdump-a", "wgdump-b"), collector.collect(Fixtures.header()).getInterfaces().stream()
                .map(WireguardInterface::getName).toList());
        assertEquals(2, ran.size(), "one wg run a round");
    }

    @Test
    void aFailingWgGivesEmptySamplesCountedAndOneWarningUntilItWorksAgain() throws Exception {
        netdev("wg0", "DEVTYPE=wireguard\nINTERFACE=wg0\nIFINDEX=4\n");
        String[] answer = {null};
        WireguardCollector collector = collector(command -> {
            ran.add(command);
            return answer[0];
        });

        for (int round = 0; round < 3; round++) {
            assertEquals(List.of(), collector.collect(Fixtures.header()).getInterfaces());
        }
        assertEquals(3, collector.unavailableRounds());
        assertEquals(1, warnings(), "one warning, not one a round");
        assertTrue(log.list.get(0).getFormattedMessage().contains("wg show all dump"));

        answer[0] = "wg0\t" + WgDumpTest.A_PRIVATE + "\t" + WgDumpTest.A_PUBLIC + "\t51820\toff\n";
        assertEquals(1, collector.collect(Fixtures.header()).getInterfaces().size());
        answer[0] = null;
        collector.collect(Fixtures.header());
        assertEquals(4, collector.unavailableRounds());
        assertEquals(2, warnings(), "failing again after it worked is said again");
        assertTrue(log.list.stream().noneMatch(e -> e.getFormattedMessage().contains(WgDumpTest.A_PRIVATE)));
    }

    @Test
    void malformedLinesAreCountedAndTheRestKeptWithoutLoggingAKey() throws Exception {
        netdev("wg0", "DEVTYPE=wireguard\nINTERFACE=wg0\nIFINDEX=4\n");
        logger.setLevel(Level.DEBUG);
        try {
            WireguardCollector collector = collector(answering(Fixtures.text("layouts/wg/dump-malformed.txt")));

            WireguardSample sample = collector.collect(Fixtures.header());

            assertEquals(1, sample.getInterfaces().get(0).getPeers().size());
            assertEquals(5, collector.malformedLines());
            collector.collect(Fixtures.header());
            assertEquals(10, collector.malformedLines(), "a counter: it only grows");
            assertFalse(log.list.isEmpty(), "the skipped lines are logged at debug");
            for (ILoggingEvent e : log.list) {
                for (String key : List.of(WgDumpTest.A_PRIVATE, WgDumpTest.PRESHARED)) {
                    assertFalse(e.getFormattedMessage().contains(key), e.getFormattedMessage());
                }
            }
        } finally {
            logger.setLevel(null);
        }
    }

    @Test
    void aTestTreeNeverRunsWgAndAMissingSysfsIsAnError() throws Exception {
        // the fixture gateway has a kernel wg0, but its proc root is not /proc: wg would speak of this machine
        WireguardSample sample = WireguardCollector.of(Fixtures.path("trees/gateway-x86/proc"),
                Fixtures.path("trees/gateway-x86/sys")).collect(Fixtures.header());
        assertEquals(List.of(), sample.getInterfaces());

        CollectException e = assertThrows(CollectException.class,
                () -> new WireguardCollector(dir.resolve("nothing"), null, null).collect(Fixtures.header()));
        assertTrue(e.getMessage().contains("sys root"), e.getMessage());
    }

    private WireguardCollector collector(Function<List<String>, String> commands) {
        return new WireguardCollector(sys, sockets, commands);
    }

    private Function<List<String>, String> answering(String output) {
        return command -> {
            ran.add(command);
            return output;
        };
    }

    private long warnings() {
        return log.list.stream().filter(e -> e.getLevel() == Level.WARN).count();
    }

    private void netdev(String name, String uevent) throws IOException {
        Path d = Files.createDirectories(sys.resolve("class/net").resolve(name));
        Files.writeString(d.resolve("uevent"), uevent);
    }
}
