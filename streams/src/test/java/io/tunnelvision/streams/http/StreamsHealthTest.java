package io.tunnelvision.streams.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;

class StreamsHealthTest {

    private static final StreamsHealth.Thread RUNNING = new StreamsHealth.Thread("app-StreamThread-1", "RUNNING");

    @Test
    void aStartingOrRebalancingClientIsLiveButNotReady() {
        for (State state : List.of(State.CREATED, State.REBALANCING)) {
            StreamsHealth health = new StreamsHealth(state, List.of(RUNNING));
            assertTrue(health.live(), state.name());
            assertFalse(health.ready(), state.name());
        }
    }

    @Test
    void aRunningClientWithLiveThreadsIsReady() {
        StreamsHealth health = new StreamsHealth(State.RUNNING, List.of(RUNNING,
                new StreamsHealth.Thread("app-StreamThread-2", "PARTITIONS_ASSIGNED")));

        assertTrue(health.live());
        assertTrue(health.ready());
        assertEquals("{\"status\":\"UP\",\"live\":true,\"ready\":true,\"state\":\"RUNNING\",\"threads\":["
                + "{\"name\":\"app-StreamThread-1\",\"state\":\"RUNNING\"},"
                + "{\"name\":\"app-StreamThread-2\",\"state\":\"PARTITIONS_ASSIGNED\"}]}", health.json(true));
    }

    @Test
    void aDeadThreadMakesTheClientNeitherLiveNorReady() {
        StreamsHealth health = new StreamsHealth(State.RUNNING, List.of(RUNNING,
                new StreamsHealth.Thread("app-StreamThread-2", "DEAD")));

        assertFalse(health.live());
        assertFalse(health.ready());
    }

    @Test
    void aClientThatGaveUpOrIsClosingIsNeitherLiveNorReady() {
        for (State state : List.of(State.PENDING_ERROR, State.ERROR, State.PENDING_SHUTDOWN, State.NOT_RUNNING)) {
            StreamsHealth health = new StreamsHealth(state, List.of());
            assertFalse(health.live(), state.name());
            assertFalse(health.ready(), state.name());
        }
    }

    @Test
    void namesAreEscapedInTheJson() {
        StreamsHealth health = new StreamsHealth(State.CREATED, List.of(new StreamsHealth.Thread("a\"b\\c", "X")));

        assertTrue(health.json(true).contains("\"name\":\"a\\\"b\\\\c\""), health.json(true));
    }
}
