package io.tunnelvision.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.StringJoiner;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The api's HTTP API as the CLI uses it: a bearer token on every request, JSON in and out, and every failure
 * turned into a {@link CliException} whose exit code says what kind it was and whose message says what to do.
 */
public final class ApiClient {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final CliSettings settings;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    public ApiClient(CliSettings settings) {
        this.settings = settings;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (settings.caFile() != null) {
            builder.sslContext(trusting(settings.caFile()));
        }
        this.http = builder.build();
    }

    /** GET {@code path} with the query parameters that are not null. */
    public JsonNode get(String path, Map<String, String> query) {
        return send(HttpRequest.newBuilder(uri(path, query)).GET(), path);
    }

    /** POST a JSON body (or none) to {@code path}. */
    public JsonNode post(String path, Object body) {
        String text;
        try {
            text = body == null ? "" : json.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the request body", e);
        }
        return send(HttpRequest.newBuilder(uri(path, Map.of())).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(text)), path);
    }

    /** One path segment, escaped: host names and command ids go into paths as they are. */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private URI uri(String path, Map<String, String> query) {
        StringJoiner params = new StringJoiner("&", "?", "").setEmptyValue("");
        query.forEach((name, value) -> {
            if (value != null) {
                params.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        });
        return URI.create(settings.api() + path + params);
    }

    private JsonNode send(HttpRequest.Builder request, String path) {
        request.timeout(REQUEST_TIMEOUT).header("Accept", "application/json")
                .header("Authorization", "Bearer " + settings.requireToken());
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.CANNOT_CONNECT, "interrupted while waiting for the api");
        } catch (IOException e) {
            throw unreachable(e);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return parse(response, path);
        }
        throw failure(status, detail(response), path);
    }

    private CliException unreachable(IOException e) {
        String where = "the api at " + settings.api();
        if (e instanceof HttpConnectTimeoutException) {
            return new CliException(ExitCode.CANNOT_CONNECT, "cannot connect to " + where + ": no answer within "
                    + CONNECT_TIMEOUT.toSeconds() + " s; check the URL (--api or " + CliSettings.API_URL
                    + ") and that the api runs");
        }
        if (e instanceof HttpTimeoutException) {
            return new CliException(ExitCode.CANNOT_CONNECT, where + " accepted the connection but did not answer"
                    + " within " + REQUEST_TIMEOUT.toSeconds() + " s");
        }
        if (e instanceof SSLException || e.getCause() instanceof SSLException) {
            return new CliException(ExitCode.CANNOT_CONNECT, "TLS with " + where + " failed: " + message(e)
                    + "; give the CA that signed the api's certificate with --ca-file or "
                    + CliSettings.API_CA_FILE + ", or check that the URL's scheme matches the api's");
        }
        if (e instanceof ConnectException || e.getCause() instanceof java.nio.channels.UnresolvedAddressException) {
            return new CliException(ExitCode.CANNOT_CONNECT, "cannot connect to " + where
                    + ": nothing accepted the connection (" + message(e) + "); check the URL (--api or "
                    + CliSettings.API_URL + ") and that the api runs");
        }
        return new CliException(ExitCode.CANNOT_CONNECT, "cannot talk to " + where + ": " + message(e));
    }

    private static CliException failure(int status, String detail, String path) {
        String says = detail == null ? "" : ": " + detail;
        return switch (status) {
            case 401 -> new CliException(ExitCode.DENIED, "the api refused the token (401)" + says
                    + "; check " + CliSettings.API_TOKEN + " or --token-file");
            case 403 -> new CliException(ExitCode.DENIED, "the token may not do this (403)" + says);
            case 404 -> new CliException(ExitCode.NOT_FOUND, "not found (404)" + (detail == null
                    ? ": " + path + " is not a route of this api; is the URL the api's?" : says));
            case 409 -> new CliException(ExitCode.CONFLICT, "refused (409)" + says);
            case 400, 422 -> new CliException(ExitCode.USAGE, "the api refused the request (" + status + ")" + says);
            default -> new CliException(status >= 500 ? ExitCode.SERVER_ERROR : ExitCode.USAGE,
                    "the api answered " + status + says);
        };
    }

    private JsonNode parse(HttpResponse<String> response, String path) {
        try {
            return json.readTree(response.body());
        } catch (IOException e) {
            throw new CliException(ExitCode.SERVER_ERROR, "the answer to " + path
                    + " is not JSON; is the URL the api's? (" + message(e) + ")");
        }
    }

    /** The problem document's detail (RFC 9457), or the body's first line. */
    private String detail(HttpResponse<String> response) {
        String body = response.body();
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode problem = json.readTree(body);
            if (problem.hasNonNull("detail")) {
                return problem.get("detail").asText();
            }
        } catch (IOException e) {
            // not a problem document: show what came
        }
        String first = body.strip().lines().findFirst().orElse("");
        return first.length() > 200 ? first.substring(0, 200) + "..." : first;
    }

    private static String message(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }

    /** Trusts exactly the certificates in the PEM file, not the JVM's public CAs. */
    static SSLContext trusting(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new CliException(ExitCode.USAGE, "CA file " + caFile + " holds no PEM certificate");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new CliException(ExitCode.USAGE, "CA file " + caFile + " is not a PEM certificate file: "
                    + message(e));
        }
    }
}
