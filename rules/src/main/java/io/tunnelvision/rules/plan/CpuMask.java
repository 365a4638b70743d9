package io.tunnelvision.rules.plan;

import java.math.BigInteger;
import java.util.Collection;
import java.util.Locale;

/**
 * CPU bitmasks as the kernel prints and reads them (rps_cpus, smp_affinity): comma-separated 32-bit hex words,
 * most significant first, without leading zero words. Only CPUs given are set: a host with CPUs 0 and 1 gets
 * {@code 3}, never {@code f}.
 */
public final class CpuMask {

    private static final int WORD_BITS = 32;

    private CpuMask() {
    }

    public static String of(Collection<Integer> cpus) {
        BigInteger bits = BigInteger.ZERO;
        for (int cpu : cpus) {
            if (cpu < 0) {
                throw new IllegalArgumentException("negative CPU id " + cpu);
            }
            bits = bits.setBit(cpu);
        }
        return format(bits);
    }

    public static BigInteger parse(String mask) {
        if (mask == null || mask.isBlank()) {
            return BigInteger.ZERO;
        }
        return new BigInteger(mask.replace(",", "").trim(), 16);
    }

    public static boolean sameCpus(String a, String b) {
        return parse(a).equals(parse(b));
    }

    private static String format(BigInteger bits) {
        String hex = bits.toString(16).toLowerCase(Locale.ROOT);
        StringBuilder out = new StringBuilder();
        int first = hex.length() % (WORD_BITS / 4);
        if (first == 0) {
            first = WORD_BITS / 4;
        }
        out.append(hex, 0, first);
        for (int i = first; i < hex.length(); i += WORD_BITS / 4) {
            out.append(',').append(hex, i, i + WORD_BITS / 4);
        }
        return out.toString();
    }
}
