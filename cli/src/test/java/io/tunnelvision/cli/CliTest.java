package io.tunnelvision.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing of arguments and settings, and the tables, without an api. */
class CliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static JsonNode json(String text) throws IOException {
        return JSON.readTree(text.replace('\'', '"'));
    }

    private static int exit(Map<String, String> env, StringWriter err, String... args) {
        return TunnelvisionCli.run(args, env, Clock.systemUTC(), new PrintWriter(new StringWriter()),
                new PrintWriter(err));
    }

    @Test
    void durationsAreShortFormsOrIso() {
        assertEquals(Duration.ofSeconds(90), Durations.parse("90s", "--since"));
        assertEquals(Duration.ofMinutes(15), Durations.parse("15m", "--since"));
        assertEquals(Duration.ofHours(2), Durations.parse("2H", "--since"));
        assertEquals(Duration.ofDays(7), Durations.parse("7d", "--since"));
        assertEquals(Duration.ofHours(1), Durations.parse("PT1H", "--since"));
        CliException bad = assertThrows(CliException.class, () -> Durations.parse("yesterday", "--since"));
        assertEquals(ExitCode.USAGE, bad.exitCode());
        assertTrue(bad.getMessage().contains("--since 'yesterday'"), bad.getMessage());
        assertEquals(ExitCode.USAGE, assertThrows(CliException.class, () -> Durations.parse("0s", "--step"))
                .exitCode());
    }

    @Test
    void theOptionBeatsTheVariableAndTheDefaultIsTheLocalApi() throws IOException {
        Path tokenFile = Files.writeString(dir.resolve("token"), "from-file\n");

        CliSettings defaults = CliSettings.resolve(Map.of(), null, null, null);
        CliSettings fromEnv = CliSettings.resolve(Map.of(CliSettings.API_URL, "https://api.example:8443/",
                CliSettings.API_TOKEN, "from-env"), null, null, null);
        CliSettings fromOptions = CliSettings.resolve(Map.of(CliSettings.API_URL, "http://ignored",
                CliSettings.API_TOKEN, "from-env"), "http://10.0.0.1:8080", tokenFile, null);

        assertEquals("http://127.0.0.1:8080", defaults.api().toString());
        assertNull(defaults.token());
        assertEquals("https://api.example:8443", fromEnv.api().toString());
        assertEquals("from-env", fromEnv.requireToken());
        assertEquals("http://10.0.0.1:8080", fromOptions.api().toString());
        assertEquals("from-file", fromOptions.requireToken());
    }

    @Test
    void badSettingsAreUsageErrorsThatNameTheSetting() throws IOException {
        Path twoLines = Files.writeString(dir.resolve("two"), "a\nb\n");
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not a certificate");

        assertTrue(usage(() -> CliSettings.resolve(Map.of(CliSettings.API_URL, "ftp://x"), null, null, null))
                .contains(CliSettings.API_URL));
        assertTrue(usage(() -> CliSettings.resolve(Map.of(), null, dir.resolve("missing"), null))
                .contains("cannot read the token file"));
        assertTrue(usage(() -> CliSettings.resolve(Map.of(), null, twoLines, null)).contains("one line"));
        assertTrue(usage(() -> CliSettings.resolve(Map.of(), null, null, dir.resolve("none.pem")))
                .contains("--ca-file"));
        assertTrue(usage(() -> CliSettings.resolve(Map.of(), null, null, ca)).contains("not https://"));
        assertTrue(usage(() -> ApiClient.trusting(ca)).contains("not a PEM certificate"));
        assertTrue(usage(() -> CliSettings.resolve(Map.of(), null, null, null).requireToken())
                .contains(CliSettings.API_TOKEN));
    }

    private static String usage(Runnable call) {
        CliException e = assertThrows(CliException.class, call::run);
        assertEquals(ExitCode.USAGE, e.exitCode());
        return e.getMessage();
    }

    @Test
    void missingOrUnknownArgumentsExitWithTheUsageCode() {
        StringWriter err = new StringWriter();

        assertEquals(2, exit(Map.of(), err));
        assertEquals(2, exit(Map.of(), err, "reject", "cmd-1"));
        assertEquals(2, exit(Map.of(), err, "history", "gw-1"));
        assertEquals(2, exit(Map.of(), err, "status", "--token", "secret"));
        assertEquals(2, exit(Map.of(), err, "commands", "--limit", "5000"));
        assertTrue(err.toString().contains("--metric"), err.toString());
        assertTrue(err.toString().contains("Unknown option") && err.toString().contains("'--token'"), err.toString());
        assertTrue(err.toString().contains("--limit 5000 must be between 1 and 1000"), err.toString());
    }

    @Test
    void helpListsTheCommandsAndExitCodes() {
        StringWriter out = new StringWriter();
        int code = TunnelvisionCli.run(new String[] {"--help"}, Map.of(), Clock.systemUTC(), new PrintWriter(out),
                new PrintWriter(new StringWriter()));

        assertEquals(0, code);
        for (String command : new String[] {"status", "hotspots", "commands", "approve", "reject", "history"}) {
            assertTrue(out.toString().contains(command), out.toString());
        }
        assertTrue(out.toString().contains("3 cannot connect"), out.toString());
    }

    @Test
    void tablesAlignColumnsAndShowEmptyCellsAsDashes() {
        String table = new Table("A", "LONGER", "C").row("x", null, "last").row("wider", "", "z").render();

        assertEquals("A      LONGER  C\nx      -       last\nwider  -       z\n", table);
    }

    @Test
    void aCellCannotBreakTheTable() {
        assertEquals("A\nline one line two\n", new Table("A").row("line one\nline two").render());
    }

    @Test
    void statusSaysHowManyGatewaysAreHealthyAndListsThem() throws IOException {
        JsonNode summary = json("{'hosts': 3, 'healthyHosts': 2, 'unhealthyHosts': 1, 'silentHosts': 0,"
                + " 'hostsPerOpenHotspotType': {'TX_DROPS': 1}, 'commandsInFlight': 1,"
                + " 'commandsPerStatus': {'issued': 1, 'verified': 4}, 'at': '2026-03-01T12:00:00.123456Z'}");
        JsonNode hosts = json("{'items': [{'hostId': 'gw-1', 'lastSeen': '2026-03-01T11:59:59.5Z',"
                + " 'agentVersion': '0.1.0', 'openHotspots': 1, 'openHotspotTypes': ['TX_DROPS']},"
                + " {'hostId': 'gw-2', 'lastSeen': null, 'agentVersion': null, 'openHotspots': 0,"
                + " 'openHotspotTypes': []}], 'nextCursor': null}");

        String out = StatusCommand.render(summary, hosts);

        assertTrue(out.startsWith("gateways 3: 2 healthy, 1 with open hotspots, 0 silent   (at"
                + " 2026-03-01T12:00:00Z)\ncommands in flight 1\n"), out);
        assertTrue(out.contains("TX_DROPS           1\n"), out);
        assertTrue(out.contains("verified        4\n"), out);
        assertTrue(out.contains("gw-1     2026-03-01T11:59:59Z  0.1.0  1     TX_DROPS\n"), out);
        assertTrue(out.contains("gw-2     -                     -      0     -\n"), out);
    }

    @Test
    void aFleetHotspotShowsHowManyGatewaysItSpans() throws IOException {
        JsonNode page = json("{'items': [{'hotspotId': 'f-1', 'scope': 'FLEET', 'hostId': null, 'hosts': ['a', 'b'],"
                + " 'type': 'SOFTNET_SQUEEZE', 'severity': 'CRITICAL', 'state': 'OPEN', 'target': null,"
                + " 'openedAt': '2026-03-01T12:00:00Z', 'closedAt': null, 'summary': 'two squeezed'}],"
                + " 'nextCursor': 'abc'}");

        String out = HotspotsCommand.render(page);

        assertTrue(out.contains("f-1      fleet (2)  SOFTNET_SQUEEZE  critical  open"), out);
        assertTrue(out.endsWith("(more: raise --limit or narrow --since)\n"), out);
    }

    @Test
    void aDryRunCommandSaysSo() throws IOException {
        JsonNode page = json("{'items': [{'commandId': 'c-1', 'hostId': 'gw-1', 'status': 'dry_run', 'dryRun': true,"
                + " 'action': 'TXQUEUELEN', 'target': 'tun0', 'expectedValue': '500', 'newValue': '1000',"
                + " 'issuedAt': '2026-03-01T12:00:00Z', 'reason': 'tx drops'}]}");

        assertTrue(CommandsCommand.render(page).contains("c-1      gw-1     dry_run (dry run)  TXQUEUELEN  tun0"
                + "    500       1000  2026-03-01T12:00:00Z  tx drops"), CommandsCommand.render(page));
    }

    @Test
    void historyNamesTheMetricTierAndStep() throws IOException {
        JsonNode series = json("{'host': 'gw-1', 'metric': 'softirq_share', 'unit': 'ratio', 'cpu': null,"
                + " 'cpuAggregate': 'max', 'stepSeconds': 60, 'tier': '1m', 'points': [{'t': '2026-03-01T12:00:00Z',"
                + " 'avg': 0.25, 'max': 0.5, 'rows': 60}, {'t': '2026-03-01T12:01:00Z', 'avg': 1234567.0,"
                + " 'max': null, 'rows': 60}]}");

        String out = HistoryCommand.render(series);

        assertTrue(out.startsWith("gw-1 softirq_share (max over CPUs) in ratio, step 60 s from the 1m tier\n"), out);
        assertTrue(out.contains("2026-03-01T12:00:00Z  0.25     0.5  60\n"), out);
        assertTrue(out.contains("2026-03-01T12:01:00Z  1234567  -    60\n"), out);
    }

    @Test
    void aDecisionSaysWhatWasSentAndWhatHappensNext() throws IOException {
        JsonNode sent = json("{'commandId': 'c-1', 'hostId': 'gw-1', 'decision': 'REJECT', 'operator': 'alice',"
                + " 'reason': 'freeze', 'decidedAt': '2026-03-01T12:00:00.5Z'}");

        assertTrue(Decisions.render(sent).startsWith("c-1 on gw-1 rejected by alice (freeze) at 2026-03-01T12:00:00Z;"),
                Decisions.render(sent));
    }

    @Test
    void theReadmeDocumentsEverySettingAndExitCode() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("README.md")) || !Files.exists(root.resolve("cli"))) {
            root = root.getParent();
        }
        String readme = Files.readString(root.resolve("README.md"));
        for (String variable : CliSettings.variables()) {
            assertTrue(readme.contains("| `" + variable + "` | cli |"), variable + " is missing from README.md");
        }
        for (ExitCode code : ExitCode.values()) {
            assertTrue(readme.contains("| " + code.code() + " |"), "exit code " + code + " is missing from README.md");
        }
    }
}
