package io.tunnelvision.agent.apply;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace of a test's own, {@code tv-apply-<random>}, with a tun, a veth pair and a vxlan over the
 * veth: everything a test changes lives in it and goes with it. Removed by {@link #close()} and, should the JVM
 * die first, by a shutdown hook; a sysfs mounted for the namespace is unmounted first (it pins the namespace).
 */
final class NetNamespace implements AutoCloseable {

    final String name;
    private final List<Path> mounts = new ArrayList<>();
    private final Thread hook;
    private boolean closed;

    private NetNamespace(String name) {
        this.name = name;
        this.hook = new Thread(this::remove, "remove-" + name);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Whether this machine lets the test create namespaces: root and iproute2. */
    static boolean available() {
        try {
            return "0".equals(run(List.of("id", "-u")).strip()) && !run(List.of("ip", "-V")).isBlank();
        } catch (RuntimeException e) {
            return false;
        }
    }

    static NetNamespace create() {
        NetNamespace ns = new NetNamespace("tv-apply-" + UUID.randomUUID().toString().substring(0, 8));
        try {
            run(List.of("ip", "netns", "add", ns.name));
            ns.ip("tuntap", "add", "dev", "tun0", "mode", "tun");
            ns.ip("link", "add", "va", "type", "veth", "peer", "name", "vb");
            ns.ip("link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", "4789", "dev", "va");
            return ns;
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    /** {@code ip -n <ns> args...}. */
    String ip(String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "-n", name));
        argv.addAll(List.of(args));
        return run(argv);
    }

    /** Runs {@code argv} inside the namespace with its own /sys ({@code ip netns exec} remounts it). */
    String exec(List<String> argv) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(argv);
        return run(full);
    }

    /** A kernel file as seen from inside the namespace. */
    String cat(String path) {
        return exec(List.of("cat", path)).strip();
    }

    /**
     * Mounts a sysfs that shows this namespace's interfaces at {@code dir}, in this process's mount namespace
     * (sysfs takes the network namespace of whoever mounts it), so that code running here sees the namespace's
     * /sys/class/net under {@code dir}.
     */
    Path mountSysfs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(List.of("nsenter", "--net=/run/netns/" + name, "mount", "-t", "sysfs", "tv-apply-sysfs",
                dir.toString()));
        mounts.add(dir);
        return dir;
    }

    @Override
    public synchronized void close() {
        remove();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or ran: nothing left to do
        }
    }

    private synchronized void remove() {
        if (closed) {
            return;
        }
        closed = true;
        for (Path dir : mounts) {
            quietly(List.of("umount", "-l", dir.toString()));
        }
        quietly(List.of("ip", "netns", "del", name));
    }

    private static void quietly(List<String> argv) {
        try {
            run(argv);
        } catch (RuntimeException e) {
            System.err.println("cleanup: " + e.getMessage());
        }
    }

    static String run(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(argv + " did not finish");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(argv + " exited " + p.exitValue() + ": " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + argv, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + argv, e);
        }
    }
}
