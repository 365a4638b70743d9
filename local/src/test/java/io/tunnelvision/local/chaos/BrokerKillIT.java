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
 * The broker killed with SIGKILL under load and restarted on its log. The KRaft broker and a streams instance run
 * as JVMs of their own; 50 simulated gateways (100 in the long version) keep sampling through the outage into the
 * agent's disk spool, the api keeps its consumer. The broker is down 10 s (in the long version it is killed every
 * 90 s, down 10 to 30 s). After a quiet end every sample of every host is in PostgreSQL: each host's sequences
 * contiguous from the first round to the last, nothing lost and no row twice, and the commands and hotspots are
 * neither lost nor doubled.
 */
class BrokerKillIT {

    private static final int GATEWAYS = KillLoad.LONG ? 100 : 50;
    private static final Duration LOAD = KillLoad.LONG ? Duration.ofMinutes(10) : Duration.ofSeconds(100);
    private static final Duration FIRST_KILL = Duration.ofSeconds(40);
    private static final Duration KILL_EVERY = Duration.ofSeconds(90);
    private static final int KILLS = KillLoad.LONG ? 6 : 1;
    /** Load after the last restart, so that the faults get their commands with the broker back. */
    private static final Duration AFTER = Duration.ofSeconds(60);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps its processes' logs
    Path dir;

    @Test
    void killingTheBrokerLosesAndDoublesNothing() throws Exception {
        KillLoad load = KillLoad.of("broker-kill", GATEWAYS, Duration.ofSeconds(10),
                LOAD.minus(Duration.ofSeconds(50)));
        try (KillCluster cluster = new KillCluster(dir)) {
            cluster.startBroker();
            cluster.startApi();
            cluster.startStreams(cluster.addStreams());
            long begin = System.nanoTime();
            cluster.startFleet(load.scenario());
            List<String> kills = new ArrayList<>();
            long lastBack = begin;
            for (int k = 0; k < KILLS; k++) {
                StreamsKillIT.sleepUntil(begin, FIRST_KILL.plus(KILL_EVERY.multipliedBy(k)));
                Duration down = Duration.ofSeconds(10 + 10L * (k % 3));
                cluster.killBroker();
                long killedAt = StreamsKillIT.secondsSince(begin);
                Thread.sleep(down.toMillis());
                cluster.startBroker();
                lastBack = System.nanoTime();
                kills.add(String.format("at %d s, down %d s, back at %d s", killedAt, down.toSeconds(),
                        StreamsKillIT.secondsSince(begin)));
                System.out.println("broker killed " + kills.get(kills.size() - 1));
            }
            StreamsKillIT.sleepUntil(begin, LOAD);
            Thread.sleep(Math.max(0, AFTER.toMillis() - (System.nanoTime() - lastBack) / 1_000_000));
            long rounds = cluster.stopFleet();
            Duration quiet = cluster.awaitQuiet(Duration.ofMinutes(4));
            Duration took = Duration.ofNanos(System.nanoTime() - begin);

            KillVerifier.Report report = new KillVerifier(cluster.bootstrap(), cluster.topics(), cluster.database())
                    .verify(cluster.fleet().gateways().keySet(), rounds, load.faulted());
            System.out.printf("broker kills %s; %d rounds of %d gateways, quiet %d s after the load%n%s", kills,
                    rounds, GATEWAYS, quiet.toSeconds(), report);
            boolean passed = report.lost() == 0 && report.duplicated() == 0;
            KillLoad.record("BrokerKillIT" + (KillLoad.LONG ? " (long)" : ""),
                    GATEWAYS + " gateways at 0.5 Hz, 1 streams instance, " + LOAD.toSeconds() + " s",
                    KILLS + " × kill -9 of the broker, restarted after 10" + (KILLS > 1 ? "-30" : "") + " s",
                    took, report, passed);
            assertEquals(0, report.lost(), "lost:\n" + report + cluster.logs());
            assertEquals(0, report.duplicated(), "duplicated:\n" + report + cluster.logs());
        }
    }
}
