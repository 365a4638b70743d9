package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interrupt collector on hostile CPU headers in a child JVM with the smallest heap the agent could be given,
 * {@code -Xmx16m}: a header such as {@code CPU100000000} once made it allocate 400 MB and the agent exit with 70,
 * {@code CPU2147483647} threw NegativeArraySizeException. Now each is refused with a {@link CollectException}, a
 * hostile {@code /proc/softirqs} or {@code /proc/stat} costs only its arrays, and a real 8192-CPU header (the most
 * a kernel has) is still collected in that heap.
 */
class SmallHeapHeadersIT {

    private static final String ROW = "  24:" + "          7".repeat(2) + "  IO-APIC   5-edge      eth0-rx-0\n";

    @TempDir
    Path dir;

    @Test
    void hostileHeadersAreRefusedAndARealBigHostIsCollectedInSixteenMegabytes() throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        tree("interrupts-cpu2147483647", "           CPU2147483647\n  24:          7  IO-APIC  eth0\n", null, null);
        expected.put("interrupts-cpu2147483647", "refused");
        tree("interrupts-cpu100000000", "           CPU100000000\n  24:          7  IO-APIC  eth0\n", null, null);
        expected.put("interrupts-cpu100000000", "refused");
        tree("interrupts-cpu0-cpu100000000", "   CPU0   CPU100000000\n" + ROW, null, null);
        expected.put("interrupts-cpu0-cpu100000000", "refused");
        tree("interrupts-20-digit-cpu", "   CPU0   CPU99999999999999999999\n" + ROW, null, null);
        expected.put("interrupts-20-digit-cpu", "refused");
        tree("softirqs-and-stat-cpu2147483647", "   CPU0   CPU1\n" + ROW,
                "   CPU0   CPU2147483647\n      NET_RX:   1   2\n      NET_TX:   3   4\n",
                "cpu  1 1 1 1 1 1 1 1 0 0\ncpu0 1 1 1 1 1 1 1 1 0 0\ncpu2147483647 1 1 1 1 1 1 1 1 0 0\nintr 0\n");
        expected.put("softirqs-and-stat-cpu2147483647", "collected 2/0/0");
        tree("stat-cpu100000000", "   CPU0   CPU1\n" + ROW, null,
                "cpu  1 1 1 1 1 1 1 1 0 0\ncpu0 1 1 1 1 1 1 1 1 0 0\ncpu100000000 1 1 1 1 1 1 1 1 0 0\n");
        expected.put("stat-cpu100000000", "collected 2/0/0");
        String header = IntStream.range(0, CpuColumns.MAX_CPUS).mapToObj(cpu -> String.format("%11s", "CPU" + cpu))
                .collect(Collectors.joining("", "  ", "\n"));
        String row = IntStream.range(0, CpuColumns.MAX_CPUS).mapToObj(cpu -> String.format(" %10d", cpu))
                .collect(Collectors.joining("", "  24:", "  IR-PCI-MSIX-0000:3b:00.0 0-edge  eth0-TxRx-0\n"));
        tree("real-8192-cpus", header + row + row.replace("24:", "25:"), null, null);
        expected.put("real-8192-cpus", "collected 8192/0/0");

        List<String> lines = runWithSmallHeap(new ArrayList<>(expected.keySet()));

        assertEquals(expected.size(), lines.size(), String.join("\n", lines));
        int k = 0;
        for (Map.Entry<String, String> want : expected.entrySet()) {
            String line = lines.get(k++);
            assertTrue(line.startsWith(want.getKey() + " " + want.getValue()), want + " but: " + line);
        }
        assertTrue(lines.get(0).contains("8192"), "the refusal names the kernel's limit: " + lines.get(0));
    }

    private void tree(String name, String interrupts, String softirqs, String stat) throws IOException {
        Path proc = Files.createDirectories(dir.resolve(name));
        Files.writeString(proc.resolve("interrupts"), interrupts, StandardCharsets.UTF_8);
        if (softirqs != null) {
            Files.writeString(proc.resolve("softirqs"), softirqs, StandardCharsets.UTF_8);
        }
        if (stat != null) {
            Files.writeString(proc.resolve("stat"), stat, StandardCharsets.UTF_8);
        }
    }

    private List<String> runWithSmallHeap(List<String> trees) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx16m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                SmallHeapCollect.class.getName()));
        trees.forEach(tree -> command.add(dir.resolve(tree).toString()));
        Path out = dir.resolve("child.out");
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child JVM did not finish in 120 s");
        String output = Files.readString(out);
        assertEquals(0, child.exitValue(), "the child JVM failed (out of memory?):\n" + output);
        return output.lines().filter(line -> trees.stream().anyMatch(line::startsWith)).toList();
    }
}
