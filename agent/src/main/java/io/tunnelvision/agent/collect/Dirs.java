package io.tunnelvision.agent.collect;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Directory listings of sysfs and procfs, sorted so that samples list things in a stable order. */
final class Dirs {

    private Dirs() {
    }

    /**
     * Names of the directories (or links to directories) in {@code dir}, sorted; null if {@code dir} does not
     * exist. Plain files, such as {@code bonding_masters} in /sys/class/net, are left out.
     */
    static List<String> subdirectories(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (Files.isDirectory(entry)) {
                    names.add(entry.getFileName().toString());
                }
            }
        } catch (NoSuchFileException e) {
            return null;
        }
        Collections.sort(names);
        return names;
    }

    /**
     * The interfaces in {@code classNet} ({@code <sys root>/class/net}), sorted, for the collectors that cannot
     * work without it.
     *
     * @throws CollectException when it cannot be listed or does not exist (the sys root is not a mounted sysfs)
     */
    static List<String> interfaces(Path classNet) throws CollectException {
        List<String> names;
        try {
            names = subdirectories(classNet);
        } catch (IOException e) {
            throw new CollectException("Cannot list " + classNet + ": " + e.getMessage(), e);
        }
        if (names == null) {
            throw new CollectException(classNet + " does not exist: check that the sys root points at a mounted "
                    + "sysfs (in a container, the host's /sys of the gateway's network namespace)");
        }
        return names;
    }

    /** Names of the entries of {@code dir} that start with {@code prefix}, sorted; empty if {@code dir} is missing. */
    static List<String> entries(Path dir, String prefix) throws IOException {
        List<String> names = new ArrayList<>();
        // A filter rather than the glob prefix + "*": a glob is compiled into a regex on every call, and this
        // runs for every interface every second.
        DirectoryStream.Filter<Path> startsWithPrefix = entry -> entry.getFileName().toString().startsWith(prefix);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, startsWithPrefix)) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        } catch (NoSuchFileException e) {
            return names;
        }
        Collections.sort(names);
        return names;
    }
}
