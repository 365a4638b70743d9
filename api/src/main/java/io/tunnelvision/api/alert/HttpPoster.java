package io.tunnelvision.api.alert;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * POSTs JSON with a connect and a response timeout. User info in the URL ({@code https://user:pass@host/...})
 * becomes a basic-auth header and never appears in an error message.
 */
final class HttpPoster {

    private static final int MAX_ERROR_BODY = 200;

    private final HttpClient client;
    private final URI uri;
    private final String shownUri;
    private final String authorization;
    private final Duration timeout;

    HttpPoster(URI uri, Duration timeout) {
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.timeout = timeout;
        this.shownUri = AlertSettings.withoutUserInfo(uri);
        if (uri.getRawUserInfo() != null) {
            String userInfo = URLDecoder.decode(uri.getRawUserInfo(), StandardCharsets.UTF_8);
            this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                    userInfo.getBytes(StandardCharsets.UTF_8));
            try {
                this.uri = new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(),
                        uri.getQuery(), null);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("cannot take the user info out of " + shownUri, e);
            }
        } else {
            this.authorization = null;
            this.uri = uri;
        }
    }

    void post(byte[] body, Map<String, String> headers) throws DeliveryException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "tunnelvision-api")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        headers.forEach(request::header);
        HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new DeliveryException(shownUri + " did not answer within " + timeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw new DeliveryException("cannot reach " + shownUri + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryException("interrupted while posting to " + shownUri, e);
        }
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            String text = response.body() == null ? "" : response.body().strip();
            if (text.length() > MAX_ERROR_BODY) {
                text = text.substring(0, MAX_ERROR_BODY) + "...";
            }
            throw new DeliveryException(shownUri + " answered " + status + (text.isEmpty() ? "" : ": " + text));
        }
    }

    @Override
    public String toString() {
        return shownUri;
    }
}
