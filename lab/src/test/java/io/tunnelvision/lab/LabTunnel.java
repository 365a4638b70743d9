package io.tunnelvision.lab;

import io.tunnelvision.lab.LabNetwork.Gateway;
import java.nio.file.Path;
import java.util.List;

/**
 * What differs between the lab's tunnels (VXLAN, WireGuard, OpenVPN): the tools they need, how one is built over
 * the veth underlay with MTU 1500, its device name and the MTU the detector must recommend. The scenario in
 * {@link MtuLabIT} is the same for all of them.
 */
interface LabTunnel {

    /** How the test output names it. */
    String label();

    /** The tunnel device in {@code g}'s namespace. */
    String device(LabNetwork net, Gateway g);

    /** The MTU the detector recommends over the 1500 IPv4 underlay, and the agent sets. */
    int rightMtu();

    /** Why the recommended MTU is right, for the assertion's message. */
    String overheadReason();

    /** Fails with the reason, never skips, when a tool or kernel feature it needs is missing. */
    void requireTools();

    /**
     * Builds the tunnel between {@code net}'s gateways (underlay up), MTU {@link LabNetwork#BAD_MTU}, addresses
     * {@code overlayIp/24} and up, ready to carry packets when this returns. Processes it starts go to
     * {@code processes}, their logs to {@code runDir}.
     */
    void create(LabNetwork net, LabProcesses processes, Path runDir) throws Exception;

    /** Fails, never skips, if {@code command --version} (or what {@code versionArgs} say) cannot be run. */
    static void requireCommand(String what, List<String> versionArgs, String debianPackage) {
        try {
            Shell.run(versionArgs);
        } catch (RuntimeException e) {
            throw new AssertionError("the " + what + " lab needs " + versionArgs.get(0) + " (Debian: apt-get install "
                    + debianPackage + "): " + e.getMessage(), e);
        }
    }
}
