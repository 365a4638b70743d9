package io.tunnelvision.rules.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.rules.detect.Encapsulation.Family;
import org.junit.jupiter.api.Test;

class EncapsulationTest {

    @Test
    void overheadDependsOnTheKindAndTheUnderlaysFamily() {
        assertEquals(50, Encapsulation.overhead(InterfaceKind.VXLAN, Family.IPV4).getAsInt());
        // WireGuard's endpoint roams between families: the IPv6 figure always, 1420 over 1500
        assertEquals(80, Encapsulation.overhead(InterfaceKind.WIREGUARD, Family.IPV4).getAsInt());
        assertEquals(80, Encapsulation.overhead(InterfaceKind.WIREGUARD, Family.IPV6).getAsInt());
        assertEquals(80, Encapsulation.overhead(InterfaceKind.WIREGUARD, Family.UNKNOWN).getAsInt());
        assertEquals(24, Encapsulation.overhead(InterfaceKind.GRE, Family.IPV4).getAsInt());
        // OpenVPN 2.6 with AES-256-GCM, as measured in the lab: 1448 over a 1500 IPv4 underlay
        assertEquals(52, Encapsulation.overhead(InterfaceKind.TUN, Family.IPV4).getAsInt());
        assertEquals(72, Encapsulation.overhead(InterfaceKind.TUN, Family.UNKNOWN).getAsInt());
        assertEquals(66, Encapsulation.overhead(InterfaceKind.TAP, Family.IPV4).getAsInt());
        assertEquals(true, Encapsulation.overhead(InterfaceKind.PHYSICAL, Family.IPV4).isEmpty());
    }

    @Test
    void theFamilyComesFromTheProbeAddress() {
        assertEquals(Family.IPV4, Encapsulation.familyOf("192.0.2.1:51820"));
        assertEquals(Family.IPV6, Encapsulation.familyOf("[2001:db8::1]:51820"));
        assertEquals(Family.UNKNOWN, Encapsulation.familyOf("peer.example:51820"));
    }

    @Test
    void thresholdsCanBeOverriddenByNameAndUnknownNamesAreRejected() {
        DetectionThresholds t = DetectionThresholds.defaults().withOverrides("squeezePerSec=20, openAfter=2,fleetWindow=5m");

        assertEquals(20.0, t.squeezePerSec());
        assertEquals(2, t.openAfter());
        assertEquals(java.time.Duration.ofMinutes(5), t.fleetWindow());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> DetectionThresholds.defaults().withOverrides("squeeze=20"));
    }
}
