package io.tunnelvision.agent.apply;

import io.tunnelvision.agent.apply.ToolRunner.Output;
import io.tunnelvision.agent.apply.ToolRunner.Tool;
import io.tunnelvision.agent.collect.EthtoolParse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The NIC settings that have no sysfs file: they are set through the ethtool netlink API, which the JDK cannot
 * speak, so the agent runs ethtool, through the {@link ToolRunner} of its settings (the installed binary in
 * production, see {@link InstalledTools}). Rings and channels are read with the collector's parser
 * ({@link EthtoolParse}), so the agent and its samples read them alike.
 */
final class Ethtool {

    private static final Pattern RX_USECS = Pattern.compile("(?m)^rx-usecs:\\s*(\\S+)\\s*$");

    private final ToolRunner tools;

    Ethtool(ToolRunner tools) {
        this.tools = tools;
    }

    /** The rx-usecs of {@code device}. */
    SettingAccess rxUsecs(String device) {
        return new SettingAccess() {
            @Override
            public String where() {
                return "ethtool -C " + device + " rx-usecs";
            }

            @Override
            public String read() throws ApplyFailure {
                String out = ToolCalls.run(tools, Tool.ETHTOOL, List.of("-c", device), where());
                Matcher m = RX_USECS.matcher(out);
                if (!m.find() || !m.group(1).matches("\\d+")) {
                    throw new ApplyFailure("read", where(), "EOPNOTSUPP",
                            "the device reports no rx-usecs coalescing setting");
                }
                return m.group(1);
            }

            @Override
            public void write(String value) throws ApplyFailure {
                ToolCalls.run(tools, Tool.ETHTOOL, List.of("-C", device, "rx-usecs", value), where());
            }
        };
    }

    /**
     * The RX ring of {@code device}: read from {@code ethtool -g}, written with {@code ethtool -G <if> rx N}; a
     * size above the device's pre-set maximum, or a device that reports no rings (veth, tun), is refused.
     */
    SettingAccess rxRing(String device) {
        return new SettingAccess() {
            @Override
            public String where() {
                return "ethtool -G " + device + " rx";
            }

            @Override
            public void admit(String wanted) throws Refusal, ApplyFailure {
                EthtoolParse.Rings rings = rings().orRefuse();
                if (Long.parseLong(wanted) > rings.rxMax()) {
                    throw Refusal.rejected("RX ring " + wanted + " is above the pre-set maximum of " + device
                            + " (" + rings.rxMax() + ", ethtool -g): the driver would refuse it");
                }
            }

            @Override
            public String read() throws ApplyFailure {
                return Integer.toString(rings().orFail(where()).rx());
            }

            @Override
            public void write(String value) throws ApplyFailure {
                ToolCalls.run(tools, Tool.ETHTOOL, List.of("-G", device, "rx", value), where());
            }

            private Reading<EthtoolParse.Rings> rings() throws ApplyFailure {
                Output out = tools.run(Tool.ETHTOOL, List.of("-g", device));
                EthtoolParse.Rings rings = out.exitStatus() == 0 ? EthtoolParse.rings(out.out()) : null;
                if (rings == null || rings.rx() == null || rings.rxMax() == null) {
                    return Reading.problem("the device reports no RX ring (ethtool -g " + device + ": "
                            + said(out, "no RX line") + ")");
                }
                return Reading.of(rings);
            }
        };
    }

    /**
     * The channels of {@code device} as one number, from {@code ethtool -l}: its combined channels when it has
     * them (a maximum above 0: mlx5, i40e, ice, ixgbe, ena, virtio), else its RX channels when it has separate RX
     * and TX ones and they are equal (veth: "Combined: n/a"), written as {@code -L <if> combined N} or
     * {@code -L <if> rx N tx N}. Separate RX and TX counts that differ are not one value: refused, as is a count
     * above the device's pre-set maximum.
     */
    SettingAccess channels(String device) {
        return new SettingAccess() {
            @Override
            public String where() {
                return "ethtool -L " + device;
            }

            @Override
            public void admit(String wanted) throws Refusal, ApplyFailure {
                ChannelCount count = count().orRefuse();
                if (Long.parseLong(wanted) > count.max()) {
                    throw Refusal.rejected("channel count " + wanted + " is above the pre-set maximum of " + device
                            + " (" + count.max() + " " + (count.combined() ? "combined" : "rx and tx")
                            + " channels, ethtool -l): the driver would refuse it");
                }
            }

            @Override
            public String read() throws ApplyFailure {
                return Integer.toString(count().orFail(where()).current());
            }

            @Override
            public void write(String value) throws ApplyFailure {
                List<String> args = count().orFail(where()).combined() ? List.of("-L", device, "combined", value)
                        : List.of("-L", device, "rx", value, "tx", value);
                ToolCalls.run(tools, Tool.ETHTOOL, args, "ethtool " + String.join(" ", args));
            }

            private Reading<ChannelCount> count() throws ApplyFailure {
                Output out = tools.run(Tool.ETHTOOL, List.of("-l", device));
                if (out.exitStatus() != 0) {
                    return Reading.problem("the device reports no channels (ethtool -l " + device + ": "
                            + said(out, "") + ")");
                }
                EthtoolParse.Channels c = EthtoolParse.channels(out.out());
                if (c.combinedMax() != null) {
                    return Reading.of(new ChannelCount(true, c.combined() == null ? 0 : c.combined(),
                            c.combinedMax()));
                }
                if (c.rxMax() == null || c.txMax() == null || c.rx() == null || c.tx() == null) {
                    return Reading.problem("ethtool -l " + device + " shows neither combined channels nor "
                            + "separate RX and TX ones");
                }
                if (!c.rx().equals(c.tx())) {
                    return Reading.problem(device + " has " + c.rx() + " RX and " + c.tx() + " TX channels "
                            + "(ethtool -l): one channel count cannot say both, so the agent leaves them");
                }
                return Reading.of(new ChannelCount(false, c.rx(), Math.min(c.rxMax(), c.txMax())));
            }
        };
    }

    /** @param combined combined channels, else equal separate RX and TX ones */
    private record ChannelCount(boolean combined, int current, int max) {
    }

    private static String said(Output out, String otherwise) {
        String text = out.err().isBlank() ? out.out() : out.err();
        return text.isBlank() ? otherwise : InterfaceNames.printable(text.strip());
    }
}
