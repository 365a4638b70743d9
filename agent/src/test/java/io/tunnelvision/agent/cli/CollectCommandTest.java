package io.tunnelvision.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.AgentMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CollectCommandTest {

    private static final Path TREE = fixture("fixtures/live-host");

    @Test
    void onceAsJsonPrintsEverySourceKeyedByCollector() {
        Result r = run("collect", "--once", "--json", "--proc-root", TREE.resolve("proc").toString(),
                "--sys-root", TREE.resolve("sys").toString());

        assertEquals(0, r.code, r.err);
        for (String source : new String[] {"\"interrupts\":", "\"softnet\":", "\"link\":", "\"interface-config\":",
                "\"kernel-settings\":", "\"wireguard\":"}) {
            assertTrue(r.out.contains(source), "missing " + source);
        }
        assertEquals(1, r.out.strip().lines().count(), "one line per snapshot");
        Matcher budget = Pattern.compile("\"netdevBudget\": (\\d+)").matcher(r.out);
        assertTrue(budget.find());
        assertEquals("300", budget.group(1), "the fixture's net.core.netdev_budget");
    }

    @Test
    void onceAsATableShowsEachBlock() {
        Result r = run("collect", "--once", "--proc-root", TREE.resolve("proc").toString(),
                "--sys-root", TREE.resolve("sys").toString());

        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("== interrupts"));
        assertTrue(r.out.contains("== softnet_stat"));
        assertTrue(r.out.contains("== wireguard peers"), r.out);
        assertTrue(r.out.contains("net.core.netdev_budget             300"), r.out);
        assertTrue(r.out.contains("eth0"));
    }

    @Test
    void aDirectoryThatIsNoProcTreeSaysSo() {
        Result r = run("collect", "--once", "--proc-root", "/nonexistent", "--sys-root", "/nonexistent");

        assertEquals(1, r.code);
        assertTrue(r.err.contains("is that a proc/sys tree?"), r.err);
    }

    @Test
    void aBadDurationIsAUsageError() {
        Result r = run("collect", "--interval", "soon");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("--interval"), r.err);
    }

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        CommandLine cli = AgentMain.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    static Path fixture(String name) {
        try {
            return Path.of(CollectCommandTest.class.getClassLoader().getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
