package io.tunnelvision.local.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streams instances killed with SIGKILL under load. Two instances (three in the long version) of the streams app
 * run as JVMs of their own with one application id and exactly-once v2, as in production, against a broker
 * process, while 50 simulated gateways (100 in the long version) publish samples and six of them (one in eight)
 * get faults that the planner answers with commands. The instance that owns the gate's partition (the fleet
 * stage: planner and command gate, one partition) is killed first, another instance next (in the long version
 * every minute, alternating), each restarted on its state directory 5 s later. After a quiet end the verifier
 * reads everything: 0 samples, rates, rows, hotspots and commands lost or duplicated, and a command for every
 * fault.
 */
class StreamsKillIT {

    private static final int INSTANCES = KillLoad.LONG ? 3 : 2;
    private static final int GATEWAYS = KillLoad.LONG ? 100 : 50;
    private static final Duration LOAD = KillLoad.LONG ? Duration.ofMinutes(10) : Duration.ofSeconds(140);
    private static final Duration FIRST_KILL = Duration.ofSeconds(25);
    private static final Duration KILL_EVERY = KillLoad.LONG ? Duration.ofSeconds(60) : Duration.ofSeconds(65);
    private static final int KILLS = KillLoad.LONG ? 8 : 2;
    private static final Duration DOWN = Duration.ofSeconds(5);
    private static final Duration AFTER = Duration.ofSeconds(30);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps its processes' logs
    Path dir;

    @Test
    void killingStreamsInstancesLosesAndDoublesNothing() throws Exception {
        KillLoad load = KillLoad.of("streams-kill", GATEWAYS, Duration.ofSeconds(10),
                LOAD.minus(Duration.ofSeconds(60)));
        try (KillCluster cluster = new KillCluster(dir)) {
            cluster.startBroker();
            cluster.startApi();
            for (int i = 0; i < INSTANCES; i++) {
                cluster.startStreams(cluster.addStreams());
            }
            long begin = System.nanoTime();
            cluster.startFleet(load.scenario());
            List<String> kills = new ArrayList<>();
            for (int k = 0; k < KILLS; k++) {
                sleepUntil(begin, FIRST_KILL.plus(KILL_EVERY.multipliedBy(k)));
                for (KillCluster.StreamsInstance instance : cluster.streams()) {
                    cluster.awaitRunning(instance);
                }
                KillCluster.StreamsInstance owner = cluster.gateOwner();
                KillCluster.StreamsInstance victim = k % 2 == 0 ? owner
                        : cluster.streams().get((owner.index + 1) % INSTANCES);
                cluster.killStreams(victim);
                kills.add(String.format("%s at %d s%s", victim, secondsSince(begin),
                        victim == owner ? " (gate owner)" : ""));
                System.out.println("killed " + kills.get(kills.size() - 1) + " with SIGKILL");
                Thread.sleep(DOWN.toMillis());
                cluster.restartStreams(victim);
                System.out.println(victim + " started again at " + secondsSince(begin) + " s");
            }
            for (KillCluster.StreamsInstance instance : cluster.streams()) {
                cluster.awaitRunning(instance);
            }
            // load goes on after the last restart, so that the faults get their commands from a full group
            long back = System.nanoTime();
            sleepUntil(begin, LOAD);
            Thread.sleep(Math.max(0, AFTER.toMillis() - (System.nanoTime() - back) / 1_000_000));
            long rounds = cluster.stopFleet();
            Duration quiet = cluster.awaitQuiet(Duration.ofMinutes(4));
            Duration took = Duration.ofNanos(System.nanoTime() - begin);

            KillVerifier.Report report = new KillVerifier(cluster.bootstrap(), cluster.topics(), cluster.database())
                    .verify(cluster.fleet().gateways().keySet(), rounds, load.faulted());
            System.out.printf("streams kills %s; %d rounds of %d gateways, quiet %d s after the load%n%s", kills,
                    rounds, GATEWAYS, quiet.toSeconds(), report);
            boolean passed = report.lost() == 0 && report.duplicated() == 0;
            KillLoad.record("StreamsKillIT" + (KillLoad.LONG ? " (long)" : ""),
                    GATEWAYS + " gateways at 0.5 Hz, " + INSTANCES + " instances, " + LOAD.toSeconds() + " s",
                    KILLS + " × kill -9 of a streams instance (" + kills.stream().filter(s -> s.contains("owner"))
                            .count() + " the gate owner), restarted after " + DOWN.toSeconds() + " s",
                    took, report, passed);
            assertEquals(0, report.lost(), "lost:\n" + report + cluster.logs());
            assertEquals(0, report.duplicated(), "duplicated:\n" + report + cluster.logs());
        }
    }

    static void sleepUntil(long begin, Duration at) throws InterruptedException {
        long left = begin + at.toNanos() - System.nanoTime();
        if (left > 0) {
            Thread.sleep(left / 1_000_000);
        }
    }

    static long secondsSince(long begin) {
        return (System.nanoTime() - begin) / 1_000_000_000;
    }
}
