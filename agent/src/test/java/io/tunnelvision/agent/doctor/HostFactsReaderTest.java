package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.rules.cpu.CpuList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostFactsReaderTest {

    @TempDir
    Path root;

    private void write(String relative, String text) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    @Test
    void factsComeFromTheInjectedRoots() throws IOException {
        write("sys/devices/system/cpu/online", "0-3,5\n");
        write("sys/devices/system/cpu/possible", "0-7\n");
        write("proc/net/route", "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\n"
                + "eth1\t00000000\t0102000A\t0003\t0\t0\t200\t00000000\t0\t0\t0\n");
        write("proc/sys/net/ipv4/ip_forward", "1\n");
        write("proc/sys/net/core/rmem_default", "212992\n");
        write("proc/sys/net/core/rps_default_mask", "00\n");
        write("proc/4242/comm", "irqbalance\n");
        write("proc/1/comm", "systemd\n");

        HostFacts facts = new HostFactsReader(root.resolve("proc"), root.resolve("sys")).read(List.of(0));

        assertEquals(CpuList.parse("0-3,5"), facts.onlineCpus());
        assertEquals(8, facts.possibleCpus());
        assertEquals(List.of(new DefaultRoute("eth1", 200, false)), facts.defaultRoutes());
        assertEquals(Boolean.TRUE, facts.ipForwarding());
        assertEquals(212992L, facts.rmemDefault());
        assertNull(facts.wmemDefault());
        assertEquals("00", facts.rpsDefaultMask());
        assertTrue(facts.irqbalanceRunning());
    }

    @Test
    void withoutSysfsTheCpusOfProcInterruptsAreUsed() throws IOException {
        Files.createDirectories(root.resolve("proc"));

        HostFacts facts = new HostFactsReader(root.resolve("proc"), root.resolve("sys")).read(List.of(0, 1, 3));

        assertEquals(CpuList.parse("0-1,3"), facts.onlineCpus());
        assertEquals(4, facts.possibleCpus());
        assertNull(facts.ipForwarding());
        assertNull(facts.rpsDefaultMask());
        assertFalse(facts.irqbalanceRunning());
        assertEquals(List.of(), facts.defaultRoutes());
    }
}
