package io.tunnelvision.rules.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;

/**
 * CPU masks ({@code ff,ffffffff}) from hostile text: parsed or an {@link IllegalArgumentException}; a mask that
 * parses formats back to the same CPUs, in the planner's layout and in the kernel's for a host that has them.
 * Seeds: {@code CpuMaskFuzzTestInputs/parseMask}.
 */
class CpuMaskFuzzTest {

    @FuzzTest(maxExecutions = 1_000_000)
    void parseMask(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        BitSet cpus;
        try {
            cpus = CpuMask.parse(text);
        } catch (IllegalArgumentException declared) {
            return;
        }
        long words = text.chars().filter(c -> c == ',').count() + 1;
        assertTrue(cpus.length() <= 32 * words, "a mask names at most 32 CPUs per word");
        assertEquals(cpus, CpuMask.parse(CpuMask.of(cpus.stream().boxed().toList())));
        assertEquals(cpus, CpuMask.parse(CpuMask.format(cpus, Math.max(1, cpus.length()))));
    }
}
