package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.Severity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DoctorReportTest {

    private static final DoctorReport.Scope SCOPE =
            new DoctorReport.Scope("0-3", 4, 6, 5.0, List.of("rps", "tunnel-mtu"));

    private static Finding finding(Severity severity, String fix) {
        return new Finding("rps", severity, "tun0", "seen", "why", fix);
    }

    @Test
    void exitCodeSaysWhetherAnythingIsCritical() {
        assertEquals(0, new DoctorReport(List.of(), SCOPE).exitCode());
        assertEquals(0, new DoctorReport(List.of(finding(Severity.INFO, "")), SCOPE).exitCode());
        assertEquals(1, new DoctorReport(List.of(finding(Severity.INFO, ""), finding(Severity.WARNING, "")), SCOPE)
                .exitCode());
        DoctorReport critical = new DoctorReport(List.of(finding(Severity.WARNING, ""),
                finding(Severity.CRITICAL, "")), SCOPE);
        assertEquals(2, critical.exitCode());
        assertTrue(critical.hasCritical());
    }

    @Test
    void findingsAreSortedMostSevereFirst() {
        DoctorReport report = new DoctorReport(List.of(finding(Severity.INFO, "a"), finding(Severity.CRITICAL, "b"),
                finding(Severity.WARNING, "c"), finding(Severity.CRITICAL, "d")), SCOPE);

        assertEquals(List.of("b", "d", "c", "a"), report.findings().stream().map(Finding::fix).toList());
    }

    @Test
    void textShowsSeenWhyAndEveryFixLineUnwrapped() {
        String longCommand = "for c in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 "
                + "28 29; do echo performance > /sys/devices/system/cpu/cpu$c/cpufreq/scaling_governor; done";
        DoctorReport report = new DoctorReport(List.of(
                new Finding("cpu-governor", Severity.WARNING, "cpufreq", "powersave on CPUs 0-29", "slow ramp",
                        "echo 1\n" + longCommand)), SCOPE);

        String text = report.renderText();

        assertTrue(text.contains("WARNING   cpu-governor      cpufreq"), text);
        assertTrue(text.contains("  seen    powersave on CPUs 0-29"), text);
        assertTrue(text.contains("  why     slow ramp"), text);
        assertTrue(text.contains("  fix     echo 1" + System.lineSeparator() + "          " + longCommand), text);
        assertTrue(text.contains("exit code 1"), text);
    }

    @Test
    void jsonIsStrictlyValidAndEscapesWhatItMust() {
        String nasty = "quote \" backslash \\ newline \n tab \t bell \u0007 unicode é \u2028";
        DoctorReport report = new DoctorReport(List.of(
                new Finding("rps", Severity.CRITICAL, nasty, nasty, nasty, "echo f > x\necho 3 > y")), SCOPE);

        Object parsed = StrictJson.parse(report.renderJson());

        Map<?, ?> root = (Map<?, ?>) parsed;
        assertEquals(2L, root.get("exitCode"));
        assertEquals("0-3", root.get("onlineCpus"));
        assertEquals(List.of("rps", "tunnel-mtu"), root.get("checks"));
        Map<?, ?> f = (Map<?, ?>) ((List<?>) root.get("findings")).get(0);
        assertEquals(nasty, f.get("subject"));
        assertEquals(nasty, f.get("seen"));
        assertEquals("CRITICAL", f.get("severity"));
        assertEquals("echo f > x\necho 3 > y", f.get("fix"));
    }

    @Test
    void theStrictParserRejectsWhatIsNotJson() {
        assertThrows(IllegalArgumentException.class, () -> StrictJson.parse("{\"a\":\"line\nbreak\"}"));
        assertThrows(IllegalArgumentException.class, () -> StrictJson.parse("{\"a\":1,}"));
        assertThrows(IllegalArgumentException.class, () -> StrictJson.parse("{\"a\":1} x"));
        assertFalse(StrictJson.parse("[]") instanceof Map);
    }
}
