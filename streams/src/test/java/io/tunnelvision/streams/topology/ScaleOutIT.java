package io.tunnelvision.streams.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.streams.StreamsAppConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two instances with one application id share the hosts; each host's hotspot and command exist once. */
class ScaleOutIT {

    private static final int HOSTS = 6;
    private final KafkaFixture kafka = new KafkaFixture();

    @AfterEach
    void stop() {
        kafka.close();
    }

    private void intervals(List<GatewaySim> sims, int count) {
        for (int i = 0; i < count; i++) {
            for (GatewaySim sim : sims) {
                kafka.send(kafka.topics.interruptSamples, sim.host(), sim.interrupts(2000, 0, 0.5, 0.1), sim.timeMs());
                kafka.send(kafka.topics.linkSamples, sim.host(), sim.link("tun0", 40, 0), sim.timeMs());
                sim.step();
            }
        }
        kafka.flush();
    }

    @Test
    void eachHostsHotspotAndCommandAreProducedOnceAlsoWhenOneInstanceStopsMidRun() throws InterruptedException {
        // six hosts with the same hotspot would be a fleet hotspot, whose canary stage holds all but two
        // commands until those verify: that is covered elsewhere, here every host should get its command
        StreamsAppConfig config = kafka.config(Map.of("TUNNELVISION_STREAMS_THRESHOLDS", "fleetMinHosts=100"));
        CommandSigner signer = CommandSigner.of(Ed25519Keys.generate());
        KafkaStreams first = kafka.start(config, signer);
        KafkaStreams second = kafka.start(config, signer);
        KafkaFixture.awaitRunning(first, second);
        List<GatewaySim> sims = new ArrayList<>();
        for (int i = 0; i < HOSTS; i++) {
            GatewaySim sim = new GatewaySim("gw-scale-" + i, 4);
            kafka.send(kafka.topics.interfaceConfigSamples, sim.host(), sim.interfaces(
                    GatewaySim.tunnel("tun0", InterfaceKind.TUN, 1400, 1000, "0", "eth0"),
                    GatewaySim.physical("eth0", 1500)), sim.timeMs());
            sims.add(sim);
        }

        intervals(sims, 5);
        kafka.readUntil(kafka.topics.commands, records -> records.size() >= HOSTS / 2, Duration.ofSeconds(60));
        first.close(Duration.ofSeconds(30));
        intervals(sims, 8);

        List<ConsumerRecord<String, TuningCommand>> commands = kafka.readUntil(kafka.topics.commands,
                records -> records.size() >= HOSTS, Duration.ofSeconds(90));
        Thread.sleep(3000); // anything produced twice would arrive by now
        commands = kafka.readUntil(kafka.topics.commands, records -> false, Duration.ofSeconds(3));
        List<ConsumerRecord<String, Hotspot>> hotspots = kafka.readUntil(kafka.topics.hotspots,
                records -> false, Duration.ofSeconds(3));

        Map<String, Long> commandsPerHost = commands.stream()
                .collect(Collectors.groupingBy(ConsumerRecord::key, TreeMap::new, Collectors.counting()));
        Map<String, Long> openedPerHost = hotspots.stream()
                .filter(r -> r.value().getType() == HotspotType.TX_DROPS && r.value().getState() == HotspotState.OPEN)
                .collect(Collectors.groupingBy(ConsumerRecord::key, TreeMap::new, Collectors.counting()));
        Map<String, Long> once = new TreeMap<>();
        sims.forEach(sim -> once.put(sim.host(), 1L));
        assertEquals(once, commandsPerHost);
        assertEquals(once, openedPerHost);
    }
}
