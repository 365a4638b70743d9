package io.tunnelvision.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiTokenTest {

    private static String hash(String token) {
        return HexFormat.of().formatHex(ApiToken.hash(token));
    }

    @Test
    void entriesNameARoleAndTheHashOfTheToken() {
        List<ApiToken> tokens = ApiToken.parseAll(" grafana:viewer:" + hash("t1") + " , alice:OPERATOR:" + hash("t2"));

        assertEquals(2, tokens.size());
        assertEquals(Role.VIEWER, tokens.get(0).role());
        assertEquals("alice", ApiToken.match(tokens, "t2").orElseThrow().name());
        assertEquals(Role.OPERATOR, ApiToken.match(tokens, "t2").orElseThrow().role());
    }

    @Test
    void onlyTheExactTokenMatches() {
        List<ApiToken> tokens = ApiToken.parseAll("grafana:viewer:" + hash("secret-token"));

        assertEquals(Optional.empty(), ApiToken.match(tokens, "secret-toke"));
        assertEquals(Optional.empty(), ApiToken.match(tokens, "secret-token "));
        assertEquals(Optional.empty(), ApiToken.match(tokens, hash("secret-token")), "the hash is not the token");
        assertTrue(ApiToken.match(tokens, "secret-token").isPresent());
    }

    @Test
    void nothingMatchesWhenNoTokenIsConfigured() {
        assertEquals(List.of(), ApiToken.parseAll(""));
        assertEquals(Optional.empty(), ApiToken.match(List.of(), ""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"grafana:viewer", "grafana:admin:%s", "grafana:viewer:not-hex", "grafana:viewer:abc",
            "gra fana:viewer:%s", "a:viewer:%s,a:operator:%s"})
    void malformedEntriesAreRefusedWithAReason(String entry) {
        String text = entry.replace("%s", hash("x"));

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> ApiToken.parseAll(text));

        assertFalse(error.getMessage().isBlank());
    }

    @Test
    void aPlainTokenWhereTheHashBelongsIsCalledOut() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> ApiToken.parseAll("grafana:viewer:my-plain-token"));

        assertTrue(error.getMessage().contains("not the token itself"), error.getMessage());
        assertFalse(error.getMessage().contains("my-plain-token"), "a token put there by mistake is not echoed");
    }

    @Test
    void theLoggedFormShowsNoHash() {
        ApiToken token = ApiToken.parseAll("grafana:viewer:" + hash("x")).get(0);

        assertEquals("ApiToken[grafana, VIEWER]", token.toString());
    }

    @Test
    void anOperatorMayDoWhatAViewerMayButNotTheOtherWayRound() {
        assertTrue(Role.OPERATOR.grants(Role.VIEWER));
        assertTrue(Role.OPERATOR.grants(Role.OPERATOR));
        assertTrue(Role.VIEWER.grants(Role.VIEWER));
        assertFalse(Role.VIEWER.grants(Role.OPERATOR));
    }
}
