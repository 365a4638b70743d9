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
