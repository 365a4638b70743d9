package io.tunnelvision.rules.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.Severity;
import io.tunnelvision.schemas.avro.TuningAction;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RemediesTest {

    private static final KernelSettingsSample KERNEL = KernelSettingsSample.newBuilder()
            .setHeader(new SampleHeader("gw", "boot", 1L, 5000L, "test")).setRpFilter(new HashMap<>())
            .setCpuGovernors(new HashMap<>(Map.of("0", "performance", "1", "powersave"))).setNetdevBudget(300L)
            .build();
    private static final HostContext HOST = new HostContext(null, KERNEL, List.of(0, 1));

    private static Finding bad(HotspotType type) {
        return new Finding(type, "host", true, Severity.WARNING, 20, Map.of(), "");
    }

    @Test
    void aBadFindingGetsTheNextStepOfEverySettingThePolicyNames() {
        assertEquals(List.of(new Change(TuningAction.NETDEV_BUDGET, "host", "300", "600")),
                Remedies.propose(bad(HotspotType.SOFTNET_SQUEEZE), HOST));
    }

    @Test
    void theHostOnlyTypesHaveTheirEntriesWithoutChangingTheFleetsDefault() {
        assertEquals(List.of(new Change(TuningAction.CPU_GOVERNOR, "1", "powersave", "performance")),
                Remedies.propose(bad(HotspotType.CPU_GOVERNOR), HOST));
        assertEquals(List.of(), RemediationPolicy.defaults().actionsFor(HotspotType.CPU_GOVERNOR));
    }

    @Test
    void aGoodFindingAndATypeWithoutAnActionGetNothing() {
        assertEquals(List.of(), Remedies.propose(Finding.good(HotspotType.SOFTNET_SQUEEZE, "host", 0, Map.of()), HOST));
        assertEquals(List.of(), Remedies.propose(bad(HotspotType.RP_FILTER_STRICT), HOST));
    }

    @Test
    void aTunnelDownHasNoRemedyTheHostCouldApply() {
        // the peer, the network or the keys are at fault, not a setting of this host
        assertEquals(List.of(), Remedies.propose(bad(HotspotType.TUNNEL_DOWN), HOST));
        assertEquals(List.of(), RemediationPolicy.defaults().actionsFor(HotspotType.TUNNEL_DOWN));
    }
}
