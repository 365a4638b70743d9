package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class RfsCheckTest {

    private static List<Finding> run(long sockFlowEntries, int flowCnt, String mask) {
        HostBuilder host = HostBuilder.cpus(2).kernel(k -> k.setRpsSockFlowEntries(sockFlowEntries))
                .iface("wg0", InterfaceKind.WIREGUARD, 1420, 1000, mask)
                .change("wg0", i -> i.getRxQueues().get(0).setRpsFlowCnt(flowCnt));
        HostReading first = host.build();
        return HostBuilder.examine(new RfsCheck(), first, host.later(5).build());
    }

    @Test
    void rpsWithoutASocketFlowTableIsWorthKnowing() {
        Finding f = run(0, 0, "3").get(0);

        assertEquals(Severity.INFO, f.severity());
        // the rules' ladders: rps_sock_flow_entries 32768; rps_flow_cnt 4096, 32768
        assertEquals("sysctl -w net.core.rps_sock_flow_entries=32768\n"
                + "echo 4096 > /sys/class/net/wg0/queues/rx-0/rps_flow_cnt", f.fix());
    }

    @Test
    void aTableWithoutAQueueFlowCountStepsOnlyTheQueue() {
        // a table of the kernel guide's working size is left alone
        assertEquals("echo 4096 > /sys/class/net/wg0/queues/rx-0/rps_flow_cnt", run(32768, 0, "3").get(0).fix());
    }

    @Test
    void rfsOnIsHealthy() {
        assertEquals(List.of(), run(32768, 32768, "3"));
    }

    @Test
    void withoutRpsRfsIsTheRpsChecksBusiness() {
        assertEquals(List.of(), run(0, 0, "0"));
    }
}
