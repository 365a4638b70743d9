package io.tunnelvision.local.sim;

/**
 * The tunnel a simulated gateway carries, with what sysfs shows of it and the bytes its encapsulation adds to
 * each packet on the underlay (outer IPv4 + UDP + the tunnel's own header).
 */
public enum TunnelKind {
    /** OpenVPN-style tun over UDP: IFF_TUN in {@code tun_flags}, no DEVTYPE on 6.x kernels. */
    TUN("tun0", 52, 65534, 0x1001, null),
    /** WireGuard: DEVTYPE=wireguard, no ARP hardware. */
    WIREGUARD("wg0", 60, 65534, null, "wireguard"),
    /** VXLAN over {@code eth0}: Ethernet, DEVTYPE=vxlan and a {@code lower_eth0} link. */
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

    /** The tunnel's default txqueuelen: tun devices get 500, the others the Ethernet default. */
    int defaultTxQueueLen() {
        return this == TUN ? 500 : 1000;
    }
}
