package io.tunnelvision.streams.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tunnelvision.schemas.avro.SoftnetSample;
import io.tunnelvision.schemas.codec.AvroSerde;
import io.tunnelvision.rules.avro.HostState;
import io.tunnelvision.rules.avro.PendingCommand;
import io.tunnelvision.rules.avro.Track;
import io.tunnelvision.streams.topology.GatewaySim;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GeneratedCodeSerdeTest {

    @Test
    void writesTheSameBytesAsTheContractSerdeAndReadsThemBack() {
        GatewaySim sim = new GatewaySim("gw-1", 4);
        SoftnetSample sample = sim.softnet(3, 1);
        AvroSerde<SoftnetSample> contract = AvroSerde.of(SoftnetSample.class);
        GeneratedCodeSerde<SoftnetSample> serde = GeneratedCodeSerde.of(contract);

        byte[] bytes = serde.serializer().serialize("t", sample);

        assertArrayEquals(contract.serialize("t", sample), bytes);
        assertEquals(sample, serde.deserializer().deserialize("t", bytes));
    }

    @Test
    void internalStateWithMapsUnionsAndArraysToo() {
        Track track = Track.newBuilder().setType("TX_DROPS").setTarget("tun0").setHotspotId("h-1").setBadStreak(3)
                .setRecent(List.of(1.5, 40.0, 41.0)).build();
        PendingCommand pending = PendingCommand.newBuilder().setCommandId("c-1").setTrackKey("TX_DROPS|tun0")
                .setAction("TXQUEUELEN").setTarget("tun0").setNewValue("2000").setExpectedValue("1000").setBefore(40)
                .setCreatedAtMs(5).setAppliedAtMs(7L).setAfter(List.of(2.0)).build();
        HostState state = HostState.newBuilder().setTracks(Map.of("TX_DROPS|tun0", track))
                .setCooldownUntilMs(Map.of("TXQUEUELEN|tun0", 99L)).setPending(Map.of("c-1", pending)).build();
        AvroSerde<HostState> internal = InternalSerdes.of(HostState.class);

        byte[] bytes = GeneratedCodeSerde.of(internal).serialize("t", state);

        assertArrayEquals(internal.serialize("t", state), bytes);
        assertEquals(state, internal.deserialize("t", bytes));
    }

    @Test
    void aRecordMissingARequiredFieldIsAClearError() {
        Track broken = new Track();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GeneratedCodeSerde.of(InternalSerdes.of(Track.class)).serialize("t", broken));
        assertEquals(true, e.getMessage().startsWith("cannot encode Track"), e.getMessage());
    }
}
