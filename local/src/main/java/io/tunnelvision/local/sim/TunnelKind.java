package io.tunnelvision.local.sim;

/**
 * The tunnel a simulated gateway carries, with what sysfs shows of it and the bytes its encapsulation adds to
 * each packet on the underlay (outer IPv4 + UDP + the tunnel's own header).
 */
public enum TunnelKind {
    /**
     * OpenVPN-style tun over UDP: IFF_TUN in {@code tun_flags}, no DEVTYPE on 6.x kernels. Overhead over IPv4 with
     * an AEAD cipher: IP 20 + UDP 8 + DATA_V2 opcode and peer id 4 + packet id 4 + tag 16 = 52, so the largest
     * tun MTU that does not fragment over 1500 is 1448 (the manual's 1450 is two bytes too many).
     */
    TUN("tun0", 52, 65534, 0x1001, null),
    /**
     * Kernel WireGuard: DEVTYPE=wireguard, no ARP hardware, no {@code lower_*} link and {@code iflink} its own
     * ifindex, so only the routes tell its underlay. Overhead over IPv4: IP 20 + UDP 8 + header 16 + tag 16 = 60
     * (wg-quick's 1420 leaves room for an IPv6 underlay's 80).
     */
    WIREGUARD("wg0", 60, 65534, null, "wireguard"),
    /** VXLAN over {@code eth0}: Ethernet, DEVTYPE=vxlan and a {@code lower_eth0} link; IP 20 + UDP 8 + 8 + 14. */
    VXLAN("vxlan0", 50, 1, null, "vxlan");

    private final String interfaceName;
    private final int overhead;
    private final int arphrdType;
    private final Integer tunFlags;
    private final String devType;

    TunnelKind(String interfaceName, int overhead, int arphrdType, Integer tunFlags, String devType) {
        this.interfaceName = interfaceName;
        this.overhead = overhead;
        this.arphrdType = arphrdType;
        this.tunFlags = tunFlags;
        this.devType = devType;
    }

    public String interfaceName() {
        return interfaceName;
    }

    /** Bytes added per packet: a tunnel MTU fits when {@code tunnelMtu + overhead <= underlayMtu}. */
    public int overhead() {
        return overhead;
    }

    int arphrdType() {
        return arphrdType;
    }

    /** Content of {@code tun_flags}, or null for kinds that have no such file. */
    Integer tunFlags() {
        return tunFlags;
    }

    /** DEVTYPE of {@code uevent}, or null. */
    String devType() {
        return devType;
    }

    /** Whether sysfs links the tunnel to its underlay by a {@code lower_eth0} entry. */
    boolean hasLowerLink() {
        return this == VXLAN;
    }

    /**
     * The MTU a freshly set up tunnel of this kind has over a 1500-byte underlay: wg-quick's 1420 (room for an
     * IPv6 underlay), the kernel's 1450 for a vxlan with a {@code dev}, and for OpenVPN a tuned {@code tun-mtu}
     * that fits its AEAD overhead (its own default, 1500, fragments).
     */
    int defaultMtu() {
        return switch (this) {
            case WIREGUARD -> 1420;
            case TUN, VXLAN -> 1500 - overhead;
        };
    }

    /** The tunnel's default txqueuelen: tun devices get 500, the others the Ethernet default. */
    int defaultTxQueueLen() {
        return this == TUN ? 500 : 1000;
    }
}
