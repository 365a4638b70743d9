package io.tunnelvision.agent.apply;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How the executor runs the tools behind the settings no file holds: {@code ethtool} (interrupt coalescing, RX
 * rings, channels: the ethtool netlink API, which the JDK cannot speak) and iproute2's {@code tc} (the root qdisc:
 * rtnetlink). The executor only ever asks for an argument list of one of the {@link Tool}s; what it gets back is
 * what the tool printed and its exit status, and it parses, compares and checks that itself, so everything but
 * the process launch is the same whoever answers.
 *
 * <p>Production: {@link InstalledTools#standard()}, the binaries from fixed system directories only (never
 * {@code $PATH}), never through a shell, with a clean environment and a timeout ({@link ExecutorSettings#of}).
 * A simulated gateway passes its own function through {@link ExecutorSettings#withTools}: it answers what the
 * model's ethtool or tc would print for the read ({@code ethtool -g eth0}, {@code tc -j qdisc show dev eth0 root})
 * and applies the change to the model for the write ({@code ethtool -G eth0 rx 1024}), with the exit status and
 * message the real tool gives when it refuses. The arguments are those after the tool's name, exactly as the real
 * binary gets them.
 */
@FunctionalInterface
public interface ToolRunner {

    /** The tools the executor runs, by the name a person types. */
    enum Tool {
        ETHTOOL("ethtool", "ethtool"), TC("tc", "iproute2");

        private final String command;
        private final String debianPackage;

        Tool(String command, String debianPackage) {
            this.command = command;
            this.debianPackage = debianPackage;
        }

        public String command() {
            return command;
        }

        /** The package that installs it, for the refusal on a host without it. */
        public String debianPackage() {
            return debianPackage;
        }
    }

    /**
     * What one run printed and how it ended.
     *
     * @param exitStatus 0 for success, as the process's exit status
     * @param out        standard output (what is parsed)
     * @param err        standard error (the tool's message when it refuses)
     */
    record Output(int exitStatus, String out, String err) {
        public Output {
            Objects.requireNonNull(out, "out");
            Objects.requireNonNull(err, "err");
        }

        public static Output ok(String out) {
            return new Output(0, out, "");
        }

        public static Output failed(int exitStatus, String err) {
            return new Output(exitStatus, "", err);
        }
    }

    /**
     * Runs {@code tool} with {@code args} (without the tool's name).
     *
     * @throws ApplyFailure when it could not be run at all (it did not finish in time, or could not be started)
     */
    Output run(Tool tool, List<String> args) throws ApplyFailure;

    /**
     * Why {@code tool} cannot run on this host (for the refusal), or empty when it can. A model always can.
     */
    default Optional<String> missing(Tool tool) {
        return Optional.empty();
    }
}
