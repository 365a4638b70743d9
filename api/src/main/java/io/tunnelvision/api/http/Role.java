package io.tunnelvision.api.http;

import io.javalin.security.RouteRole;
import java.util.Locale;

/** What a token may do. An operator may do everything a viewer may. */
public enum Role implements RouteRole {
    VIEWER, OPERATOR;

    public boolean grants(Role required) {
        return this == OPERATOR || required == VIEWER;
    }

    public static Role parse(String text) {
        return Role.valueOf(text.trim().toUpperCase(Locale.ROOT));
    }
}
