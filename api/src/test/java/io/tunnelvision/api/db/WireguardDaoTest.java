package io.tunnelvision.api.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WireguardDaoTest {

    @Test
    void anIntervalHasARateOnlyWhenTheCounterDidNotGoDownWithinFifteenMinutes() {
        assertEquals(100.0, WireguardDao.rate(1000L, 10.0));
        assertEquals(0.0, WireguardDao.rate(0L, 10.0), "no traffic is a rate of 0");
        assertNull(WireguardDao.rate(-5500L, 10.0), "a reset has no rate");
        assertNull(WireguardDao.rate(null, null), "a first sample has none");
        assertNull(WireguardDao.rate(1000L, 901.0), "the agent was away");
    }

    @Test
    void theMinuteRollupIsOneStatementWithItsCtesInFrontAndTheHourOneReadsTheMinuteTier() {
        String minute = WireguardDao.rollupSql(Tier.MINUTE);
        assertTrue(minute.startsWith("WITH d AS ("), minute);
        assertTrue(minute.contains("INSERT INTO wireguard_peers_1m AS t"), minute);
        assertTrue(minute.contains("drx >= 0 AS rx_ok"), "a decrease is a reset: " + minute);
        String hour = WireguardDao.rollupSql(Tier.HOUR);
        assertTrue(hour.startsWith("INSERT INTO wireguard_peers_1h AS t"), hour);
        assertTrue(hour.contains("FROM wireguard_peers_1m"), hour);
    }
}
