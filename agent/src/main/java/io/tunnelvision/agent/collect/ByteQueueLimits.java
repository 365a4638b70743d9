package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.TxQueue;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The byte queue limits of each transmit queue, {@code <sys>/class/net/<if>/queues/tx-<n>/byte_queue_limits/}
 * {@code limit}, {@code inflight} and {@code limit_max}: the bytes the driver may hold in its ring, which BQL keeps
 * small so that the queue stands in the qdisc, where it can be managed. The kernel (6.x) makes the directory only
 * for devices that may use BQL (physical NICs, ifb; not veth, tun or vxlan, which have none), and only drivers that
 * report completed bytes move the values.
 */
final class ByteQueueLimits {

    private final SmallFiles files = new SmallFiles();

    /** Every tx queue of {@code iface} that has the directory; none when the interface went away. */
    List<TxQueue> read(Path classNet, String iface) {
        List<TxQueue> queues = new ArrayList<>();
        Path dir = classNet.resolve(iface).resolve("queues");
        try (DirectoryStream<Path> txs = Files.newDirectoryStream(dir, "tx-*")) {
            for (Path tx : txs) {
                Integer n = queueNumber(tx.getFileName().toString());
                Path bql = tx.resolve("byte_queue_limits");
                if (n == null || !Files.isDirectory(bql)) {
                    continue;
                }
                queues.add(new TxQueue(iface, n, value(bql.resolve("limit")), value(bql.resolve("inflight")),
                        value(bql.resolve("limit_max"))));
            }
        } catch (IOException e) {
            return queues; // no queues directory, or the interface is gone
        }
        queues.sort((x, y) -> Integer.compare(x.getQueue(), y.getQueue()));
        return queues;
    }

    /** The N of {@code tx-N}, or null. */
    static Integer queueNumber(String name) {
        try {
            int n = Integer.parseInt(name.substring("tx-".length()));
            return n >= 0 ? n : null;
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return null;
        }
    }

    /** A non-negative number in a sysfs file, or null when unreadable or not one. */
    private Long value(Path file) {
        try {
            long v = Long.parseLong(files.read(file).strip());
            return v >= 0 ? v : null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }
}
