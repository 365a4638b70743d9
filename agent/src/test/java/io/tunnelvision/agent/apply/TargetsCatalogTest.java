package io.tunnelvision.agent.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.tunnelvision.rules.catalog.TuningCatalog;
import io.tunnelvision.schemas.avro.TuningAction;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The file the executor writes for an action is the one the catalog (and so the doctor) names. */
class TargetsCatalogTest {

    @TempDir
    Path dir;
    private FakeHost host;
    private Targets targets;

    @BeforeEach
    void givenAGateway() {
        host = new FakeHost(dir);
        targets = new Targets(host.sys, host.proc, InstalledTools.standard());
    }

    @ParameterizedTest
    @CsvSource({
            "TXQUEUELEN, tun0",
            "MTU, eth0",
            "RPS_CPUS, tun0/rx-0",
            "RPS_FLOW_CNT, eth0/rx-0",
            "RPS_SOCK_FLOW_ENTRIES, host",
            "NETDEV_BUDGET, host",
            "NETDEV_BUDGET_USECS, host",
            "NETDEV_MAX_BACKLOG, host",
            "RMEM_MAX, host",
            "WMEM_MAX, host",
            "RP_FILTER, tun0",
            "RP_FILTER, all",
            "CPU_GOVERNOR, 2"})
    void aFileBackedActionResolvesToTheCatalogsPath(TuningAction action, String target) throws Refusal {
        SettingAccess access = targets.resolve(action, target);

        SettingAccess.File file = assertInstanceOf(SettingAccess.File.class, access);
        assertEquals(dir.resolve(TuningCatalog.entry(action).pathFor(target).substring(1)), file.path());
    }
}
