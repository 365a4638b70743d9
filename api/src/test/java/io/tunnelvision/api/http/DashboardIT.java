package io.tunnelvision.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.api.TestRecords;
import io.tunnelvision.api.ingest.Item;
import io.tunnelvision.api.ingest.Source;
import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.Decision;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The dashboard in a real browser (Debian's headless chromium) against a running api on the real PostgreSQL, with
 * a seeded fleet, and the real broker for decisions. Screenshots of every page land in target/screenshots.
 */
class DashboardIT {

    private static DashboardFixture fleet;
    private static Browser browser;

    @BeforeAll
    static void start() {
        browser = Browser.start();
        fleet = new DashboardFixture("dashboard_it");
    }

    @AfterAll
    static void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (fleet != null) {
                fleet.close();
            }
        }
    }

    @BeforeEach
    void signedOut() {
        browser.open(fleet.base + "/ui/");
        browser.signOut();
    }

    private void openAs(String token, String path) {
        browser.open(fleet.base + path);
        browser.signIn(token);
        browser.until("the page's first refresh", d -> browser.js("return document.body.dataset.refreshed") != null);
    }

    @Test
    void anUnknownTokenIsRefusedAndAKnownOneIsKeptForTheSession() {
        browser.open(fleet.base + "/ui/");
        browser.element("#token").sendKeys("not-a-token");
        browser.element("#sign-in-button").click();

        browser.until("the refusal", d -> browser.element("#sign-in-error").getText().contains("does not know"));
        assertEquals(null, browser.js("return sessionStorage.getItem('tunnelvision.token')"));
        browser.screenshot("sign-in");

        browser.element("#token").clear();
        browser.signIn(DashboardFixture.VIEWER);
        assertEquals(DashboardFixture.VIEWER, browser.js("return sessionStorage.getItem('tunnelvision.token')"));
        browser.open(fleet.base + "/ui/timeline.html");
        assertEquals("grafana (viewer)", browser.element("#who").getText(), "no second sign-in");
    }

    @Test
    void theFleetPageShowsEveryGatewayItsHotspotsAndItsCpus() {
        openAs(DashboardFixture.VIEWER, "/");

        List<String> hosts = browser.until("a heatmap row per gateway", d -> {
            List<String> rows = browser.all("#heat-table tr.gateway").stream().map(r -> r.getAttribute("data-host"))
                    .toList();
            return rows.size() == DashboardFixture.HOSTS.size() ? rows : null;
        });
        assertEquals(DashboardFixture.HOSTS, hosts);
        assertEquals("5", browser.element("#tile-hosts .n").getText());
        assertEquals("2", browser.element("#tile-unhealthy .n").getText());
        assertEquals("2", browser.element("#tile-in-flight .n").getText());
        assertEquals("CRITICAL", browser.element("tr[data-host='gw-ams-2'] td[data-type='IRQ_CONCENTRATION']")
                .getAttribute("data-severity"));
        assertEquals("", browser.element("tr[data-host='gw-ams-1'] td[data-type='IRQ_CONCENTRATION']")
                .getAttribute("data-severity"));
        assertTrue(browser.element("#fleet-hotspots").getText().contains("fleet outlier"));
        assertTrue(browser.element("#in-flight").getText().contains("gw-ams-2"));
        browser.screenshot("fleet");

        browser.element("#heat-mode button[data-mode='cpus']").click();
        double storm = Double.parseDouble(browser.element("tr[data-host='gw-ams-2'] td[data-cpu='0']")
                .getAttribute("data-value"));
        double calm = Double.parseDouble(browser.element("tr[data-host='gw-fra-2'] td[data-cpu='0']")
                .getAttribute("data-value"));
        assertTrue(storm > 0.9 && calm < 0.3, "softirq share of CPU 0: storm " + storm + ", calm " + calm);
        assertEquals(8, browser.all("tr[data-host='gw-nyc-1'] td[data-cpu]").size());
        browser.screenshot("fleet-cpus");
    }

    @Test
    void clickingAGatewayOpensItsChartsWithDataPoints() {
        openAs(DashboardFixture.VIEWER, "/ui/");
        browser.element("tr[data-host='" + DashboardFixture.STORM + "'] td.host").click();

        browser.until("the gateway page", d -> d.getCurrentUrl().contains("/ui/gateway.html?host=gw-ams-2"));
        for (String chart : List.of("throughput", "drops", "latency", "softnet", "netrx", "irq")) {
            Number points = browser.until(chart + " chart with data points", d -> (Number) browser.js(
                    "const c = window.tv && window.tv.charts && window.tv.charts[arguments[0]];"
                            + " return c && c.points > 0 ? c.points : null", chart));
            assertTrue(points.intValue() > 10, chart + " has " + points + " points");
        }
        @SuppressWarnings("unchecked")
        List<String> labels = (List<String>) browser.js("return window.tv.charts.throughput.labels");
        assertEquals(List.of("tun0 rx", "tun0 tx", "eth0 rx", "eth0 tx"), labels);
        Number tunnelBits = (Number) browser.js("return window.tv.charts.throughput.data[1].find(v => v !== null)");
        assertTrue(tunnelBits.doubleValue() > 1e6, "tun0 carries megabits: " + tunnelBits);
        @SuppressWarnings("unchecked")
        Map<String, Object> latency = (Map<String, Object>) browser.js(
                "const d = window.tv.charts.latency.data; const avg = a => a.filter(v => v !== null)"
                        + ".reduce((s, v, i, all) => s + v / all.length, 0); return {overlay: avg(d[1]), underlay: avg(d[2])}");
        assertTrue(((Number) latency.get("overlay")).doubleValue() > ((Number) latency.get("underlay")).doubleValue(),
                latency.toString());
        assertEquals(0L, ((Number) browser.js("return window.tv.charts.netrx.busiestCpu")).longValue());
        assertTrue(((Number) browser.js("return window.tv.charts.netrx.busiestShare")).doubleValue() > 0.9);
        assertTrue(browser.element("#netrx-note").getText().contains("single-core storm"));
        assertTrue(browser.element("#settings-now").getText().contains("tun0"));
        browser.screenshot("gateway");

        browser.open(fleet.base + "/ui/gateway.html?host=gw-fra-1&range=1h");
        WebElement history = browser.element("#settings-history-table");
        browser.until("the MTU change in the settings history", d -> history.getText().contains("MTU: 1500 → 1420"));
        assertTrue(history.getText().contains("rmem_max: 212992 → 4194304"), history.getText());
        browser.screenshot("gateway-settings");
    }

    @Test
    void theGatewayPageListsItsWireguardPeersHighlightsAStaleHandshakeAndHidesThePanelWithoutWireguard() {
        openAs(DashboardFixture.VIEWER, "/ui/gateway.html?host=" + DashboardFixture.STORM + "&range=15m");

        browser.until("three WireGuard peers", d -> browser.all("#wireguard-table tr.peer").size() == 3);
        assertTrue(browser.element("#wireguard-panel").isDisplayed());
        WebElement up = browser.element("tr.peer[data-peer='" + DashboardFixture.WG_UP + "']");
        assertEquals(List.of("wg0", "xTIBA5rb…", "198.51.100.20:51820", "30 s", "64.0 kb/s", "16.0 kb/s", "up"),
                cells(up));
        assertEquals("peer up", up.getAttribute("class"));
        WebElement stale = browser.element("tr.peer[data-peer='" + DashboardFixture.WG_STALE + "']");
        assertEquals("peer stale", stale.getAttribute("class"), "a handshake older than 180 s is highlighted");
        assertEquals(List.of("wg0", "HIgo9xNz…", "203.0.113.5:51820", "7 min", "0 b/s", "0 b/s", "stale"),
                cells(stale));
        WebElement never = browser.element("tr.peer[data-peer='" + DashboardFixture.WG_NEVER + "']");
        assertEquals(List.of("wg1", "TrMvSoP4…", "–", "never", "0 b/s", "0 b/s", "never"), cells(never));
        browser.screenshot("gateway-wireguard");

        browser.open(fleet.base + "/ui/gateway.html?host=gw-fra-1&range=15m");
        browser.until("gw-fra-1's page refreshed", d -> browser.js("return window.tv && window.tv.wireguard"
                + " && window.tv.wireguard.host") != null);
        assertEquals("gw-fra-1", browser.js("return window.tv.wireguard.host"));
        assertTrue(!browser.element("#wireguard-panel").isDisplayed(), "no WireGuard interface, no panel");
    }

    @Test
    void theGatewayPageShowsEachInterfacesQdiscsWithDropsAndBacklogAndMarksATunAtTxqueuelenZero() {
        openAs(DashboardFixture.VIEWER, "/ui/gateway.html?host=" + DashboardFixture.QUEUES + "&range=15m");

        browser.until("four qdiscs", d -> browser.all("#qdisc-table tr.qdisc").size() == 4);
        assertTrue(browser.element("#qdisc-panel").isDisplayed());
        WebElement root = browser.element("tr.qdisc.root[data-iface='eth0']");
        assertEquals(List.of("mq 0: (root)", "5 /s", "4.5 kB / 3 p", "0 /s", "24.0 kb/s"), cells(root));
        WebElement dropping = browser.element("tr.qdisc[data-iface='eth0'][data-parent=':1']");
        assertEquals("qdisc child dropping", dropping.getAttribute("class"));
        assertEquals(List.of("└ pfifo_fast 0: (parent :1)", "5 /s", "4.5 kB / 3 p", "0 /s", "16.0 kb/s"),
                cells(dropping));
        WebElement quiet = browser.element("tr.qdisc[data-iface='eth0'][data-parent=':2']");
        assertEquals("qdisc child", quiet.getAttribute("class"));
        WebElement eth0 = browser.element("tr.iface[data-iface='eth0']");
        assertEquals("iface", eth0.getAttribute("class"));
        assertTrue(eth0.getText().contains("BQL tx-0 3.0 kB in flight of 9.0 kB"), eth0.getText());
        WebElement tun0 = browser.element("tr.iface[data-iface='tun0']");
        assertEquals("iface txqueuelen-zero", tun0.getAttribute("class"), "a tun at txqueuelen 0 drops everything");
        assertTrue(tun0.getText().contains("txqueuelen 0") && tun0.getText().contains("drops every packet"),
                tun0.getText());
        assertTrue(browser.element("#qdisc-note").getText().contains("rates over the 30 s before"));
        browser.screenshot("gateway-qdiscs");

        browser.open(fleet.base + "/ui/gateway.html?host=gw-fra-1&range=15m");
        browser.until("gw-fra-1's page refreshed", d -> browser.js("return window.tv && window.tv.qdiscs"
                + " && window.tv.qdiscs.host") != null);
        assertEquals("gw-fra-1", browser.js("return window.tv.qdiscs.host"));
        assertTrue(!browser.element("#qdisc-panel").isDisplayed(), "no qdisc sample, no panel");
    }

    @Test
    void theGatewayPageShowsEachNicsRingAndChannelsAgainstTheirMaximaAndItsDropRates() {
        openAs(DashboardFixture.VIEWER, "/ui/gateway.html?host=" + DashboardFixture.QUEUES + "&range=15m");

        browser.until("one NIC", d -> browser.all("#nic-table tr.nic").size() == 1);
        assertTrue(browser.element("#nic-panel").isDisplayed());
        WebElement eth0 = browser.element("tr.nic[data-iface='eth0']");
        assertEquals("nic dropping", eth0.getAttribute("class"), "missed and out-of-buffer drops mark the NIC");
        assertEquals(List.of("eth0 ixgbe", "512 / 4096", "1 / 8", "200 µs (fixed)", "5 /s", "0 /s", "–", "off",
                "q0 rx 5 /s"), cells(eth0));
        assertEquals(2, browser.all("tr.nic[data-iface='eth0'] .below-max").size(), "ring and channels below maximum");
        assertTrue(browser.element("#nic-note").getText().contains("rates over the 30 s before"));
        browser.screenshot("gateway-nics");

        browser.open(fleet.base + "/ui/gateway.html?host=gw-fra-1&range=15m");
        browser.until("gw-fra-1's page refreshed", d -> browser.js("return window.tv && window.tv.nics"
                + " && window.tv.nics.host") != null);
        assertEquals("gw-fra-1", browser.js("return window.tv.nics.host"));
        assertTrue(!browser.element("#nic-panel").isDisplayed(), "no NIC sample, no panel");
    }

    private static List<String> cells(WebElement row) {
        return row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
    }

    @Test
    void theTimelineListsCommandsWithTheirOutcomeAndAViewerGetsNoApproveButton() {
        openAs(DashboardFixture.VIEWER, "/ui/timeline.html");

        assertEquals("verified", status("cmd-mtu"));
        assertEquals("rolled_back", status("cmd-budget"));
        assertEquals("proposed", status("cmd-budget-storm"));
        assertTrue(browser.element("#events").getText().contains("opened hotspot irq concentration"));
        assertTrue(browser.element("#events").getText().contains("closed hotspot mtu mismatch"));
        assertTrue(browser.element("tr[data-id='cmd-mtu:applied']").getText().contains("applied mtu tun0: 1500 → 1420"
                + " by agent 0.1.0"));
        assertTrue(browser.element("tr[data-id='cmd-mtu:verified']").getText().contains("ipFragCreatesPerSec"));
        assertEquals(0, browser.all("button.approve").size(), "a viewer may not approve");
        assertEquals(0, browser.all("button.reject").size());
        assertTrue(browser.element("tr[data-id='cmd-budget-storm'] td.actions").getText().contains("awaiting an operator"));

        browser.element("tr[data-id='cmd-mtu']").click();
        WebElement detail = browser.element("tr[data-detail='cmd-mtu']");
        browser.until("the outcome of cmd-mtu", d -> detail.getText().contains("verdict: verified"));
        assertTrue(detail.getText().contains("agent: applied"), detail.getText());
        assertTrue(detail.findElements(By.cssSelector("a.hotspot-link[href='#hs-mtu']")).size() == 1,
                "linked to the hotspot that caused it");
        browser.screenshot("timeline-viewer");
    }

    @Test
    void anOperatorsApprovalReachesTheApiAndTheTimelineFollows() {
        openAs(DashboardFixture.OPERATOR, "/ui/timeline.html");
        assertEquals("operator", browser.element("#who").getAttribute("data-role"));
        browser.screenshot("timeline-operator");

        browser.element("button.approve[data-command='cmd-rps']").click();

        browser.until("the approval confirmed", d -> browser.element("tr[data-id='cmd-rps'] .decision-sent").getText()
                .contains("approve sent by alice"));
        CommandDecision sent = fleet.readDecision("cmd-rps");
        assertEquals(Decision.APPROVE, sent.getDecision());
        assertEquals("alice", sent.getOperator());
        assertEquals(DashboardFixture.STORM, sent.getHostId());

        // the ingest consumer stores the decision; the page, polling, shows the command approved without a reload
        fleet.write(List.of(new Item(Source.COMMAND_DECISIONS, TestRecords.decision("cmd-rps", sent.getHostId(),
                Decision.APPROVE, Instant.ofEpochMilli(sent.getTimeMs())))));
        browser.until("cmd-rps shown approved", d -> "approved".equals(status("cmd-rps")));
        assertTrue(browser.element("tr[data-id='cmd-rps:approved']").getText().contains("by alice"));
        assertEquals(0, browser.all("button.approve[data-command='cmd-rps']").size());
        assertEquals(1, browser.all("button.approve[data-command='cmd-budget-storm']").size());
    }

    private String status(String commandId) {
        return browser.element(".command-status[data-command='" + commandId + "']").getAttribute("data-status");
    }
}
