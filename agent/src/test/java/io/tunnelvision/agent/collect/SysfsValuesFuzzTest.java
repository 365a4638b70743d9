package io.tunnelvision.agent.collect;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tunnelvision.agent.FuzzSeeds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The one-value files of {@code /proc/irq} and {@code /sys}: CPU lists ({@code smp_affinity_list},
 * {@code effective_affinity_list}), NUMA nodes and the {@code DEVTYPE} of a {@code uevent}. A value either parses
 * or is a {@link MalformedFileException}; {@code devType} declares nothing.
 */
class SysfsValuesFuzzTest {

    @BeforeAll
    static void plantSeeds() {
        List<Path> seeds = new java.util.ArrayList<>(FuzzSeeds.files("trees/gateway-x86/sys/class/net/wg0/uevent",
                "trees/gateway-x86/sys/class/net/veth-a/uevent"));
        FuzzSeeds.plant(SysfsValuesFuzzTest.class, "parseValue", seeds);
        FuzzSeeds.plantBytes(SysfsValuesFuzzTest.class, "parseValue", List.of(
                "0-3,8\n".getBytes(StandardCharsets.UTF_8), "-1\n".getBytes(StandardCharsets.UTF_8),
                "1\n".getBytes(StandardCharsets.UTF_8), "\n".getBytes(StandardCharsets.UTF_8)));
    }

    @FuzzTest(maxExecutions = 1_000_000)
    void parseValue(byte[] file) {
        String text = new String(file, StandardCharsets.UTF_8);
        try {
            IrqPlacementParser.cpuList(text);
        } catch (MalformedFileException declared) {
            // counted as malformed by IrqPlacements
        }
        try {
            IrqPlacementParser.numaNode(text);
        } catch (MalformedFileException declared) {
            // counted as malformed by IrqPlacements
        }
        InterfaceKinds.devType(text);
    }

    @Test
    void theSeedsParse() {
        for (String value : List.of("0-3,8", "", "-1", "0", "DEVTYPE=wireguard\nINTERFACE=wg0")) {
            parseValue(value.getBytes(StandardCharsets.UTF_8));
        }
    }
}
