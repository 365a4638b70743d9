package io.tunnelvision.api.http;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrowserTest {

    @Test
    void aMissingBrowserFailsTheTestsNamingThePackagesToInstall(@TempDir Path dir) {
        AssertionError error = assertThrows(AssertionError.class,
                () -> Browser.requireInstalled(dir.resolve("chromium"), dir.resolve("chromedriver")));

        assertTrue(error.getMessage().contains("missing: chromium (" + dir.resolve("chromium") + "), chromium-driver"),
                error.getMessage());
        assertTrue(error.getMessage().contains("apt-get install -y chromium chromium-driver"), error.getMessage());
    }

    @Test
    void aMissingDriverAloneIsNamedToo(@TempDir Path dir) {
        Path shell = Path.of("/bin/sh");

        AssertionError error = assertThrows(AssertionError.class,
                () -> Browser.requireInstalled(shell, dir.resolve("chromedriver")));

        assertTrue(error.getMessage().contains("missing: chromium-driver"), error.getMessage());
        assertDoesNotThrow(() -> Browser.requireInstalled(shell, shell));
    }
}
