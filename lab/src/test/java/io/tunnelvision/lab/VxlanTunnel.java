package io.tunnelvision.lab;

import io.tunnelvision.lab.LabNetwork.Gateway;
import java.nio.file.Path;

/** VXLAN id 42 over {@code u0} ({@code dev u0}, so the agent sees its underlay in sysfs): 50 bytes, 1450. */
final class VxlanTunnel implements LabTunnel {

    @Override
    public String label() {
        return "VXLAN";
    }

    @Override
    public String device(LabNetwork net, Gateway g) {
        return "vx0";
    }

    @Override
    public int rightMtu() {
        return 1450;
    }

    @Override
    public String overheadReason() {
        return "VXLAN over IPv4 takes 50 bytes";
    }

    @Override
    public void requireTools() {
        // iproute2 is checked by LabNetwork; the kernel's vxlan support when the device is created
    }

    @Override
    public void create(LabNetwork net, LabProcesses processes, Path runDir) {
        for (Gateway g : new Gateway[] {net.a, net.b}) {
            // The kernel refuses a vxlan MTU above its link's less the overhead; to build the broken tunnel the
            // link is made bigger for a moment, the tunnel set to 1500, and the link put back to 1500.
            LabNetwork.ip(g, "link", "set", "u0", "mtu", "1550");
            try {
                LabNetwork.ip(g, "link", "add", "vx0", "type", "vxlan", "id", "42", "local", g.underlayIp(),
                        "remote", net.peer(g).underlayIp(), "dstport", "4789", "dev", "u0");
            } catch (IllegalStateException e) {
                throw new AssertionError("this kernel cannot create a vxlan interface, which the lab needs: "
                        + e.getMessage(), e);
            }
            LabNetwork.ip(g, "link", "set", "vx0", "mtu", Integer.toString(LabNetwork.BAD_MTU));
            LabNetwork.ip(g, "link", "set", "u0", "mtu", "1500");
            LabNetwork.ip(g, "addr", "add", g.overlayIp() + "/24", "dev", "vx0");
            LabNetwork.ip(g, "link", "set", "vx0", "up");
        }
    }
}
