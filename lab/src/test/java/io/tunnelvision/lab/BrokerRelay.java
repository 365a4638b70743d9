package io.tunnelvision.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/** The test JVM's end of the namespace relays: a Unix socket file whose connections go on to the broker. */
final class BrokerRelay implements AutoCloseable {

    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;

    BrokerRelay(Path socket, InetSocketAddress broker) {
        this.socket = socket;
        try {
            Files.deleteIfExists(socket);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + socket, e);
        }
        acceptor = new Thread(() -> serve(broker), "broker-relay");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    Path socket() {
        return socket;
    }

    private void serve(InetSocketAddress broker) {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                try {
                    Splice.start(client, SocketChannel.open(broker), "broker-relay");
                } catch (IOException e) {
                    Splice.closeQuietly(client);
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                System.err.println("broker relay: " + e);
            }
        }
    }

    @Override
    public void close() {
        Splice.closeQuietly(server);
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            // the run's directory goes too
        }
    }
}
