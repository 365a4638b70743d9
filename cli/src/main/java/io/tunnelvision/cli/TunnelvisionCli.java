package io.tunnelvision.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tunnelvision status|hotspots|commands|approve|reject|history|propose}: the operator's command line
 * against the HTTP API. Tables by default, the api's JSON with {@code --json}; one exit code per kind of failure
 * ({@link ExitCode}).
 */
@Command(name = "tunnelvision", mixinStandardHelpOptions = true, version = "tunnelvision cli",
        description = "The operator's command line against the Tunnelvision api.",
        subcommands = {StatusCommand.class, HotspotsCommand.class, CommandsCommand.class, ApproveCommand.class,
                RejectCommand.class, HistoryCommand.class, ProposeCommand.class},
        footer = {"", "Settings: TUNNELVISION_API_URL (default " + CliSettings.DEFAULT_API + "), TUNNELVISION_API_TOKEN,"
                + " TUNNELVISION_API_CA_FILE.",
                "Exit codes: 0 ok, 1 server error, 2 bad usage, 3 cannot connect, 4 token refused (401/403),"
                + " 5 not found, 6 conflict."})
public final class TunnelvisionCli implements Runnable {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--api", paramLabel = "URL", scope = CommandLine.ScopeType.INHERIT,
            description = "The api's base URL (default: $TUNNELVISION_API_URL, else " + CliSettings.DEFAULT_API + ")")
    String api;

    @Option(names = "--token-file", paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT,
            description = "File holding the API token on one line (default: $TUNNELVISION_API_TOKEN)")
    Path tokenFile;

    @Option(names = "--ca-file", paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT,
            description = "PEM CA certificate(s) the api's HTTPS certificate must chain to"
                    + " (default: $TUNNELVISION_API_CA_FILE, else the JVM's public CAs)")
    Path caFile;

    @Option(names = "--json", scope = CommandLine.ScopeType.INHERIT,
            description = "Print the api's JSON instead of a table")
    boolean json;

    private final Map<String, String> env;
    private final Clock clock;
    private PrintWriter out;

    TunnelvisionCli(Map<String, String> env, Clock clock) {
        this.env = env;
        this.clock = clock;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), Clock.systemUTC(), new PrintWriter(System.out, true),
                new PrintWriter(System.err, true)));
    }

    /** Runs one command line; returns its exit code. */
    public static int run(String[] args, Map<String, String> env, Clock clock, PrintWriter out, PrintWriter err) {
        TunnelvisionCli cli = new TunnelvisionCli(env, clock);
        cli.out = out;
        CommandLine line = new CommandLine(cli);
        line.setOut(out);
        line.setErr(err);
        line.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (e instanceof CliException failure) {
                err.println("tunnelvision " + commandLine.getCommandName() + ": " + failure.getMessage());
                err.flush();
                return failure.exitCode().code();
            }
            throw e;
        });
        line.setParameterExceptionHandler((e, args2) -> {
            err.println("tunnelvision: " + e.getMessage());
            e.getCommandLine().usage(err);
            err.flush();
            return ExitCode.USAGE.code();
        });
        int code = line.execute(args);
        out.flush();
        return code;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed");
    }

    ApiClient client() {
        return new ApiClient(CliSettings.resolve(env, api, tokenFile, caFile));
    }

    Clock clock() {
        return clock;
    }

    boolean json() {
        return json;
    }

    void print(String text) {
        out.print(text);
        out.flush();
    }

    void println(String text) {
        out.println(text);
        out.flush();
    }

    void printJson(JsonNode node) {
        try {
            println(JSON.writeValueAsString(node));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
