package io.tunnelvision.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WireguardRoutesTest {

    @Test
    void aHandshakeOlderThan180SecondsIsStaleAndNoneIsNever() {
        assertEquals("up", WireguardRoutes.status(0));
        assertEquals("up", WireguardRoutes.status(180));
        assertEquals("stale", WireguardRoutes.status(181));
        assertEquals("never", WireguardRoutes.status(null));
    }

    @Test
    void theShortKeyIsTheFirstEightCharacters() {
        assertEquals("xTIBA5rb…", WireguardRoutes.shortKey("xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="));
        assertEquals("abc=", WireguardRoutes.shortKey("abc="));
    }
}
