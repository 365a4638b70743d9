package io.tunnelvision.rules.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;

/**
 * CPU lists ({@code 0-3,5}) from hostile text: parsed or an {@link IllegalArgumentException}, never a set beyond
 * the bound that keeps a typo from allocating a huge one, and what parses formats back to the same CPUs. Seeds:
 * {@code CpuListFuzzTestInputs/parseList}, also run as regression inputs by the ordinary test run.
 */
class CpuListFuzzTest {

    @FuzzTest(maxExecutions = 1_000_000)
    void parseList(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        BitSet cpus;
        try {
            cpus = CpuList.parse(text);
        } catch (IllegalArgumentException declared) {
            assertTrue(CpuList.tryParse(text).isEmpty());
            return;
        }
        assertTrue(cpus.length() <= 1 << 16, "CPU " + (cpus.length() - 1));
        assertEquals(cpus, CpuList.parse(CpuList.format(cpus)));
        CpuList.tryParse(text);
    }
}
