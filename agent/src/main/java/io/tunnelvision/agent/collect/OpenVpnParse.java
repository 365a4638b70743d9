package io.tunnelvision.agent.collect;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure parsers of what tells where a tun's outer packets go when the kernel has no link for it: which process
 * holds the tun ({@code fdinfo}), where its UDP socket is connected ({@code /proc/net/udp}), and OpenVPN's
 * {@code remote} (its command line or its configuration file).
 */
public final class OpenVpnParse {

    private OpenVpnParse() {
    }

    /**
     * The interface of a {@code /proc/<pid>/fdinfo/<fd>} of {@code /dev/net/tun}: the tun driver prints
     * {@code iff:\t<name>} once the descriptor is attached; null otherwise.
     */
    public static String tunInterface(String fdinfo) {
        if (fdinfo == null) {
            return null;
        }
        for (String line : fdinfo.split("\n")) {
            if (line.startsWith("iff:")) {
                String name = line.substring("iff:".length()).strip();
                return name.isEmpty() ? null : name;
            }
        }
        return null;
    }

    /** The inode of a {@code socket:[12345]} fd link, or -1. */
    public static long socketInode(String link) {
        if (link == null || !link.startsWith("socket:[") || !link.endsWith("]")) {
            return -1;
        }
        return Scan.decimal(link, "socket:[".length(), link.length() - 1);
    }

    /**
     * The remote address of every connected socket of {@code /proc/net/udp} or {@code udp6}, by inode:
     * {@code sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …}, the
     * addresses hex as 32-bit words in host order, then {@code :port}. Unconnected sockets (remote all zero, as
     * OpenVPN's own is) are left out.
     */
    public static Map<Long, InetAddress> connectedPeers(String text) {
        Map<Long, InetAddress> peers = new HashMap<>();
        if (text == null) {
            return peers;
        }
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 10 || !f[0].endsWith(":") || f[2].indexOf(':') < 0) {
                continue;
            }
            String hex = f[2].substring(0, f[2].indexOf(':'));
            byte[] address = words(hex);
            long inode = Scan.decimal(f[9], 0, f[9].length());
            if (address == null || inode <= 0 || allZero(address)) {
                continue;
            }
            try {
                peers.put(inode, InetAddress.getByAddress(address));
            } catch (UnknownHostException e) {
                // words() gives 4 or 16 bytes
            }
        }
        return peers;
    }

    /**
     * OpenVPN's remotes on its command line: each {@code --remote host [port [proto]]}, literal addresses only
     * (a name would need a resolver; the caller then falls back to the default route).
     */
    public static List<InetAddress> commandLineRemotes(List<String> argv) {
        List<InetAddress> remotes = new ArrayList<>();
        for (int i = 0; i + 1 < argv.size(); i++) {
            if (argv.get(i).equals("--remote")) {
                add(remotes, argv.get(i + 1));
            }
        }
        return remotes;
    }

    /**
     * The configuration file an OpenVPN command line names: {@code --config <file>}, or a single argument that is
     * not an option ({@code openvpn client.conf}), as the openvpn@ and openvpn-client@ systemd units start it.
     */
    public static String configFile(List<String> argv) {
        for (int i = 1; i + 1 < argv.size(); i++) {
            if (argv.get(i).equals("--config")) {
                return argv.get(i + 1);
            }
        }
        return argv.size() == 2 && !argv.get(1).startsWith("--") ? argv.get(1) : null;
    }

    /** The {@code remote host [port [proto]]} lines of an OpenVPN configuration file, literal addresses only. */
    public static List<InetAddress> configRemotes(String config) {
        List<InetAddress> remotes = new ArrayList<>();
        if (config == null) {
            return remotes;
        }
        for (String line : config.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 2 && f[0].equals("remote")) {
                add(remotes, f[1]);
            }
        }
        return remotes;
    }

    private static void add(List<InetAddress> remotes, String host) {
        InetAddress address = Addresses.literal(host);
        if (address != null) {
            remotes.add(address);
        }
    }

    /** 8 or 32 hex digits, each group of 8 a host-order word of network-order bytes. */
    private static byte[] words(String hex) {
        if (hex.length() != 8 && hex.length() != 32) {
            return null;
        }
        ByteBuffer bytes = ByteBuffer.allocate(hex.length() / 2).order(ByteOrder.nativeOrder());
        for (int i = 0; i < hex.length(); i += 8) {
            Integer word = RouteTable.hex(hex.substring(i, i + 8));
            if (word == null) {
                return null;
            }
            bytes.putInt(word);
        }
        return bytes.array();
    }

    private static boolean allZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
