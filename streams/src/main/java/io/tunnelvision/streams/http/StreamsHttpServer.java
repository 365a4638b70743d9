package io.tunnelvision.streams.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The streams app's own endpoints, on the JDK's HTTP server as the agent's metrics are (no framework for three
 * routes): {@code GET /metrics} in the Prometheus text format, {@code GET /health/live} and {@code /health/ready}
 * (200 or 503 with a JSON body, see {@link StreamsHealth}) and {@code GET /health}, the same as ready.
 */
public final class StreamsHttpServer implements AutoCloseable {

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String JSON = "application/json";

    private final HttpServer server;
    private final ExecutorService executor;

    private StreamsHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    public static StreamsHttpServer start(InetSocketAddress address, Supplier<String> metrics,
                                          Supplier<StreamsHealth> health) {
        HttpServer server;
        try {
            server = HttpServer.create(address, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for /metrics and /health on " + address
                    + " (TUNNELVISION_STREAMS_HTTP_BIND, TUNNELVISION_STREAMS_HTTP_PORT)", e);
        }
        server.createContext("/metrics", exchange -> respond(exchange, 200, PROMETHEUS_TEXT, metrics.get()));
        server.createContext("/health/live", exchange -> {
            StreamsHealth now = health.get();
            respond(exchange, now.live() ? 200 : 503, JSON, now.json(now.live()));
        });
        server.createContext("/health/ready", exchange -> ready(exchange, health.get()));
        server.createContext("/health", exchange -> ready(exchange, health.get()));
        // one thread: a scrape and a probe now and then; a slow scrape must not pile up threads
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "streams-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        return new StreamsHttpServer(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void ready(HttpExchange exchange, StreamsHealth now) throws IOException {
        respond(exchange, now.ready() ? 200 : 503, JSON, now.json(now.ready()));
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!path.equals(exchange.getHttpContext().getPath())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
