package io.tunnelvision.agent.collect;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** IP address literals, parsed without ever asking a resolver: a collector must not wait on DNS. */
public final class Addresses {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private Addresses() {
    }

    /** The address a literal names ({@code 10.0.0.1}, {@code fd00::1}, {@code [fd00::1]}), or null for anything else. */
    public static InetAddress literal(String text) {
        if (text == null) {
            return null;
        }
        String s = text.strip();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        // a dotted quad or a string with a colon is never looked up by InetAddress; a name would be
        if (!IPV4.matcher(s).matches() && !(s.contains(":") && s.chars().allMatch(c -> c == ':' || c == '.'
                || c == '%' || Character.isLetterOrDigit(c)))) {
            return null;
        }
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The host of {@code host:port} or {@code [v6]:port}, or null unless it is a literal address. */
    static InetAddress ofEndpoint(String endpoint) {
        if (endpoint == null) {
            return null;
        }
        String s = endpoint.strip();
        int colon = s.lastIndexOf(':');
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            return close < 0 ? null : literal(s.substring(1, close));
        }
        return colon < 0 ? null : literal(s.substring(0, colon));
    }
}
