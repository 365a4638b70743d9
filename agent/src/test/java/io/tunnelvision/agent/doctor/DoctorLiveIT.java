package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.rules.cpu.CpuList;
import io.tunnelvision.rules.cpu.CpuMask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

/** The doctor on the kernel this test runs on, its numbers checked against independent reads of sysfs. */
class DoctorLiveIT {

    private static final Path PROC = Path.of("/proc");
    private static final Path SYS = Path.of("/sys");

    @Test
    void auditsThisHostAndAgreesWithSysfs() throws Exception {
        assertTrue(Files.isReadable(PROC.resolve("interrupts")),
                "this test audits the live kernel: run it on Linux with /proc mounted");
        BitSet online = CpuList.parse(Files.readString(SYS.resolve("devices/system/cpu/online")));
        int possible = CpuList.parse(Files.readString(SYS.resolve("devices/system/cpu/possible"))).length();

        DoctorReport report = new Doctor(PROC, SYS).audit(Duration.ofSeconds(1));

        String text = report.renderText();
        assertTrue(text.contains("CPUs " + CpuList.format(online) + " online (" + possible + " possible)"), text);
        Object json = StrictJson.parse(report.renderJson());
        assertEquals((long) report.exitCode(), ((java.util.Map<?, ?>) json).get("exitCode"));
        for (Finding f : report.findings()) {
            assertTrue(!f.seen().isEmpty() && !f.why().isEmpty(), f.toString());
            if (f.check().equals("rps") && f.fix().contains("rps_cpus")) {
                // the rules' mask names exactly the online CPUs, whatever its zero padding
                String mask = f.fix().substring("echo ".length(), f.fix().indexOf(" > /sys/class/net/"));
                assertEquals(online, CpuMask.parse(mask), f.fix());
                assertTrue(f.seen().contains(online.cardinality() + " online CPUs"), f.seen());
            }
            assertTrue(!f.subject().equals("doctor"), "a check failed: " + f);
        }
        System.out.println(text);
    }
}
