package io.tunnelvision.agent.apply;

import io.tunnelvision.agent.apply.ToolRunner.Tool;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The NIC settings that have no sysfs file: they are set through the ethtool netlink API, which the JDK cannot
 * speak, so the agent runs ethtool, through the {@link ToolRunner} of its settings (the installed binary in
 * production, see {@link InstalledTools}).
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
}
