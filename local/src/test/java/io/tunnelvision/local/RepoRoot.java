package io.tunnelvision.local;

import java.nio.file.Files;
import java.nio.file.Path;

/** The checkout's root: the nearest directory upwards that holds both pom.xml and docker-compose.yml. */
final class RepoRoot {

    private RepoRoot() {
    }

    static Path find() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.exists(dir.resolve("pom.xml")) && Files.exists(dir.resolve("docker-compose.yml"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("no repository root (pom.xml + docker-compose.yml) above "
                + Path.of("").toAbsolutePath());
    }
}
