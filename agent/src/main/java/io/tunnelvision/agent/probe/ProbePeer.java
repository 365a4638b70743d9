package io.tunnelvision.agent.probe;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A tunnel peer to probe: its gateway name, the local tunnel interface leading to it, its address inside the
 * tunnel (overlay) and its address outside (underlay); both are probed on the same port.
 */
public record ProbePeer(String name, String tunnel, InetAddress overlay, InetAddress underlay) {

    public InetSocketAddress overlayAt(int port) {
        return new InetSocketAddress(overlay, port);
    }

    public InetSocketAddress underlayAt(int port) {
        return new InetSocketAddress(underlay, port);
    }

    /** {@code host:port}, with an IPv6 host in brackets, as the latency samples carry it. */
    public static String format(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
