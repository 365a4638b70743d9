package io.tunnelvision.api.outage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of a server that can turn into a blackhole: it keeps accepting connections and reading
 * what clients send, but passes no byte in either direction, the way a dropped route or a firewall that drops
 * packets looks to a client (no reset, no error, only silence). When it forwards again, what it held goes on, as
 * TCP's retransmissions would deliver it.
 */
final class BlackholeProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int upstreamPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private volatile boolean blackholed;
    private volatile boolean closed;

    BlackholeProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "blackhole-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** From now on nothing passes, on open connections and on new ones. */
    void blackhole() {
        blackholed = true;
    }

    /** Bytes pass again, the held ones first. */
    void forward() {
        synchronized (gate) {
            blackholed = false;
            gate.notifyAll();
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                sockets.add(client);
                Thread opener = new Thread(() -> connect(client), "blackhole-proxy-open");
                opener.setDaemon(true);
                opener.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void connect(Socket client) {
        try {
            // A blackholed network does not let the handshake with the server through either.
            awaitForwarding();
            Socket server = new Socket();
            server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 5_000);
            sockets.add(server);
            pump(client, server, "up");
            pump(server, client, "down");
        } catch (IOException | InterruptedException e) {
            closeQuietly(client);
        }
    }

    private void pump(Socket from, Socket to, String direction) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    awaitForwarding();
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // one side closed or reset: close the other too
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "blackhole-proxy-" + direction);
        t.setDaemon(true);
        t.start();
    }

    private void awaitForwarding() throws InterruptedException {
        synchronized (gate) {
            while (blackholed && !closed) {
                gate.wait(100);
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        forward();
        listener.close();
        sockets.forEach(BlackholeProxy::closeQuietly);
    }
}
