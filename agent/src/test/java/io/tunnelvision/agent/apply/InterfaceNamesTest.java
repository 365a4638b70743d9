package io.tunnelvision.agent.apply;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InterfaceNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"tun0", "wg0", "eth0.100", "vxlan100", "veth-a", "enp0s31f6", "a", "br_lan",
            "123456789012345"})
    void namesTheKernelAcceptsPass(String name) {
        assertNull(InterfaceNames.problem(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "tun0/../../", "../etc", "tun0/", "eth0:1", "tun 0", "tun0\t",
            "tun0\n", "tun\u00000", "1234567890123456", "\u007f"})
    void namesTheKernelRefusesOrThatCouldLeaveTheDirectoryAreRefused(String name) {
        assertNotNull(InterfaceNames.problem(name));
    }
}
