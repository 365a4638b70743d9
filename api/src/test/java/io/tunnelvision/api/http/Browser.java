package io.tunnelvision.api.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * A headless Debian chromium driven through Debian's chromedriver (Selenium from Maven; no browser download). The
 * flags keep it from reaching out to the network, which hangs here, and a fresh profile per run keeps runs apart.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    static final Duration WAIT = Duration.ofSeconds(30);

    final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Starts chromium, or fails (never skips) naming the Debian packages to install. */
    static Browser start() {
        requireInstalled(CHROMIUM, CHROMEDRIVER);
        try {
            Path profile = Files.createTempDirectory("tunnelvision-chromium-");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                    "--disable-extensions", "--user-data-dir=" + profile.toAbsolutePath());
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, java.util.logging.Level.ALL);
            options.setCapability("goog:loggingPrefs", logs);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile())
                    .usingAnyFreePort()
                    .build();
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().window().setSize(new Dimension(1400, 1000));
            Files.createDirectories(SCREENSHOTS);
            return new Browser(driver, profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fails, naming the Debian packages to install, when the browser or its driver is not there. */
    static void requireInstalled(Path chromium, Path chromedriver) {
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(chromium)) {
            missing.add("chromium (" + chromium + ")");
        }
        if (!Files.isExecutable(chromedriver)) {
            missing.add("chromium-driver (" + chromedriver + ")");
        }
        if (!missing.isEmpty()) {
            throw new AssertionError("The dashboard's browser tests need Debian's chromium and chromium-driver; missing: "
                    + String.join(", ", missing) + ". Install them with: apt-get install -y chromium chromium-driver"
                    + " (./tunnelvision test does this when run as root)");
        }
    }

    void open(String url) {
        driver.get(url);
    }

    /** Polls the condition until it answers neither null nor false, for at most 30 s (pages refresh every 5 s). */
    <T> T until(String what, Function<WebDriver, T> condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                T value = condition.apply(driver);
                if (value != null && !Boolean.FALSE.equals(value)) {
                    return value;
                }
            } catch (RuntimeException e) {
                last = e; // e.g. an element replaced by the page's refresh: look again
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
        throw new AssertionError("waited " + WAIT.toSeconds() + " s for " + what + " (page " + driver.getCurrentUrl()
                + "; console: " + console() + ")", last);
    }

    WebElement element(String css) {
        return until("an element " + css, d -> {
            var found = d.findElements(By.cssSelector(css));
            return found.isEmpty() ? null : found.get(0);
        });
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Signs in on the page shown with the token; the page then keeps it in sessionStorage. */
    void signIn(String token) {
        element("#token").sendKeys(token);
        element("#sign-in-button").click();
        element("#who");
    }

    void signOut() {
        js("sessionStorage.clear()");
    }

    /** Saves what the browser shows, as tall as the page, under target/screenshots. */
    Path screenshot(String name) {
        Number height = (Number) js("return Math.max(document.documentElement.scrollHeight, 700)");
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", 1400,
                "height", Math.min(4000, height.intValue()), "deviceScaleFactor", 1, "mobile", false));
        try {
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    /** The browser console since the last call: errors in the pages' scripts show up here. */
    String console() {
        try {
            return driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::toString).toList()
                    .toString();
        } catch (RuntimeException e) {
            return "(unavailable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover temporary profile is harmless
            }
        }
    }
}
