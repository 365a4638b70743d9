package io.tunnelvision.rules.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CpuMaskTest {

    private static BitSet cpus(int... ids) {
        BitSet set = new BitSet();
        for (int id : ids) {
            set.set(id);
        }
        return set;
    }

    @Test
    void wordsAreMostSignificantFirst() {
        assertEquals(cpus(0, 1, 2, 3, 32), CpuMask.parse("00000001,0000000f"));
        assertEquals(cpus(36, 37, 38, 39), CpuMask.parse("f0,00000000"));
    }

    @Test
    void shortWordsAndTheKernelsTrailingNewlineAreAccepted() {
        assertEquals(cpus(0, 1, 2, 3), CpuMask.parse("f\n"));
        assertEquals(cpus(), CpuMask.parse("0"));
        assertEquals(cpus(0, 1), CpuMask.parse("3\n"), "live-netns veth0 rx-0 rps_cpus");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"''", "' '", "'0,,f'", "'-1'", "'1,2,'", "'123456789'", "'fg'", "'0x3'", "','"})
    void malformedMasksAreRefused(String mask) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuMask.parse(mask));
        assertTrue(e.getMessage().contains("not"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} possible CPUs -> {2}")
    @CsvSource(delimiter = '|', value = {
        "2    | 0,1       | 3",
        "4    | 0,1,2,3   | f",
        "8    | ''        | 00",
        "32   | 31        | 80000000",
        "40   | 0,39      | 80,00000001",
        "64   | 0         | 00000000,00000001",
        "96   | 95        | 80000000,00000000,00000000"})
    void formatMatchesTheKernelsLayout(int possible, String ids, String expected) {
        BitSet set = new BitSet();
        for (String id : ids.split(",")) {
            if (!id.isBlank()) {
                set.set(Integer.parseInt(id.strip()));
            }
        }

        String mask = CpuMask.format(set, possible);

        assertEquals(expected, mask);
        assertEquals(set, CpuMask.parse(mask));
    }

    @Test
    void nullIsRefusedNotReadAsNoCpu() {
        assertThrows(IllegalArgumentException.class, () -> CpuMask.parse(null));
    }

    @Test
    void compactMasksNameTheGivenCpusOnlyAndCompareByCpus() {
        assertEquals("3", CpuMask.of(java.util.List.of(0, 1)));
        assertEquals("a", CpuMask.of(java.util.List.of(1, 3)), "CPUs 0 and 2 offline");
        assertEquals("1,00000000", CpuMask.of(java.util.List.of(32)));
        assertTrue(CpuMask.sameCpus("00000000,00000003", "3"));
        assertFalse(CpuMask.sameCpus("1,2", "12"), "a lax parser dropping the comma would call these equal");
    }

    @Test
    void formatRefusesACpuTheHostCannotHave() {
        assertThrows(IllegalArgumentException.class, () -> CpuMask.format(cpus(8), 8));
        assertThrows(IllegalArgumentException.class, () -> CpuMask.format(cpus(0), 0));
    }

    @Test
    void maskFitsWhenItNamesOnlyOnlineCpus() {
        BitSet online = CpuList.parse("0-3,5,7");

        assertTrue(CpuMask.fits(CpuMask.parse("af"), online));
        assertFalse(CpuMask.fits(CpuMask.parse("ff"), online), "CPUs 4 and 6 are offline");
        assertFalse(CpuMask.fits(CpuMask.parse("100"), online), "CPU 8 does not exist");
        assertFalse(CpuMask.fits(CpuMask.parse("0"), online), "an empty mask switches RPS off, it fits nothing");
    }
}
