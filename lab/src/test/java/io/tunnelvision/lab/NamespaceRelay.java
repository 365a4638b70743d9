package io.tunnelvision.lab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * Runs inside a gateway's namespace: listens on the namespace's own 127.0.0.1 at the broker's port and carries
 * each connection over a Unix socket file to the {@link BrokerRelay} in the test JVM. The filesystem is shared
 * across network namespaces, so no interface of the host is needed to reach the broker.
 *
 * <p>{@code java io.tunnelvision.lab.NamespaceRelay <port> <socket file>}; it prints {@code ready} once
 * listening and runs until killed.
 */
public final class NamespaceRelay {

    private NamespaceRelay() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        Path socket = Path.of(args[1]);
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        System.out.println("ready");
        System.out.flush();
        while (true) {
            SocketChannel client = server.accept();
            try {
                SocketChannel upstream = SocketChannel.open(StandardProtocolFamily.UNIX);
                upstream.connect(UnixDomainSocketAddress.of(socket));
                Splice.start(client, upstream, "relay-" + port);
            } catch (IOException e) {
                System.err.println("cannot reach " + socket + ": " + e);
                Splice.closeQuietly(client);
            }
        }
    }
}
