package io.tunnelvision.agent.collect;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tunnelvision.agent.FuzzSeeds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the underlay finder reads to learn a tunnel's peers: {@code /proc/net/udp} and {@code udp6}, an OpenVPN
 * process's fdinfo, fd links, command line and configuration file, and {@code wg show all endpoints}. None of them
 * declares an exception; an address is taken only as a literal, never looked up by name.
 */
class TunnelPeersFuzzTest {

    private static final List<Path> SEEDS = FuzzSeeds.files("layouts/udp", "layouts/wg");

    @BeforeAll
    static void plantSeeds() {
        FuzzSeeds.plant(TunnelPeersFuzzTest.class, "parsePeers", SEEDS);
    }

    @FuzzTest(maxExecutions = 1_000_000)
    void parsePeers(byte[] file) {
        String text = new String(file, StandardCharsets.UTF_8);
        OpenVpnParse.connectedPeers(text);
        OpenVpnParse.tunInterface(text);
        OpenVpnParse.socketInode(text);
        OpenVpnParse.configRemotes(text);
        List<String> argv = Arrays.asList(text.split("\0", 64));
        OpenVpnParse.commandLineRemotes(argv);
        OpenVpnParse.configFile(argv);
        WgShow.endpoints(text);
        Addresses.literal(text);
    }

    @Test
    void everySeedParses() {
        for (Path seed : SEEDS) {
            parsePeers(FuzzSeeds.bytes(seed));
        }
    }
}
