package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tunnelvision.schemas.avro.Qdisc;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcQdiscsTest {

    /** Taken from tc -s -j qdisc show (iproute2 6.1, kernel 6.18) in a namespace: htb with a pfifo child, tbf, ingress, noqueue. */
    private static final Path FIXTURE = Path.of("src/test/resources/fixtures/tc/qdisc-show-htb-tbf-ingress.json");

    @Test
    void everyEgressQdiscOfARealOutputIsReadRootsWithoutAParentAndIngressLeftOut() throws Exception {
        TcQdiscs.Parsed parsed = TcQdiscs.parse(Files.readString(FIXTURE));
        assertEquals(List.of(), parsed.malformed());
        List<String> seen = parsed.qdiscs().stream()
                .map(q -> q.getInterface$() + " " + q.getKind() + " " + q.getHandle() + " " + q.getParent()).toList();
        assertEquals(List.of("qb tbf 8018: null", "qa htb 1: null", "qa pfifo 10: 1:10", "qt noqueue 0: null"), seen);
    }

    @Test
    void countersAndBacklogAreTakenFromTheirFields() {
        String json = "[{\"kind\":\"pfifo_fast\",\"handle\":\"0:\",\"dev\":\"tun0\",\"root\":true,\"bytes\":9000,"
                + "\"packets\":9,\"drops\":3,\"overlimits\":4,\"requeues\":5,\"backlog\":1500,\"qlen\":1}]";
        Qdisc q = TcQdiscs.parse(json).qdiscs().get(0);
        assertEquals(new Qdisc("tun0", "pfifo_fast", "0:", null, 9000L, 9L, 3L, 4L, 5L, 1500L, 1L), q);
    }

    @Test
    void anEntryWithoutItsFieldsIsSkippedAndCountedAndBrokenOutputIsOneMalformedEntry() {
        String json = "[{\"kind\":\"htb\",\"handle\":\"1:\",\"dev\":\"eth0\",\"root\":true},"
                + "{\"kind\":\"pfifo\",\"handle\":\"2:\",\"dev\":\"eth0\",\"parent\":\"1:2\",\"bytes\":1,\"packets\":1,"
                + "\"drops\":0,\"overlimits\":0,\"requeues\":0,\"backlog\":0,\"qlen\":0}]";
        TcQdiscs.Parsed parsed = TcQdiscs.parse(json);
        assertEquals(1, parsed.qdiscs().size());
        assertEquals(1, parsed.malformed().size(), parsed.malformed().toString());
        assertEquals(1, TcQdiscs.parse("[{\"kind\":").malformed().size());
        assertEquals(1, TcQdiscs.parse("{}").malformed().size());
        assertEquals(0, TcQdiscs.parse("[]").qdiscs().size());
    }

    @Test
    void theCollectorRunsTcOnlyWhenDueAndCountsAFailingTc(@org.junit.jupiter.api.io.TempDir Path sys) throws Exception {
        Files.createDirectories(sys.resolve("class/net/qa/queues/tx-0/byte_queue_limits"));
        Files.writeString(sys.resolve("class/net/qa/queues/tx-0/byte_queue_limits/limit"), "1705\n");
        Files.writeString(sys.resolve("class/net/qa/queues/tx-0/byte_queue_limits/inflight"), "0\n");
        Files.writeString(sys.resolve("class/net/qa/queues/tx-0/byte_queue_limits/limit_max"), "1879048192\n");
        List<List<String>> ran = new ArrayList<>();
        String[] answer = {Files.readString(FIXTURE)};
        QdiscCollector collector = new QdiscCollector(sys, c -> {
            ran.add(c);
            return answer[0];
        }, new SettingsRefresh(3));
        SampleHeader h = new SampleHeader("gw", "b", 0L, 0L, "t");
        QdiscSample first = collector.collect(h);
        assertEquals(4, first.getQdiscs().size());
        assertEquals(1, first.getTxQueues().size());
        assertEquals(1705L, first.getTxQueues().get(0).getBqlLimit());
        assertEquals(0L, first.getTxQueues().get(0).getBqlInflight());
        assertNull(collector.collect(h), "not due");
        assertNull(collector.collect(h), "not due");
        answer[0] = null;
        assertNull(collector.collect(h), "tc failed");
        assertEquals(1, collector.unavailableRounds());
        assertEquals(List.of(QdiscCollector.SHOW, QdiscCollector.SHOW), ran);
    }
}
