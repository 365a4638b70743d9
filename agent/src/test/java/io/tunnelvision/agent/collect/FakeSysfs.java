package io.tunnelvision.agent.collect;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Builds /proc and /sys trees in a test's temporary directory, with the symlinks sysfs has ({@code device}),
 * which the checked-in fixture trees leave out so that git keeps them (see the fixtures' README).
 */
final class FakeSysfs {

    private FakeSysfs() {
    }

    /** {@code base/relative} holding {@code content} and a newline, as the kernel prints one-value files. */
    static void file(Path base, String relative, String content) {
        try {
            Path file = base.resolve(relative);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A symlink at {@code link} to {@code target}, relative as sysfs writes them. */
    static void link(Path link, String target) {
        try {
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, Path.of(target));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void delete(Path tree) {
        try (Stream<Path> walk = Files.walk(tree)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
