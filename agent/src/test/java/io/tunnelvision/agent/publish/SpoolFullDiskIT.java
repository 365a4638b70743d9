package io.tunnelvision.agent.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.embedded.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool on a disk that fills up: a 256 KiB tmpfs mounted in a private mount namespace (made with
 * {@code unshare -m}, so the host's mounts are untouched and the tmpfs goes with the namespace), holding a ballast
 * file and the spool of a {@link SpoolDriver} process that appends 200 numbered records a second while the broker
 * is down. The disk fills, appends fail and are counted, the ballast is deleted (space returns), the disk fills
 * again, the broker comes back, the spool drains and frees its own space; another file fills the disk, the driver
 * is stopped and started again on the full tmpfs, the file is deleted; then every record it was told was taken is on the topic exactly once, and none it was told
 * was refused.
 *
 * <p>Needs root (mount namespaces, tmpfs): the test fails, not skips, without it.
 */
class SpoolFullDiskIT {

    private static final String TOPIC = "spool-full-it.records";

    @TempDir
    Path dir;

    private EmbeddedKafka kafka;
    private Process namespace;

    @AfterEach
    void cleanUp() throws Exception {
        if (namespace != null && namespace.isAlive()) {
            namespace.descendants().forEach(ProcessHandle::destroyForcibly);
            namespace.destroyForcibly().waitFor();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** Writes zeros to {@code file} until the file system is full. */
    private static void fill(Path file) throws Exception {
        byte[] zeros = new byte[4096];
        try (java.io.OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(zeros);
            }
        } catch (java.io.IOException full) {
            // no space left on the device: as meant
        }
    }

    @Test
    void aFullDiskRefusesAndCountsAppendsLeavesNoTornRecordAndLosesNothingItTook() throws Exception {
        SpoolProcesses.requireRoot("SpoolFullDiskIT mounts a tmpfs in a private mount namespace");
        kafka = new EmbeddedKafka().start();
        SpoolProcesses.createTopic(kafka.bootstrapServers(), TOPIC);
        // Given the broker away
        kafka.stop();

        Path mount = Files.createDirectories(dir.resolve("tmpfs"));
        Path acks = dir.resolve("acks");
        Path restart = dir.resolve("restart");
        Path script = dir.resolve("run.sh");
        Files.writeString(script, String.join("\n",
                "set -e",
                "mount -t tmpfs -o size=256k tv-spool-it \"$MNT\"",
                "head -c 98304 /dev/zero > \"$MNT/ballast\"",
                "drive() { exec \"$JAVA\" -Xmx64m -XX:TieredStopAtLevel=1 -cp \"$CP\" " + SpoolDriver.class.getName()
                        + " \"$MNT/spool\" \"$BOOT\" \"$TOPIC\" 524288 interval \"$CTL/acks\" \"$CTL/stats-$1\" \"$2\""
                        + " 200 400; }",
                "drive 1 0 & echo $! > \"$CTL/pid-1\"; wait $! || true",
                "while [ ! -e \"$CTL/restart\" ]; do sleep 0.1; done",
                "drive 2 \"$(cat \"$CTL/first-2\")\" & echo $! > \"$CTL/pid-2\"; wait $! || true",
                ""));
        ProcessBuilder builder = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sh", script.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("driver.log").toFile());
        builder.environment().putAll(Map.of("MNT", mount.toString(), "CTL", dir.toString(),
                "JAVA", SpoolProcesses.java(), "CP", SpoolProcesses.classpath(), "BOOT", kafka.bootstrapServers(),
                "TOPIC", TOPIC));
        namespace = builder.start();

        // When the disk fills up
        long pid1 = SpoolProcesses.awaitPid(dir.resolve("pid-1"), namespace, dir.resolve("driver.log"));
        SpoolProcesses.AckLog log = new SpoolProcesses.AckLog(acks);
        log.awaitRefusedAtLeast(20, namespace, dir);
        int takenWhenFull = log.taken().size();

        // And space returns (the ballast deleted from inside the namespace's view), then fills up again
        Files.delete(Path.of("/proc/" + pid1 + "/root" + mount + "/ballast"));
        int refusedBefore = log.refused().size();
        log.awaitTakenAtLeast(takenWhenFull + 100, namespace, dir);
        log.awaitRefusedAtLeast(refusedBefore + 20, namespace, dir);

        // And the broker comes back: the spool drains and its sent segments leave the disk
        kafka.start();
        int takenBeforeBroker = log.taken().size();
        log.awaitTakenAtLeast(takenBeforeBroker + 600, namespace, dir);

        // And another file fills the disk, and the driver is stopped and started again on the full disk
        fill(Path.of("/proc/" + pid1 + "/root" + mount + "/ballast-2"));
        log.awaitRefusedAtLeast(log.refused().size() + 20, namespace, dir);
        SpoolProcesses.terminate(pid1);
        Map<String, Long> first = SpoolProcesses.stats(dir.resolve("stats-1"));
        Files.writeString(dir.resolve("first-2"), Long.toString(log.lastNumber() + 1));
        Files.createFile(restart);
        long pid2 = SpoolProcesses.awaitPid(dir.resolve("pid-2"), namespace, dir.resolve("driver.log"));
        log.awaitRefusedAtLeast(log.refused().size() + 20, namespace, dir);

        // And that file goes too
        Files.delete(Path.of("/proc/" + pid2 + "/root" + mount + "/ballast-2"));
        log.awaitTakenAtLeast(log.taken().size() + 200, namespace, dir);
        Files.createFile(dir.resolve("stats-2.drain"));
        SpoolProcesses.awaitStat(dir.resolve("stats-2"), "pending", 0, Duration.ofSeconds(60));
        SpoolProcesses.terminate(pid2);
        assertTrue(namespace.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "the namespace's script ends");
        Map<String, Long> second = SpoolProcesses.stats(dir.resolve("stats-2"));

        // Then: refusals counted, no torn record, nothing taken lost or doubled, nothing refused sent
        Set<Long> taken = log.taken();
        Set<Long> refused = log.refused();
        List<Long> onTopic = SpoolProcesses.readNumbers(kafka.bootstrapServers(), TOPIC);
        Map<Long, Integer> copies = new TreeMap<>();
        onTopic.forEach(n -> copies.merge(n, 1, Integer::sum));
        Set<Long> lost = new TreeSet<>(taken);
        lost.removeAll(copies.keySet());
        Set<Long> refusedButSent = new TreeSet<>(refused);
        refusedButSent.retainAll(copies.keySet());
        long duplicated = copies.values().stream().filter(c -> c > 1).count();
        String summary = String.format("full disk: %d taken, %d refused (counted %d + %d), %d on the topic, lost %d,"
                        + " duplicated %d, refused but sent %d, corrupt %d + %d; stats %s / %s", taken.size(),
                refused.size(), first.get("appendFailures"), second.get("appendFailures"), onTopic.size(), lost.size(),
                duplicated, refusedButSent.size(), first.get("corrupt"), second.get("corrupt"), first, second);
        System.out.println(summary);
        assertTrue(refused.size() >= 40, summary);
        assertEquals(refused.size(), first.get("appendFailures") + second.get("appendFailures"),
                "every refusal counted: " + summary);
        assertEquals(0, first.get("corrupt") + second.get("corrupt"), "no torn record: " + summary);
        assertEquals(Set.of(), lost, summary);
        assertEquals(Set.of(), refusedButSent, summary);
        assertEquals(0, duplicated, summary);
        assertEquals(taken, copies.keySet(), summary);
    }

}
