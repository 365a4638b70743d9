package io.tunnelvision.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Plumbing shared by the embedded servers. */
final class LocalServers {

    private LocalServers() {
    }

    /**
     * A port that was free a moment ago. The servers keep it for their whole lifetime, so that a
     * restart comes back where clients expect it.
     */
    static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on 127.0.0.1", e);
        }
    }

    static Path createTempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary directory", e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + dir, e);
        }
    }

    /**
     * Stops a server when the JVM exits even if nobody closed it: an embedded PostgreSQL would
     * otherwise outlive the JVM, and a Kafka log that is not shut down cleanly needs recovery.
     */
    static Thread closeOnExit(String name, AutoCloseable server) {
        Thread hook = new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                System.err.println("Could not stop " + name + " at exit: " + e);
            }
        }, name + "-stop-at-exit");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    static void forgetOnExit(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shutdownInProgress) {
            // the hook runs anyway and close() is idempotent
        }
    }
}
