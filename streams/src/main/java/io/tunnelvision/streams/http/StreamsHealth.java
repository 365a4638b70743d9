package io.tunnelvision.streams.http;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;

/**
 * The app's health as a supervisor asks for it.
 * <ul>
 * <li><b>live</b>: the client is created, rebalancing or running, and none of its stream threads is dead or shutting
 * down. A process that is not live will not recover by itself: restart it.</li>
 * <li><b>ready</b>: live and {@code RUNNING}, i.e. every task is assigned and restored and processing. A rebalance
 * or a restore after a restart is not ready but live: wait.</li>
 * </ul>
 */
public record StreamsHealth(KafkaStreams.State state, List<Thread> threads) {

    /** One stream thread as Kafka Streams reports it ({@code RUNNING}, {@code PARTITIONS_ASSIGNED}, {@code DEAD}, ...). */
    public record Thread(String name, String state) {
    }

    private static final Set<String> GONE = Set.of("DEAD", "PENDING_SHUTDOWN");

    public StreamsHealth {
        threads = List.copyOf(threads);
    }

    public static StreamsHealth of(KafkaStreams streams) {
        List<Thread> threads = streams.metadataForLocalThreads().stream()
                .map((ThreadMetadata t) -> new Thread(t.threadName(), t.threadState()))
                .sorted(Comparator.comparing(Thread::name))
                .toList();
        return new StreamsHealth(streams.state(), threads);
    }

    public boolean live() {
        boolean clientAlive = state == KafkaStreams.State.CREATED || state == KafkaStreams.State.REBALANCING
                || state == KafkaStreams.State.RUNNING;
        return clientAlive && threads.stream().noneMatch(t -> GONE.contains(t.state()));
    }

    public boolean ready() {
        return live() && state == KafkaStreams.State.RUNNING;
    }

    /** {@code {"status":"UP","live":true,"ready":true,"state":"RUNNING","threads":[...]}}, status by {@code ready}
     *  or {@code live} as asked. */
    public String json(boolean up) {
        return "{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"live\":" + live() + ",\"ready\":" + ready()
                + ",\"state\":\"" + state + "\",\"threads\":[" + threads.stream()
                .map(t -> "{\"name\":\"" + escape(t.name()) + "\",\"state\":\"" + escape(t.state()) + "\"}")
                .collect(Collectors.joining(",")) + "]}";
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
