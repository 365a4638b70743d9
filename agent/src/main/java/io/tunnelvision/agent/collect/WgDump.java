package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.WireguardInterface;
import io.tunnelvision.schemas.avro.WireguardPeer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The output of {@code wg show all dump} (wireguard-tools 1.0.20210914), one tab-separated line each:
 * <ul>
 *   <li>an interface: {@code name private-key public-key listen-port fwmark} (5 fields; listen-port 0 is none,
 *       fwmark {@code off} or {@code 0x<hex>}; both keys {@code (none)} when no private key is set);</li>
 *   <li>a peer, after its interface: {@code name public-key preshared-key endpoint allowed-ips latest-handshake
 *       transfer-rx transfer-tx persistent-keepalive} (9 fields; endpoint {@code (none)}, allowed-ips
 *       comma-separated or {@code (none)}, latest-handshake epoch seconds with 0 for never, keepalive {@code off}
 *       or seconds).</li>
 * </ul>
 *
 * <p>The private and preshared keys are dropped as soon as the line is split: they are never kept in a field,
 * logged, or put into a reason. A malformed line is skipped and counted, with a reason that names its line
 * number and the field that is wrong, never a value of the line (a mangled line may hold a key anywhere). A peer
 * whose interface line was skipped or never came is malformed too. A pure parser.
 */
public final class WgDump {

    /** The 32-byte Curve25519 key as wg prints it: 43 base64 characters and one {@code =}. */
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=");
    private static final String NONE = "(none)";
    private static final int INTERFACE_FIELDS = 5;
    private static final int PEER_FIELDS = 9;
    /** Epoch seconds a wg can print and still be milliseconds in a long. */
    private static final long MAX_EPOCH_SECONDS = Long.MAX_VALUE / 1000;

    private WgDump() {
    }

    /**
     * What one dump held.
     *
     * @param interfaces in the order printed, each with its peers in the order printed
     * @param malformed why each skipped line was skipped ({@code line 3: ...}), without any of its values
     */
    public record Parsed(List<WireguardInterface> interfaces, List<String> malformed) {
    }

    /** Parses a whole dump; null or empty text is no interface. */
    public static Parsed parse(String text) {
        Map<String, WireguardInterface> interfaces = new LinkedHashMap<>();
        List<String> malformed = new ArrayList<>();
        if (text == null) {
            return new Parsed(List.of(), List.of());
        }
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            // from here on only the fields' positions are known: f[1] of an interface and f[2] of a peer are secret
            String why;
            if (f.length == INTERFACE_FIELDS) {
                why = interfaceLine(f, interfaces);
            } else if (f.length == PEER_FIELDS) {
                why = peerLine(f, interfaces);
            } else {
                why = f.length + " tab-separated fields, not 5 (interface) or 9 (peer)";
            }
            if (why != null) {
                malformed.add("line " + (i + 1) + ": " + why);
            }
        }
        return new Parsed(List.copyOf(interfaces.values()), List.copyOf(malformed));
    }

    /** Adds the interface and answers null, or answers why the line is malformed. */
    private static String interfaceLine(String[] f, Map<String, WireguardInterface> interfaces) {
        String name = f[0];
        if (!isInterfaceName(name)) {
            return "interface: the name is not an interface name";
        }
        // f[1], the private key, is not looked at
        String publicKey = f[2];
        if (!publicKey.equals(NONE) && !KEY.matcher(publicKey).matches()) {
            return "interface " + name + ": public-key is not a base64 key";
        }
        long port = decimal(f[3]);
        if (port < 0 || port > 65_535) {
            return "interface " + name + ": listen-port is not a port number";
        }
        if (!f[4].equals("off") && !isFwmark(f[4])) {
            return "interface " + name + ": fwmark is neither off nor a number";
        }
        if (interfaces.containsKey(name)) {
            return "interface " + name + ": listed twice";
        }
        interfaces.put(name, new WireguardInterface(name, publicKey.equals(NONE) ? "" : publicKey,
                port == 0 ? null : (int) port, new ArrayList<>()));
        return null;
    }

    /** Adds the peer to its interface and answers null, or answers why the line is malformed. */
    private static String peerLine(String[] f, Map<String, WireguardInterface> interfaces) {
        String name = f[0];
        WireguardInterface iface = isInterfaceName(name) ? interfaces.get(name) : null;
        if (iface == null) {
            return "peer: no interface line of its interface came before it";
        }
        String publicKey = f[1];
        if (!KEY.matcher(publicKey).matches()) {
            return "peer of " + name + ": public-key is not a base64 key";
        }
        // f[2], the preshared key, is not looked at
        String endpoint = f[3];
        if (!endpoint.equals(NONE) && !isEndpoint(endpoint)) {
            return "peer of " + name + ": endpoint is neither (none) nor host:port";
        }
        int allowedIps = allowedIps(f[4]);
        if (allowedIps < 0) {
            return "peer of " + name + ": allowed-ips is neither (none) nor a list of prefixes";
        }
        long handshake = decimal(f[5]);
        if (handshake < 0 || handshake > MAX_EPOCH_SECONDS) {
            return "peer of " + name + ": latest-handshake is not epoch seconds";
        }
        long rx = decimal(f[6]);
        long tx = decimal(f[7]);
        if (rx < 0 || tx < 0) {
            return "peer of " + name + ": transfer-rx or transfer-tx is not a byte count";
        }
        Integer keepalive = null;
        if (!f[8].equals("off")) {
            long seconds = decimal(f[8]);
            if (seconds < 1 || seconds > 65_535) {
                return "peer of " + name + ": persistent-keepalive is neither off nor seconds";
            }
            keepalive = (int) seconds;
        }
        iface.getPeers().add(new WireguardPeer(publicKey, endpoint.equals(NONE) ? null : endpoint, allowedIps,
                handshake == 0 ? null : handshake * 1000, rx, tx, keepalive));
        return null;
    }

    /** The kernel's rule: 1 to 15 bytes, not {@code .} or {@code ..}, no {@code /}, {@code :}, space or control. */
    static boolean isInterfaceName(String name) {
        if (name.isEmpty() || name.length() > 15 || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '/' || c == ':') {
                return false;
            }
        }
        return true;
    }

    /** {@code 192.0.2.1:51820} or {@code [2001:db8::1]:51820} (wg prints addresses, never names). */
    private static boolean isEndpoint(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || decimal(s.substring(colon + 1)) < 0 || decimal(s.substring(colon + 1)) > 65_535) {
            return false;
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[")) {
            return host.length() > 2 && host.endsWith("]") && host.indexOf(']') == host.length() - 1
                    && host.substring(1, host.length() - 1).chars().allMatch(c -> c == ':' || c == '.' || c == '%'
                    || Character.isLetterOrDigit(c));
        }
        return !host.contains(":") && host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    /** How many prefixes a peer has, or -1 when the field is not a list of {@code address/length}. */
    private static int allowedIps(String s) {
        if (s.equals(NONE)) {
            return 0;
        }
        String[] prefixes = s.split(",", -1);
        for (String p : prefixes) {
            int slash = p.indexOf('/');
            if (slash <= 0 || decimal(p.substring(slash + 1)) < 0 || decimal(p.substring(slash + 1)) > 128) {
                return -1;
            }
        }
        return prefixes.length;
    }

    private static boolean isFwmark(String s) {
        if (s.startsWith("0x") && s.length() > 2 && s.length() <= 10) {
            return s.substring(2).chars().allMatch(c -> Character.digit(c, 16) >= 0);
        }
        return decimal(s) >= 0;
    }

    /**
     * A non-negative decimal of at most 18 digits, or -1. Not {@link Long#parseLong}: its exception would carry the
     * text, and a mangled line may have a key where a number should be.
     */
    static long decimal(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
