package io.tunnelvision.agent.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The kernel's hostname under a proc root, or "unknown" where a tree has none. */
final class Hostname {

    private Hostname() {
    }

    static String of(Path procRoot) {
        try {
            String name = Files.readString(procRoot.resolve("sys/kernel/hostname"), StandardCharsets.UTF_8).trim();
            return name.isEmpty() ? "unknown" : name;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
