package io.tunnelvision.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DoctorCommandTest {

    private static final Path HOST = CollectCommandTest.fixture("fixtures/live-host");

    @Test
    void aHealthyTreeExitsWithoutCritical() {
        CollectCommandTest.Result r = CollectCommandTest.run("doctor", "--interval", "100ms",
                "--proc-root", HOST.resolve("proc").toString(), "--sys-root", HOST.resolve("sys").toString());

        assertTrue(r.code() == 0 || r.code() == 1, "exit " + r.code() + ": " + r.out() + r.err());
        assertTrue(r.out().contains("Tunnelvision doctor"), r.out());
    }

    @Test
    void jsonOutputIsOneObject() {
        CollectCommandTest.Result r = CollectCommandTest.run("doctor", "--json", "--interval", "100ms",
                "--proc-root", HOST.resolve("proc").toString(), "--sys-root", HOST.resolve("sys").toString());

        String out = r.out().strip();
        assertTrue(out.startsWith("{") && out.endsWith("}"), out);
        assertTrue(out.contains("\"findings\""), out);
    }

    @Test
    void aPathThatIsNoHostGivesExitCodeThree() {
        CollectCommandTest.Result r = CollectCommandTest.run("doctor", "--interval", "100ms",
                "--proc-root", "/nonexistent", "--sys-root", "/nonexistent");

        assertEquals(DoctorCommand.UNREADABLE, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("doctor cannot read this host"), r.err());
    }
}
