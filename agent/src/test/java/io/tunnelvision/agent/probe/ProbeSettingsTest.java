package io.tunnelvision.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.config.ConfigException;
import io.tunnelvision.config.Env;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ProbeSettingsTest {

    @Test
    void defaultsProbeNothing() {
        ProbeSettings settings = ProbeSettings.from(new Env(Map.of()));

        assertFalse(settings.enabled());
        assertEquals(List.of(new ProbeSize(64), ProbeSize.TUNNEL_MTU), settings.sizes());
        assertEquals(2, settings.ratePerSecond());
        assertEquals(Duration.ofSeconds(10), settings.interval());
        assertEquals(7784, settings.port());
        assertEquals(200, settings.reflectLimit());
    }

    @Test
    void peersWithTheirTunnelAndBothAddresses() throws Exception {
        ProbeSettings settings = ProbeSettings.from(new Env(Map.of(
                "TUNNELVISION_AGENT_PROBE_PEERS", " gw-b@vx0=10.98.0.2,192.0.2.2 ; gw-c@wg0=[fd00::3],2001:db8::3",
                "TUNNELVISION_AGENT_PROBE_SIZES", "64, 1200 ,mtu",
                "TUNNELVISION_AGENT_PROBE_RATE", "5")));

        assertEquals(List.of(
                new ProbePeer("gw-b", "vx0", InetAddress.getByName("10.98.0.2"), InetAddress.getByName("192.0.2.2")),
                new ProbePeer("gw-c", "wg0", InetAddress.getByName("fd00::3"), InetAddress.getByName("2001:db8::3"))),
                settings.peers());
        assertTrue(settings.enabled());
        assertEquals(2 * 2 * 3 * 5, settings.probesPerSecond());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "TUNNELVISION_AGENT_PROBE_PEERS|gw-b=10.0.0.1,10.0.0.2",
            "TUNNELVISION_AGENT_PROBE_PEERS|gw-b@vx0=10.0.0.1",
            "TUNNELVISION_AGENT_PROBE_PEERS|gw-b@vx0=peer.example,10.0.0.2",
            "TUNNELVISION_AGENT_PROBE_PEERS|gw-b@../x=10.0.0.1,10.0.0.2",
            "TUNNELVISION_AGENT_PROBE_PEERS|gw-b@vx0=10.0.0.1,10.0.0.2;gw-b@vx1=10.0.1.1,10.0.1.2",
            "TUNNELVISION_AGENT_PROBE_SIZES|64,tiny",
            "TUNNELVISION_AGENT_PROBE_SIZES|10",
            "TUNNELVISION_AGENT_PROBE_SIZES|64,64",
            "TUNNELVISION_AGENT_PROBE_SIZES|' , '",
            "TUNNELVISION_AGENT_PROBE_RATE|0",
            "TUNNELVISION_AGENT_PROBE_INTERVAL|500ms",
            "TUNNELVISION_AGENT_PROBE_PORT|70000",
            "TUNNELVISION_AGENT_PROBE_REFLECT_LIMIT|0",
    })
    void badValuesNameTheVariable(String variable, String value) {
        ConfigException error = assertThrows(ConfigException.class,
                () -> ProbeSettings.from(new Env(Map.of(variable, value))));

        assertTrue(error.getMessage().contains(variable + "="), error.getMessage());
    }

    @Test
    void theMtuSizeIsTheLargestUnfragmentedPayloadOfTheTunnel() throws Exception {
        assertEquals(1472, ProbeSize.TUNNEL_MTU.bytes(1500, InetAddress.getByName("10.0.0.1")));
        assertEquals(1422, ProbeSize.TUNNEL_MTU.bytes(1450, InetAddress.getByName("10.0.0.1")));
        assertEquals(1372, ProbeSize.TUNNEL_MTU.bytes(1420, InetAddress.getByName("fd00::1")));
        assertEquals(64, new ProbeSize(64).bytes(1500, InetAddress.getByName("10.0.0.1")));
    }
}
