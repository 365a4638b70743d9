package io.tunnelvision.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** The api's keyset pages as the CLI shows them: one page of at most --limit rows, and a note when there is more. */
final class Paging {

    private Paging() {
    }

    static String limit(int limit) {
        if (limit < 1 || limit > 1000) {
            throw new CliException(ExitCode.USAGE, "--limit " + limit + " must be between 1 and 1000");
        }
        return Integer.toString(limit);
    }

    static String note(JsonNode page) {
        return page.hasNonNull("nextCursor") ? "(more: raise --limit or narrow --since)\n" : "";
    }
}
