package io.tunnelvision.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where the api is and how to prove who we are: each from its option, else its environment variable. The token is
 * read from the environment or a file, never from the command line, where {@code ps} and shell history would show
 * it to everyone on the host.
 */
public record CliSettings(URI api, String token, Path caFile) {

    public static final String API_URL = "TUNNELVISION_API_URL";
    public static final String API_TOKEN = "TUNNELVISION_API_TOKEN";
    public static final String API_CA_FILE = "TUNNELVISION_API_CA_FILE";
    public static final String DEFAULT_API = "http://127.0.0.1:8080";

    /** Every environment variable the CLI reads, for the README check. */
    public static List<String> variables() {
        return List.of(API_URL, API_TOKEN, API_CA_FILE);
    }

    /**
     * @param apiOption       {@code --api}, or null
     * @param tokenFileOption {@code --token-file}, or null
     * @param caFileOption    {@code --ca-file}, or null
     */
    public static CliSettings resolve(Map<String, String> env, String apiOption, Path tokenFileOption,
                                      Path caFileOption) {
        String apiText = firstSet(apiOption, env.get(API_URL), DEFAULT_API);
        URI api = apiUri(apiText);
        String token = tokenFileOption != null ? readToken(tokenFileOption) : blankToNull(env.get(API_TOKEN));
        String caText = caFileOption != null ? caFileOption.toString() : blankToNull(env.get(API_CA_FILE));
        Path ca = caText == null ? null : Path.of(caText);
        if (ca != null && !Files.isReadable(ca)) {
            throw new CliException(ExitCode.USAGE, "CA file " + ca + " (--ca-file or " + API_CA_FILE
                    + ") does not exist or cannot be read");
        }
        if (ca != null && !"https".equals(api.getScheme())) {
            throw new CliException(ExitCode.USAGE, "a CA file is given but the api URL " + api
                    + " is not https://; use https:// or drop the CA file");
        }
        return new CliSettings(api, token, ca);
    }

    /** The token, or a usage error naming both ways to give one. */
    public String requireToken() {
        if (token == null) {
            throw new CliException(ExitCode.USAGE, "no API token: set " + API_TOKEN
                    + " or pass --token-file FILE (a file holding the token on one line)");
        }
        return token;
    }

    static URI apiUri(String text) {
        URI uri;
        try {
            uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        } catch (URISyntaxException e) {
            throw new CliException(ExitCode.USAGE, "api URL '" + text + "' is not a URL: " + e.getMessage());
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new CliException(ExitCode.USAGE, "api URL '" + text + "' (--api or " + API_URL
                    + ") must be http://HOST[:PORT] or https://HOST[:PORT]");
        }
        if (uri.getQuery() != null || uri.getFragment() != null) {
            throw new CliException(ExitCode.USAGE, "api URL '" + text + "' must not carry a query or fragment");
        }
        return uri;
    }

    private static String readToken(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new CliException(ExitCode.USAGE, "cannot read the token file " + file + ": " + e.getMessage());
        }
        if (text.isEmpty() || text.lines().count() != 1) {
            throw new CliException(ExitCode.USAGE, "token file " + file + " must hold the token on one line");
        }
        return text;
    }

    private static String firstSet(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value.strip();
            }
        }
        return null;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
