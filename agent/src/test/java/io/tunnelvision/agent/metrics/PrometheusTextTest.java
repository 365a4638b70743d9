package io.tunnelvision.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    @Test
    void familiesAndSamplesFollowTheExpositionFormat() {
        String text = new PrometheusText()
                .family("x_total", "counter", "Things\nthat happened.")
                .sample("x_total", "collector", "a\"b\\c", 3)
                .sample("x_total", 0.25)
                .toString();
        assertEquals("""
                # HELP x_total Things\\nthat happened.
                # TYPE x_total counter
                x_total{collector="a\\"b\\\\c"} 3
                x_total 0.25
                """, text);
    }
}
