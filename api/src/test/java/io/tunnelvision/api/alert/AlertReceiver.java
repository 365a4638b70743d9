package io.tunnelvision.api.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server standing in for Alertmanager ({@code POST /api/v2/alerts}) and a webhook receiver
 * ({@code POST /hook}): it keeps every request it answered 2xx, and answers 500 to the next {@link #failNext} ones.
 */
final class AlertReceiver implements AutoCloseable {

    static final String ALERTMANAGER_PATH = "/api/v2/alerts";
    static final String WEBHOOK_PATH = "/hook";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request taken: its headers (lower-case names) and body. */
    record Request(String path, Map<String, String> headers, byte[] body, Instant at) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final List<Request> taken = new ArrayList<>();
    private final AtomicInteger failNext = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();

    AlertReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext(ALERTMANAGER_PATH, this::handle);
        server.createContext(WEBHOOK_PATH, this::handle);
        server.setExecutor(executor);
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        int status;
        if (!"POST".equals(exchange.getRequestMethod())) {
            status = 405;
        } else if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            status = 500;
            refused.incrementAndGet();
        } else {
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT),
                    String.join(",", v)));
            synchronized (taken) {
                taken.add(new Request(exchange.getRequestURI().getPath(), headers, body, Instant.now()));
            }
            status = 200;
        }
        byte[] answer = (status == 200 ? "" : "try later").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
        if (answer.length > 0) {
            exchange.getResponseBody().write(answer);
        }
        exchange.close();
    }

    URI alertmanager() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    URI webhook() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + WEBHOOK_PATH);
    }

    void failNext(int requests) {
        failNext.set(requests);
    }

    int refused() {
        return refused.get();
    }

    List<Request> requests(String path) {
        synchronized (taken) {
            return taken.stream().filter(r -> r.path().equals(path)).toList();
        }
    }

    /** Webhook bodies in arrival order. */
    List<JsonNode> webhookEvents() {
        return requests(WEBHOOK_PATH).stream().map(Request::json).toList();
    }

    /** Every alert of every Alertmanager request, in arrival order, each with the time it came as "receivedAt". */
    List<JsonNode> alertmanagerAlerts() {
        List<JsonNode> alerts = new ArrayList<>();
        for (Request r : requests(ALERTMANAGER_PATH)) {
            r.json().forEach(a -> alerts.add(((ObjectNode) a).put("receivedAt", r.at().toString())));
        }
        return alerts;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
