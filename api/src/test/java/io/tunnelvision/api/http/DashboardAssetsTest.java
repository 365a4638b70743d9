package io.tunnelvision.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's files reference only what the api serves: its own files under /ui/ and webjars on the classpath
 * (a webjar version bump in the root pom without the pages following it fails here, not in a browser).
 */
class DashboardAssetsTest {

    static final String UPLOT = webjarVersion("org.webjars.npm", "uplot");
    private static final List<String> FILES = List.of("index.html", "gateway.html", "timeline.html", "app.css",
            "js/api.js", "js/charts.js", "js/fleet.js", "js/format.js", "js/gateway.js", "js/shell.js",
            "js/timeline.js", "js/vendor.js");
    private static final Pattern REFERENCE = Pattern.compile("[\"'(](/(?:ui|webjars)/[^\"')?#]+)");

    @Test
    void everyPathAPageNamesIsServedByTheApi() {
        List<String> references = new ArrayList<>();
        for (String file : FILES) {
            Matcher m = REFERENCE.matcher(read("/ui/" + file));
            while (m.find()) {
                references.add(m.group(1));
            }
        }
        assertTrue(references.contains("/webjars/uplot/" + UPLOT + "/dist/uPlot.esm.js"), references.toString());
        for (String path : references) {
            if (path.endsWith("/")) {
                continue;
            }
            String resource = path.startsWith("/webjars/") ? "/META-INF/resources" + path : path;
            assertNotNull(DashboardAssetsTest.class.getResource(resource), path + " is not on the classpath");
        }
    }

    @Test
    void noPageLoadsAnythingFromElsewhere() {
        for (String file : FILES) {
            String text = read("/ui/" + file);
            assertFalse(text.matches("(?s).*(src|href)=\"(https?:)?//.*"), file + " loads from another host");
            assertFalse(text.contains("import(\"http") || text.contains("from \"http"), file + " imports remotely");
        }
    }

    @Test
    void theTokenIsKeptForTheSessionOnlyAndSentAsABearerHeader() {
        String api = read("/ui/js/api.js");
        assertTrue(api.contains("sessionStorage.setItem"));
        assertFalse(api.contains("localStorage"), "a token must not outlive the browser session");
        assertTrue(api.contains("\"Bearer \" + t"));
        assertEquals(-1, read("/ui/js/shell.js").indexOf("localStorage"));
    }

    private static String read(String resource) {
        try (InputStream in = DashboardAssetsTest.class.getResourceAsStream(resource)) {
            assertNotNull(in, resource + " is missing");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String webjarVersion(String group, String artifact) {
        try (InputStream in = DashboardAssetsTest.class.getResourceAsStream(
                "/META-INF/maven/" + group + "/" + artifact + "/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("the " + artifact + " webjar is not on the classpath");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
