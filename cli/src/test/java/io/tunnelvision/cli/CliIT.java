package io.tunnelvision.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.Decision;
import io.tunnelvision.schemas.sign.DecisionSigner;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every subcommand and every kind of failure against a real api (PostgreSQL, the broker for decisions, HTTP and
 * HTTPS listeners), run in this JVM through the same entry point as {@code main}, and once through the launcher
 * script as a process.
 */
class CliIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static RealApi api;

    record Run(int code, String out, String err) {
    }

    @BeforeAll
    static void start() throws IOException {
        api = new RealApi(dir);
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    private static Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TunnelvisionCli.run(args, env, Clock.systemUTC(), new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private static Map<String, String> env(String url, String token) {
        Map<String, String> env = new HashMap<>();
        env.put(CliSettings.API_URL, url);
        if (token != null) {
            env.put(CliSettings.API_TOKEN, token);
        }
        return env;
    }

    private static Run asViewer(String... args) {
        return run(env(api.httpUrl(), RealApi.VIEWER), args);
    }

    private static Run asOperator(String... args) {
        return run(env(api.httpUrl(), RealApi.OPERATOR), args);
    }

    private static Run ok(Run run) {
        assertEquals(0, run.code(), run.err());
        assertEquals("", run.err());
        return run;
    }

    private static void fails(Run run, ExitCode code, String says) {
        assertEquals(code.code(), run.code(), run.out() + run.err());
        assertTrue(run.err().contains(says), run.err());
        assertEquals("", run.out());
    }

    // ---- subcommands -----------------------------------------------------------------------------------

    @Test
    void statusPrintsTheFleetSummaryAndEveryGateway() {
        String out = ok(asViewer("status")).out();

        assertTrue(out.startsWith("gateways 2: 1 healthy, 1 with open hotspots"), out);
        assertTrue(out.contains("SOFTNET_SQUEEZE"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("gw-1 ") && l.endsWith("SOFTNET_SQUEEZE")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("gw-2 ")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("proposed ") && l.endsWith("3")), out);
    }

    @Test
    void statusAsJsonIsTheApisSummaryAndHosts() throws IOException {
        JsonNode json = JSON.readTree(ok(asViewer("status", "--json")).out());

        assertEquals(2, json.get("summary").get("hosts").asInt());
        assertEquals(2, json.get("hosts").size());
        assertEquals("gw-1", json.get("hosts").get(0).get("hostId").asText());
    }

    @Test
    void hotspotsOfOneGatewayStillOpen() {
        String open = ok(asViewer("hotspots", "--host", "gw-1", "--open")).out();
        String all = ok(asViewer("hotspots", "--since", "2h")).out();
        String recent = ok(asViewer("hotspots", "--since", "30m")).out();

        assertTrue(open.contains("hs-open") && !open.contains("hs-closed"), open);
        assertTrue(all.contains("hs-open") && all.contains("hs-closed"), all);
        assertFalse(recent.contains("hs-closed"), recent);
        assertEquals("no hotspots\n", ok(asViewer("hotspots", "--host", "gw-2", "--open")).out());
    }

    @Test
    void commandsByGatewayAndAge() throws IOException {
        String gw1 = ok(asViewer("commands", "--host", "gw-1")).out();
        String gw2 = ok(asViewer("commands", "--host", "gw-2")).out();
        String gw2Today = ok(asViewer("commands", "--host", "gw-2", "--since", "1d")).out();
        JsonNode json = JSON.readTree(ok(asViewer("commands", "--json", "--status", "verified")).out());

        assertTrue(gw1.lines().anyMatch(l -> l.startsWith("cmd-verified ") && l.contains(" verified ")), gw1);
        assertTrue(gw1.lines().anyMatch(l -> l.startsWith("cmd-proposed ") && l.contains(" proposed ")), gw1);
        assertTrue(gw2.contains("cmd-old"), gw2);
        assertEquals("no commands\n", gw2Today);
        assertEquals(1, json.size());
        assertEquals("cmd-verified", json.get(0).get("commandId").asText());
    }

    @Test
    void approveSendsADecisionSignedByTheApiForTheOperator() {
        String out = ok(asOperator("approve", "cmd-proposed")).out();

        assertTrue(out.startsWith("cmd-proposed on gw-1 approved by alice"), out);
        List<CommandDecision> sent = api.decisionsOn("cmd-proposed");
        assertEquals(1, sent.size());
        assertEquals(Decision.APPROVE, sent.get(0).getDecision());
        assertEquals("alice", sent.get(0).getOperator());
        assertEquals(DecisionSigner.of(api.apiKeys).keyId(), sent.get(0).getKeyId());
    }

    @Test
    void rejectNeedsAReasonAndSendsIt() throws IOException {
        Run withoutReason = asOperator("reject", "cmd-to-reject");
        JsonNode sent = JSON.readTree(ok(asOperator("reject", "cmd-to-reject", "--reason", "change freeze",
                "--json")).out());

        assertEquals(ExitCode.USAGE.code(), withoutReason.code());
        assertTrue(withoutReason.err().contains("--reason"), withoutReason.err());
        assertEquals("REJECT", sent.get("decision").asText());
        List<CommandDecision> decisions = api.decisionsOn("cmd-to-reject");
        assertEquals(1, decisions.size());
        assertEquals("change freeze", decisions.get(0).getReason());
    }

    @Test
    void proposeSendsACommandByHandSignedByTheApiForTheGate() throws IOException {
        JsonNode sent = JSON.readTree(ok(asOperator("propose", "gw-1", "NETDEV_MAX_BACKLOG", "host", "2000",
                "--reason", "change window 42", "--json")).out());

        String id = sent.get("commandId").asText();
        assertTrue(id.startsWith("manual-"), id);
        List<CommandDecision> decisions = api.decisionsOn(id);
        assertEquals(1, decisions.size());
        CommandDecision request = decisions.get(0);
        assertEquals("gw-1", request.getHostId());
        assertEquals("alice", request.getOperator());
        assertEquals("NETDEV_MAX_BACKLOG", request.getManual().getAction());
        assertEquals("host", request.getManual().getTarget());
        assertEquals("2000", request.getManual().getNewValue());
        assertEquals(DecisionSigner.of(api.apiKeys).keyId(), request.getKeyId());
        String table = ok(asOperator("propose", "gw-1", "TXQUEUELEN", "tun0", "2000")).out();
        assertTrue(table.contains(" on gw-1 issued by hand by alice"), table);
    }

    @Test
    void proposeNeedsAnOperatorAKnownHostAndAnApiThatCanSign() {
        fails(asViewer("propose", "gw-1", "TXQUEUELEN", "tun0", "2000"), ExitCode.DENIED, "needs operator");
        fails(asOperator("propose", "gw-nobody", "TXQUEUELEN", "tun0", "2000"), ExitCode.NOT_FOUND, "gw-nobody");
        fails(run(env(api.withoutKeyUrl(), RealApi.OPERATOR), "propose", "gw-1", "TXQUEUELEN", "tun0", "2000"),
                ExitCode.SERVER_ERROR, "TUNNELVISION_API_DECISION_KEY_FILE");
        fails(asOperator("propose", "gw-1", "TXQUEUELEN", "tun0"), ExitCode.USAGE, "VALUE");
    }

    @Test
    void historyReadsTheMinuteTierOrTheRawOne() throws IOException {
        String minutes = ok(asViewer("history", "gw-1", "--metric", "processed", "--since", "30m", "--step", "1m"))
                .out();
        JsonNode raw = JSON.readTree(ok(asViewer("history", "gw-1", "--metric", "processed", "--since", "30m",
                "--step", "10s", "--json")).out());
        String link = ok(asViewer("history", "gw-1", "--metric", "rx_bytes", "--iface", "tun0", "--since", "30m"))
                .out();

        assertTrue(minutes.startsWith("gw-1 processed (sum over CPUs) in "), minutes);
        assertTrue(minutes.contains("step 60 s from the 1m tier"), minutes);
        assertEquals(5, minutes.lines().filter(l -> l.startsWith("20")).count(), minutes);
        assertEquals(10, raw.get("stepSeconds").asInt());
        assertEquals(30, raw.get("points").size());
        assertTrue(link.startsWith("gw-1 rx_bytes on tun0 in "), link);
    }

    @Test
    void aTokenFileStandsInForTheVariable() throws IOException {
        Path file = Files.writeString(dir.resolve("token"), RealApi.OPERATOR + "\n");

        ok(run(env(api.httpUrl(), null), "status", "--token-file", file.toString()));
        ok(run(env(api.httpUrl(), "wrong"), "--token-file", file.toString(), "status"));
    }

    @Test
    void httpsWithTheCaFileGivenAsOptionOrSetting() {
        ok(run(env(api.httpsUrl(), RealApi.VIEWER), "status", "--ca-file", api.caFile.toString()));
        Map<String, String> env = env(api.httpsUrl(), RealApi.VIEWER);
        env.put(CliSettings.API_CA_FILE, api.caFile.toString());
        ok(run(env, "status"));
    }

    // ---- failures, one exit code per kind ------------------------------------------------------------

    @Test
    void noApiListeningIsCannotConnect() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        fails(run(env("http://127.0.0.1:" + port, RealApi.VIEWER), "status"), ExitCode.CANNOT_CONNECT,
                "cannot connect to the api at http://127.0.0.1:" + port);
    }

    @Test
    void anHttpsApiWhoseCaIsNotGivenIsCannotConnect() {
        fails(run(env(api.httpsUrl(), RealApi.VIEWER), "status"), ExitCode.CANNOT_CONNECT, "--ca-file");
    }

    @Test
    void anUnknownTokenOrAViewerApprovingIsDenied() {
        fails(run(env(api.httpUrl(), "not-a-token"), "status"), ExitCode.DENIED, "refused the token (401)");
        fails(asViewer("approve", "cmd-proposed"), ExitCode.DENIED, "needs operator");
    }

    @Test
    void unknownCommandsAndGatewaysAreNotFound() {
        fails(asOperator("approve", "cmd-nobody-made"), ExitCode.NOT_FOUND, "no command 'cmd-nobody-made'");
        fails(asViewer("history", "gw-nobody", "--metric", "processed"), ExitCode.NOT_FOUND, "gw-nobody");
    }

    @Test
    void badArgumentsAndRequestsTheApiRefusesAreUsage() {
        fails(asViewer("history", "gw-1", "--metric", "no_such_metric"), ExitCode.USAGE, "known metrics");
        fails(asViewer("history", "gw-1", "--metric", "rx_bytes"), ExitCode.USAGE, "iface");
        fails(asViewer("hotspots", "--since", "yesterday"), ExitCode.USAGE, "not a duration");
        fails(run(env(api.httpUrl(), null), "status"), ExitCode.USAGE, "TUNNELVISION_API_TOKEN");
        fails(asViewer("frobnicate"), ExitCode.USAGE, "frobnicate");
    }

    @Test
    void approvingACommandThatIsNoLongerProposedIsAConflict() {
        fails(asOperator("approve", "cmd-verified"), ExitCode.CONFLICT, "only proposed commands");
    }

    @Test
    void anApiThatCannotSignDecisionsIsAServerError() {
        fails(run(env(api.withoutKeyUrl(), RealApi.OPERATOR), "approve", "cmd-no-key"), ExitCode.SERVER_ERROR,
                "TUNNELVISION_API_DECISION_KEY_FILE");
    }

    // ---- the launcher -------------------------------------------------------------------------------

    @Test
    void theLauncherRunsStatusAsAProcess() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("tunnelvision")) || !Files.exists(root.resolve("cli"))) {
            root = root.getParent();
        }
        assertTrue(Files.exists(root.resolve("cli/target/tunnelvision-cli.jar")),
                "the cli's jar is built in the package phase, before this test");
        ProcessBuilder builder = new ProcessBuilder(root.resolve("tunnelvision").toString(), "status")
                .redirectErrorStream(true);
        builder.environment().put(CliSettings.API_URL, api.httpUrl());
        builder.environment().put(CliSettings.API_TOKEN, RealApi.VIEWER);
        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the launcher did not finish within 60 s");
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertEquals(0, process.exitValue(), out);
        assertTrue(out.startsWith("gateways 2: "), out);
        assertTrue(out.contains("gw-2"), out);
    }
}
