package io.tunnelvision.api.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tunnelvision.api.db.CommandEventDao;
import io.tunnelvision.api.db.CpuSeriesDao;
import io.tunnelvision.api.db.NicDao;
import io.tunnelvision.api.db.PmtuDao;
import io.tunnelvision.api.db.QdiscDao;
import io.tunnelvision.api.db.ReadDao;
import io.tunnelvision.api.db.Retention;
import io.tunnelvision.api.db.SeriesDao;
import io.tunnelvision.api.db.SettingsDao;
import io.tunnelvision.api.db.WireguardDao;
import io.tunnelvision.api.ingest.SqlErrors;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API: routes, bearer-token auth with roles, errors as {@code application/problem+json}, the OpenAPI
 * document with Swagger UI, {@code /health} and {@code /metrics}. Times are ISO-8601 in UTC throughout.
 */
public final class ApiServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    static final String TOKEN_ATTRIBUTE = "tunnelvision.token";
    static final String PROBLEM_JSON = "application/problem+json";
    static final String OPENAPI_RESOURCE = "/openapi.yaml";
    /** Where the dashboard is served; `./tunnelvision demo` prints this URL. */
    public static final String UI_PATH = "/ui";

    private final Javalin app;
    private final PrometheusMeterRegistry metrics;
    // Set by start and read once by Jetty while it starts: Javalin asks for its connectors only then.
    private volatile ApiListener listener;

    /** Everything the server needs; built by ApiMain in production and by tests with their own parts. */
    public record Parts(Jdbi jdbi, Retention retention, Clock clock, List<ApiToken> tokens,
                        DecisionPublisher decisions, Health health, PrometheusMeterRegistry metrics) {
    }

    public ApiServer(Parts parts) {
        this.metrics = parts.metrics();
        ObjectMapper json = objectMapper();
        ReadDao read = parts.jdbi().onDemand(ReadDao.class);
        QueryRoutes query = new QueryRoutes(read, new SeriesDao(parts.jdbi()), parts.retention(), parts.clock());
        CommandRoutes commands = new CommandRoutes(read, parts.decisions(), json, parts.clock());
        DashboardRoutes dashboard = new DashboardRoutes(read, new CpuSeriesDao(parts.jdbi()),
                parts.jdbi().onDemand(SettingsDao.class), parts.jdbi().onDemand(CommandEventDao.class),
                parts.retention(), parts.clock());
        HostRequests hostRequests = new HostRequests(read, parts.retention(), parts.clock());
        WireguardRoutes wireguard = new WireguardRoutes(hostRequests, new WireguardDao(parts.jdbi()));
        PmtuRoutes pmtu = new PmtuRoutes(hostRequests, new PmtuDao(parts.jdbi()));
        QdiscRoutes qdiscs = new QdiscRoutes(hostRequests, new QdiscDao(parts.jdbi()), read);
        NicRoutes nics = new NicRoutes(hostRequests, new NicDao(parts.jdbi()));
        String openApi = resource(OPENAPI_RESOURCE);
        String swaggerPage = swaggerPage(swaggerUiVersion());
        String fleetPage = resource(UI_PATH + "/index.html");
        Timer.Builder requests = Timer.builder("tunnelvision.http.requests").description("HTTP requests served");

        app = Javalin.create(config -> {
            config.jsonMapper(new JavalinJackson(json, false));
            config.staticFiles.enableWebjars();
            config.staticFiles.add(files -> {
                files.hostedPath = UI_PATH;
                files.directory = "/ui";
                files.location = Location.CLASSPATH;
            });
            config.startup.showJavalinBanner = false;
            config.jetty.addConnector((server, http) -> listener.connector(server, http));
            config.http.defaultContentType = "application/json";
            config.requestLogger.http((ctx, ms) -> requests
                    .tag("method", ctx.method().name())
                    .tag("route", routeOf(ctx))
                    .tag("status", Integer.toString(ctx.statusCode()))
                    .register(parts.metrics())
                    .record(ms.longValue(), TimeUnit.MILLISECONDS));

            var routes = config.routes;
            routes.beforeMatched(ctx -> authorize(ctx, parts.tokens()));
            routes.get("/api/v1/hosts", query::hosts, Role.VIEWER);
            routes.get("/api/v1/hosts/{host}", query::host, Role.VIEWER);
            routes.get("/api/v1/series", query::series, Role.VIEWER);
            routes.get("/api/v1/hotspots", query::hotspots, Role.VIEWER);
            routes.get("/api/v1/fleet/summary", query::fleetSummary, Role.VIEWER);
            routes.get("/api/v1/latency", query::latency, Role.VIEWER);
            routes.get("/api/v1/commands", commands::list, Role.VIEWER);
            routes.get("/api/v1/commands/{id}", commands::detail, Role.VIEWER);
            routes.post("/api/v1/commands/{id}/approve", commands::approve, Role.OPERATOR);
            routes.post("/api/v1/commands/{id}/reject", commands::reject, Role.OPERATOR);
            routes.post("/api/v1/hosts/{host}/commands", commands::manual, Role.OPERATOR);
            routes.get("/api/v1/whoami", dashboard::whoami, Role.VIEWER);
            routes.get("/api/v1/series/cpus", dashboard::cpuSeries, Role.VIEWER);
            routes.get("/api/v1/fleet/cpus", dashboard::fleetCpus, Role.VIEWER);
            routes.get("/api/v1/hosts/{host}/settings", dashboard::settingsHistory, Role.VIEWER);
            routes.get("/api/v1/command-events", dashboard::commandEvents, Role.VIEWER);
            routes.get("/api/v1/hosts/{host}/wireguard", wireguard::latest, Role.VIEWER);
            routes.get("/api/v1/hosts/{host}/wireguard/history", wireguard::history, Role.VIEWER);
            routes.get("/api/v1/hosts/{host}/pmtu", pmtu::latest, Role.VIEWER);
            routes.get("/api/v1/hosts/{host}/pmtu/history", pmtu::history, Role.VIEWER);
            routes.get("/api/v1/hosts/{host}/qdiscs", qdiscs::latest, Role.VIEWER);
            routes.get("/api/v1/hosts/{host}/qdiscs/history", qdiscs::history, Role.VIEWER);
            routes.get("/api/v1/hosts/{host}/nics", nics::latest, Role.VIEWER);
            routes.get("/api/v1/hosts/{host}/nics/history", nics::history, Role.VIEWER);
            // The dashboard's pages are public like any static file; every number on them needs a token.
            routes.get("/", ctx -> ctx.redirect(UI_PATH + "/"));
            // Routes ignore a trailing slash, so this one sees /ui/ as well: the fleet page there, a redirect without it.
            routes.get(UI_PATH, ctx -> {
                if (ctx.path().endsWith("/")) {
                    ctx.html(fleetPage);
                } else {
                    ctx.redirect(UI_PATH + "/");
                }
            });

            // Public: probes and scrapers carry no token, and the API's description is no secret.
            routes.get("/health", ctx -> health(ctx, parts.health().check()));
            // Kubernetes-style probes: live while this process serves HTTP (a restart would not bring PostgreSQL
            // back), ready only while the database answers.
            routes.get("/health/live", ctx -> ctx.json(Map.of("status", "UP")));
            routes.get("/health/ready", ctx -> health(ctx, parts.health().ready()));
            routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(parts.metrics().scrape()));
            routes.get("/api/v1/openapi.yaml", ctx -> ctx.contentType("application/yaml").result(openApi));
            routes.get("/swagger", ctx -> ctx.html(swaggerPage));

            routes.exception(ApiProblem.class, (e, ctx) -> problem(ctx, e.status(), e.title(), e.detail()));
            routes.exception(JdbiException.class, (e, ctx) -> {
                if (SqlErrors.isPermanent(e)) {
                    LOG.error("Query failed for {} {}", ctx.method(), ctx.path(), e);
                    problem(ctx, 500, "Internal server error", "the query failed; the server log has the details");
                } else {
                    LOG.warn("Database unavailable for {} {}: {}", ctx.method(), ctx.path(), e.getMessage());
                    problem(ctx, 503, "Service unavailable", "the database cannot be reached; try again shortly");
                }
            });
            routes.exception(HttpResponseException.class, (e, ctx) -> {
                if (e.getStatus() == 404) {
                    problem(ctx, 404, "Not found", "no route " + ctx.method() + " " + Params.printable(ctx.path())
                            + "; the routes are listed at /api/v1/openapi.yaml");
                } else {
                    problem(ctx, e.getStatus(), "HTTP " + e.getStatus(), e.getMessage());
                }
            });
            routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("Unexpected error for {} {}", ctx.method(), ctx.path(), e);
                problem(ctx, 500, "Internal server error", "unexpected error; the server log has the details");
            });
            routes.error(404, ctx -> {
                if (!isProblem(ctx)) {
                    problem(ctx, 404, "Not found", "no route " + ctx.method() + " " + Params.printable(ctx.path())
                            + "; the routes are listed at /api/v1/openapi.yaml");
                }
            });
            routes.error(405, ctx -> {
                if (!isProblem(ctx)) {
                    problem(ctx, 405, "Method not allowed", ctx.method() + " is not allowed on "
                            + Params.printable(ctx.path()));
                }
            });
        });
    }

    /** Starts plain HTTP on every interface; port 0 picks a free port, see {@link #port()}. */
    public ApiServer start(int port) {
        return start(ApiListener.http(port));
    }

    /** Starts listening as the listener says: HTTP or HTTPS, on one address or all. */
    public ApiServer start(ApiListener listener) {
        this.listener = listener;
        listener.tls().ifPresent(identity -> Gauge.builder("tunnelvision.api.tls.certificate.expiry",
                        identity, id -> id.notAfter().getEpochSecond())
                .description("When the api's HTTPS certificate expires, in seconds since the epoch")
                .baseUnit("seconds")
                .register(metrics));
        app.start();
        LOG.info("API listening: {}", new ApiListener(listener.host(), app.port(), listener.tls()));
        return this;
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    static ObjectMapper objectMapper() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);
    }

    private static void authorize(Context ctx, List<ApiToken> tokens) {
        var required = ctx.routeRoles();
        if (required.isEmpty()) {
            return;
        }
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"tunnelvision\"");
            throw new ApiProblem(401, "Unauthorized", "send a token: Authorization: Bearer TOKEN");
        }
        Optional<ApiToken> token = ApiToken.match(tokens, header.substring(7).trim());
        if (token.isEmpty()) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"tunnelvision\", error=\"invalid_token\"");
            throw new ApiProblem(401, "Unauthorized", "the bearer token is not one this API knows");
        }
        for (var role : required) {
            if (!token.get().role().grants((Role) role)) {
                throw new ApiProblem(403, "Forbidden", "token " + token.get().name() + " has role "
                        + token.get().role().name().toLowerCase() + "; this route needs "
                        + ((Role) role).name().toLowerCase());
            }
        }
        ctx.attribute(TOKEN_ATTRIBUTE, token.get());
    }

    private static void problem(Context ctx, int status, String title, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", ctx.path());
        ctx.status(status).json(body).contentType(PROBLEM_JSON);
    }

    private static boolean isProblem(Context ctx) {
        String type = ctx.res().getContentType();
        return type != null && type.startsWith(PROBLEM_JSON);
    }

    private static void health(Context ctx, Health.Report report) {
        ctx.status(report.up() ? 200 : 503).json(Map.of("status", report.up() ? "UP" : "DOWN",
                "checks", report.checks()));
    }

    private static String routeOf(Context ctx) {
        // The route, not the path: bounded label values, whatever callers put in their URLs.
        try {
            var endpoint = ctx.endpoints().matchedHttpEndpoint();
            return endpoint == null ? "unmatched" : endpoint.path;
        } catch (RuntimeException e) {
            return "unmatched";
        }
    }

    static String resource(String name) {
        try (InputStream in = ApiServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String swaggerUiVersion() {
        try (InputStream in = ApiServer.class.getResourceAsStream(
                "/META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            String version = properties.getProperty("version");
            if (version == null) {
                throw new IllegalStateException("the swagger-ui webjar is not on the classpath");
            }
            return version;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String swaggerPage(String version) {
        String base = "/webjars/swagger-ui/" + version;
        return """
                <!DOCTYPE html>
                <html lang="en">
                <head>
                  <meta charset="utf-8">
                  <title>Tunnelvision API</title>
                  <link rel="stylesheet" href="%1$s/swagger-ui.css">
                </head>
                <body>
                  <div id="swagger-ui"></div>
                  <script src="%1$s/swagger-ui-bundle.js"></script>
                  <script>
                    window.ui = SwaggerUIBundle({url: "/api/v1/openapi.yaml", dom_id: "#swagger-ui"});
                  </script>
                </body>
                </html>
                """.formatted(base);
    }
}
