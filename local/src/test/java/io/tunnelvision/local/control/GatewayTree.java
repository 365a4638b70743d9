package io.tunnelvision.local.control;

import io.tunnelvision.agent.apply.ApplyBounds;
import io.tunnelvision.agent.apply.CommandExecutor;
import io.tunnelvision.agent.apply.ExecutorSettings;
import io.tunnelvision.schemas.sign.CommandSignatureVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/**
 * One gateway's /sys and /proc as a directory tree (a 4-CPU host with tun0), and the agent's real executor on it,
 * its replay state kept in the tree so that a second executor is the same agent restarted.
 */
final class GatewayTree {

    private final Path root;
    private final String host;

    GatewayTree(Path root, String host, int txQueueLen) {
        this.root = root;
        this.host = host;
        write("sys/devices/system/cpu/online", "0-3");
        write("sys/devices/system/cpu/possible", "0-3");
        write("sys/class/net/tun0/mtu", "1400");
        write("sys/class/net/tun0/tx_queue_len", Integer.toString(txQueueLen));
    }

    String txQueueLen() {
        try {
            return Files.readString(root.resolve("sys/class/net/tun0/tx_queue_len"), StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The agent, applying for real (not dry run), its clock at {@code nowMs}, trusting {@code keys}. */
    CommandExecutor agent(CommandSignatureVerifier keys, long nowMs) {
        ExecutorSettings settings = ExecutorSettings.of(host, root.resolve("sys"), root.resolve("proc"),
                root.resolve("state"), ExecutorSettings.allActions(), ApplyBounds.standard(), false)
                .withEthtoolLocations(List.of(root.resolve("no/ethtool")));
        return new CommandExecutor(settings, keys, Clock.fixed(Instant.ofEpochMilli(nowMs), ZoneId.of("UTC")));
    }

    private void write(String relative, String content) {
        try {
            Path file = root.resolve(relative);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
