package io.tunnelvision.agent.apply;

import io.tunnelvision.agent.apply.ToolRunner.Tool;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The root qdisc of an interface: no file holds it (rtnetlink does), so the agent runs iproute2's tc, through the
 * {@link ToolRunner} of its settings ({@link InstalledTools}: fixed locations, never $PATH, never a shell). Read
 * with {@code tc -j qdisc show dev <if> root}, written with {@code tc qdisc replace dev <if> root <kind>}: the kind
 * with its default configuration, which is also what a rollback re-creates. So both the root that is there and the
 * one asked for must be kinds whose configuration is their default ({@link QdiscKinds}); a pfifo or bfifo is
 * replaced only at the limit the kernel gives it by default.
 */
final class Tc {

    /** Link-layer header bytes by ARPHRD type (sysfs {@code type}), for bfifo's default limit: Ethernet, none. */
    private static final Map<Long, Long> LINK_HEADER = Map.of(1L, 14L, 65534L, 0L);

    private final ToolRunner tools;

    Tc(ToolRunner tools) {
        this.tools = tools;
    }

    /** @param interfaceDir {@code /sys/class/net/<device>}, for its txqueuelen, MTU and link type */
    SettingAccess rootQdisc(String device, Path interfaceDir) {
        return new SettingAccess() {
            @Override
            public String where() {
                return "tc qdisc replace dev " + device + " root";
            }

            @Override
            public void admit(String wanted) throws Refusal, ApplyFailure {
                RootQdisc current = root().orRefuse();
                Optional<String> problem = QdiscKinds.problem(current.kind());
                if (problem.isEmpty()) {
                    problem = notDefault(current);
                }
                if (problem.isPresent()) {
                    throw Refusal.rejected("the root qdisc of " + device + " is not replaced: " + problem.get());
                }
            }

            @Override
            public String read() throws ApplyFailure {
                return root().orFail(where()).kind();
            }

            @Override
            public void write(String kind) throws ApplyFailure {
                ToolCalls.run(tools, Tool.TC, List.of("qdisc", "replace", "dev", device, "root", kind),
                        where() + " " + kind);
            }

            /**
             * The root qdisc; none when tc lists none: a device that is down has the kernel's noop qdisc, which tc
             * does not show, and gets its default one when it comes up. Nothing a rollback could re-create.
             */
            private Reading<RootQdisc> root() throws ApplyFailure {
                String where = "tc -j qdisc show dev " + device + " root";
                String out = ToolCalls.run(tools, Tool.TC, List.of("-j", "qdisc", "show", "dev", device, "root"),
                        where);
                if (out.strip().equals("[]")) {
                    return Reading.problem(where + " lists no root qdisc (a device that is down has the kernel's "
                            + "noop qdisc, which tc does not show): bring " + device + " up first");
                }
                try {
                    return Reading.of(RootQdisc.parse(out));
                } catch (IllegalArgumentException e) {
                    throw new ApplyFailure("read", where, "EPROTO", e.getMessage());
                }
            }

            private Optional<String> notDefault(RootQdisc q) throws ApplyFailure {
                if (!q.kind().equals("pfifo") && !q.kind().equals("bfifo")) {
                    return Optional.empty();
                }
                long txQueueLen = number("tx_queue_len");
                Long header = LINK_HEADER.get(number("type"));
                if (header == null) {
                    return Optional.of(q.kind() + " on a link type whose header length the agent does not know: "
                            + "it cannot tell whether the limit is the default one a rollback re-creates");
                }
                long standard = RootQdisc.defaultLimit(q.kind(), txQueueLen, number("mtu"), header);
                return q.limit() == standard ? Optional.empty() : Optional.of(q.kind() + " limit " + q.limit()
                        + " is not its default (" + standard + " for txqueuelen " + txQueueLen + "): a rollback "
                        + "could not re-create it");
            }

            private long number(String file) throws ApplyFailure {
                String text = KernelFiles.read(interfaceDir.resolve(file));
                try {
                    return Long.parseLong(text.strip());
                } catch (NumberFormatException e) {
                    throw new ApplyFailure("read", interfaceDir.resolve(file), "EPROTO", "not a number: " + text);
                }
            }
        };
    }
}
