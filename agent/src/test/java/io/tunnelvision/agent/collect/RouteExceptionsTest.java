package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class RouteExceptionsTest {

    @Test
    void aRouteExceptionFromAnIcmpFragmentationNeededGivesTheReportedMtu() throws Exception {
        assertEquals(OptionalInt.of(1400),
                RouteExceptions.reportedMtu(Fixtures.text("layouts/pmtu/route-get-ptb-exception.json")));
    }

    @Test
    void noExceptionOrAConfiguredRouteMtuIsNoReport() throws Exception {
        assertEquals(OptionalInt.empty(),
                RouteExceptions.reportedMtu(Fixtures.text("layouts/pmtu/route-get-no-exception.json")));
        assertEquals(OptionalInt.empty(),
                RouteExceptions.reportedMtu(Fixtures.text("layouts/pmtu/route-get-configured-mtu.json")),
                "an mtu without expires was configured, not reported by a router");
    }

    @Test
    void aLockedMetricBrokenOutputAndAbsurdValuesAreHandled() {
        assertEquals(OptionalInt.of(1280), RouteExceptions.reportedMtu(
                "[{\"dst\":\"fd00::2\",\"expires\":300,\"metrics\":[{\"mtu\":[\"lock\",1280]}]}]"));
        assertEquals(OptionalInt.empty(), RouteExceptions.reportedMtu(null));
        assertEquals(OptionalInt.empty(), RouteExceptions.reportedMtu("RTNETLINK answers: Network is unreachable"));
        assertEquals(OptionalInt.empty(), RouteExceptions.reportedMtu("[{\"expires\":3,\"metrics\":[{\"mtu\":12}]}]"));
        assertEquals(OptionalInt.empty(), RouteExceptions.reportedMtu("[{\"expires\":3,\"metrics\":[{\"mtu\":"));
    }
}
