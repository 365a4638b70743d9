package io.tunnelvision.agent.collect;

import java.util.BitSet;

/**
 * CPU bitmaps as the kernel prints and parses them in {@code rps_cpus}, {@code smp_affinity} and the like:
 * comma-separated 32-bit words in hex, most significant first ({@code ff,ffffffff} is CPUs 0 to 39).
 *
 * <p>Why a class of its own: the fix for a single-core softirq hotspot is an RPS mask, and a mask that names a
 * CPU this host does not have is refused by the kernel (or, worse, silently narrowed). The executor and the
 * doctor build masks from the CPUs they see online; this is the one place that knows the format.
 */
public final class CpuMask {

    private static final int WORD_BITS = 32;
    private static final int WORD_DIGITS = 8;

    private CpuMask() {
    }

    /**
     * The CPUs set in {@code mask}, e.g. {@code "3"} or {@code "00000000,00000f00"}. Leading and trailing
     * whitespace is ignored; a word may have fewer than eight digits, as the kernel accepts on write.
     *
     * @throws IllegalArgumentException when a word is empty, longer than eight digits or not hex
     */
    public static BitSet parse(String mask) {
        String trimmed = mask.strip();
        String[] words = trimmed.split(",", -1);
        BitSet cpus = new BitSet();
        for (int k = 0; k < words.length; k++) {
            String word = words[words.length - 1 - k];
            if (word.isEmpty() || word.length() > WORD_DIGITS) {
                throw new IllegalArgumentException("'" + trimmed + "' is not a CPU mask: each comma-separated word "
                        + "must be 1 to 8 hex digits, e.g. ff,ffffffff");
            }
            long bits = Scan.hex(word, 0, word.length());
            if (bits < 0) {
                throw new IllegalArgumentException("'" + trimmed + "' is not a CPU mask: '" + word + "' is not hex");
            }
            for (int bit = 0; bit < WORD_BITS; bit++) {
                if ((bits & (1L << bit)) != 0) {
                    cpus.set(k * WORD_BITS + bit);
                }
            }
        }
        return cpus;
    }

    /**
     * {@code cpus} in the kernel's own layout for a host with {@code possibleCpus} CPU ids ({@code nr_cpu_ids}):
     * the most significant word has only as many digits as its bits need, the others eight, as
     * {@code bitmap_string()} in lib/vsprintf.c prints them. So the result compares equal to what reading the
     * file back gives.
     *
     * @throws IllegalArgumentException when a CPU in {@code cpus} is not below {@code possibleCpus}
     */
    public static String format(BitSet cpus, int possibleCpus) {
        if (possibleCpus < 1) {
            throw new IllegalArgumentException("possibleCpus must be at least 1, was " + possibleCpus);
        }
        if (cpus.length() > possibleCpus) {
            throw new IllegalArgumentException("CPU " + (cpus.length() - 1) + " does not exist on a host with "
                    + possibleCpus + " possible CPUs");
        }
        int words = (possibleCpus + WORD_BITS - 1) / WORD_BITS;
        int topBits = possibleCpus - (words - 1) * WORD_BITS;
        StringBuilder out = new StringBuilder(words * (WORD_DIGITS + 1));
        for (int word = words - 1; word >= 0; word--) {
            long bits = 0;
            for (int bit = 0; bit < WORD_BITS; bit++) {
                if (cpus.get(word * WORD_BITS + bit)) {
                    bits |= 1L << bit;
                }
            }
            int digits = word == words - 1 ? (topBits + 3) / 4 : WORD_DIGITS;
            String hex = Long.toHexString(bits);
            out.append("0".repeat(Math.max(0, digits - hex.length()))).append(hex);
            if (word > 0) {
                out.append(',');
            }
        }
        return out.toString();
    }

    /** Whether {@code mask} names at least one CPU and only CPUs in {@code online}. */
    public static boolean fits(BitSet mask, BitSet online) {
        if (mask.isEmpty()) {
            return false;
        }
        BitSet outside = (BitSet) mask.clone();
        outside.andNot(online);
        return outside.isEmpty();
    }
}
