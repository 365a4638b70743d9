package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.rules.cpu.CpuList;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.LinkCounters;
import io.tunnelvision.schemas.avro.LinkSample;
import io.tunnelvision.schemas.avro.SoftnetCpu;
import io.tunnelvision.schemas.avro.SoftnetSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The collectors against the kernel this test runs on, each checked against an independent read of the same
 * facts (sysfs CPU lists, plain file reads, a directory listing).
 */
class LiveKernelIT {

    private static final Path PROC = Path.of("/proc");
    private static final Path SYS = Path.of("/sys");

    @BeforeAll
    static void onLinux() {
        assertTrue(Files.isReadable(PROC.resolve("interrupts")),
                "these tests read the live kernel: run them on Linux with /proc mounted");
    }

    private static BitSet online() throws IOException {
        return CpuList.parse(Files.readString(SYS.resolve("devices/system/cpu/online")));
    }

    private static List<Integer> ids(BitSet set) {
        return set.stream().boxed().collect(Collectors.toList());
    }

    @Test
    void interruptSampleCoversExactlyTheOnlineCpus() throws Exception {
        InterruptCollector collector = new InterruptCollector(PROC, SYS, InterruptsParser.DEFAULT_DEVICES,
                SettingsRefresh.everyRound());

        InterruptSample sample = collector.collect(Fixtures.header());

        assertEquals(ids(online()), sample.getOnlineCpus());
        int n = sample.getOnlineCpus().size();
        assertEquals(n, sample.getOtherTotals().size());
        assertEquals(n, sample.getNetRxSoftirqs().size());
        assertEquals(n, sample.getNetTxSoftirqs().size());
        assertEquals(n, sample.getSoftirqTicks().size());
        assertEquals(n, sample.getTotalTicks().size());
        sample.getLines().forEach(line -> assertEquals(n, line.getCounts().size()));
        // every kept row is a numbered IRQ, whose smp_affinity_list any user may read
        sample.getLines().forEach(line -> assertTrue(line.getAffinity() != null, line.getIrq()));
        assertEquals(0, collector.malformedLines());
    }

    @Test
    void countersOnlyGrowBetweenTwoReadings() throws Exception {
        InterruptCollector collector = new InterruptCollector(PROC, SYS, InterruptsParser.DEFAULT_DEVICES,
                SettingsRefresh.everyRound());

        InterruptSample first = collector.collect(Fixtures.header());
        Thread.sleep(50);
        InterruptSample second = collector.collect(Fixtures.header());

        for (int k = 0; k < first.getOnlineCpus().size(); k++) {
            assertTrue(second.getTotalTicks().get(k) >= first.getTotalTicks().get(k));
            assertTrue(second.getNetRxSoftirqs().get(k) >= first.getNetRxSoftirqs().get(k));
        }
    }

    @Test
    void softnetHasOneLinePerOnlineCpu() throws Exception {
        SoftnetSample sample = new SoftnetCollector(PROC).collect(Fixtures.header());

        assertEquals(online().cardinality(), sample.getCpus().size());
        if (sample.getCpus().get(0).getCpu() != null) {
            assertEquals(ids(online()),
                    sample.getCpus().stream().map(SoftnetCpu::getCpu).collect(Collectors.toList()));
        }
    }

    @Test
    void linkSampleListsTheInterfacesOfSysClassNet() throws Exception {
        List<String> expected = new ArrayList<>();
        try (Stream<Path> entries = Files.list(SYS.resolve("class/net"))) {
            entries.filter(Files::isDirectory).forEach(p -> expected.add(p.getFileName().toString()));
        }
        expected.sort(null);

        LinkSample sample = new LinkCollector(PROC, SYS).collect(Fixtures.header());

        assertEquals(expected, sample.getInterfaces().stream().map(LinkCounters::getName).collect(Collectors.toList()));
    }

    @Test
    void interfaceSettingsMatchAPlainReadOfSysfs() throws Exception {
        InterfaceConfigSample sample = new InterfaceConfigCollector(SYS).collect(Fixtures.header());

        assertFalse(sample.getInterfaces().isEmpty());
        for (InterfaceConfig config : sample.getInterfaces()) {
            Path dir = SYS.resolve("class/net").resolve(config.getName());
            assertEquals(Files.readString(dir.resolve("mtu")).strip(), String.valueOf(config.getMtu()));
            assertEquals(Files.readString(dir.resolve("ifindex")).strip(), String.valueOf(config.getIfindex()));
            assertEquals(Files.readString(dir.resolve("tx_queue_len")).strip(),
                    String.valueOf(config.getTxQueueLen()));
        }
    }

    @Test
    void kernelSettingsMatchAPlainReadOfProcSys() throws Exception {
        KernelSettingsSample sample = new KernelSettingsCollector(PROC, SYS).collect(Fixtures.header());

        // compared with cat, not with a Java read: a Java read at the wrong offset gets the same wrong answer
        assertEquals(Long.parseLong(cat("/proc/sys/net/core/rmem_max")), sample.getRmemMax());
        assertEquals(Long.parseLong(cat("/proc/sys/net/core/netdev_budget")), sample.getNetdevBudget());
        assertEquals(Long.parseLong(cat("/proc/sys/net/core/netdev_max_backlog")), sample.getNetdevMaxBacklog());
        assertEquals(Integer.parseInt(Files.readString(PROC.resolve("sys/net/ipv4/conf/all/rp_filter")).strip()),
                sample.getRpFilter().get("all"));
    }

    private static String cat(String path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("cat", path).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(0, p.waitFor(), "cat " + path + ": " + out);
        return out;
    }

    @Test
    void procfsFilesThatReportSizeZeroAreReadWhole() throws Exception {
        assertEquals(0, Files.size(PROC.resolve("interrupts")), "procfs reports no size");

        CharSequence text = new FileBuffer().read(PROC.resolve("interrupts"));

        assertTrue(text.length() > 0);
        assertEquals('\n', text.charAt(text.length() - 1));
    }
}
