package io.tunnelvision.rules.cpu;

import java.util.BitSet;
import java.util.Collection;

/**
 * CPU bitmaps as the kernel prints and parses them in {@code rps_cpus}, {@code smp_affinity} and the like:
 * comma-separated 32-bit words in hex, most significant first ({@code ff,ffffffff} is CPUs 0 to 39). The one
 * parser of the project: the planner, the executor, the doctor and the simulated fleet all go through it.
 *
 * <p>Strict on purpose: a mask that names a CPU this host does not have is refused by the kernel (or, worse,
 * silently narrowed), so text that is not a mask is refused here rather than read as some guess of a mask.
 * Its companion for {@code 0-3,5} lists is {@link CpuList}.
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
     * @throws IllegalArgumentException when the mask is null or empty, or a word is empty, longer than eight
     *         digits or not hex
     */
    public static BitSet parse(String mask) {
        if (mask == null) {
            throw new IllegalArgumentException("null is not a CPU mask: expected hex words such as ff,ffffffff");
        }
        String trimmed = mask.strip();
        String[] words = trimmed.split(",", -1);
        BitSet cpus = new BitSet();
        for (int k = 0; k < words.length; k++) {
            String word = words[words.length - 1 - k];
            if (word.isEmpty() || word.length() > WORD_DIGITS) {
                throw new IllegalArgumentException("'" + trimmed + "' is not a CPU mask: each comma-separated word "
                        + "must be 1 to 8 hex digits, e.g. ff,ffffffff");
            }
            long bits = 0;
            for (int i = 0; i < word.length(); i++) {
                int digit = Character.digit(word.charAt(i), 16);
                if (digit < 0) {
                    throw new IllegalArgumentException("'" + trimmed + "' is not a CPU mask: '" + word
                            + "' is not hex");
                }
                bits = (bits << 4) | digit;
            }
            for (int bit = 0; bit < WORD_BITS; bit++) {
                if ((bits & (1L << bit)) != 0) {
                    cpus.set(k * WORD_BITS + bit);
                }
            }
        }
        return cpus;
    }

    /** Whether two masks name the same CPUs, whatever their zero padding ({@code 00000000,00000003} and {@code 3}). */
    public static boolean sameCpus(String a, String b) {
        return parse(a).equals(parse(b));
    }

    /**
     * {@code cpus} without zero words or padding ({@code 3} for CPUs 0 and 1, {@code 1,00000000} for CPU 32):
     * what the planner writes when it does not know the host's {@code nr_cpu_ids}. Only the CPUs given are set,
     * so a host with CPUs 0 and 1 gets {@code 3}, never {@code f}.
     *
     * @throws IllegalArgumentException for a negative CPU id
     */
    public static String of(Collection<Integer> cpus) {
        BitSet set = new BitSet();
        for (int cpu : cpus) {
            if (cpu < 0) {
                throw new IllegalArgumentException("negative CPU id " + cpu);
            }
            set.set(cpu);
        }
        return format(set, Math.max(1, set.length()));
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
