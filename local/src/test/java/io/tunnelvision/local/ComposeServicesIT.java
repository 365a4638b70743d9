package io.tunnelvision.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.AgentConfig;
import io.tunnelvision.api.ApiConfig;
import io.tunnelvision.config.Setting;
import io.tunnelvision.embedded.BrokerSecurity;
import io.tunnelvision.embedded.EmbeddedKafka;
import io.tunnelvision.embedded.EmbeddedPostgresServer;
import io.tunnelvision.streams.StreamsAppConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The compose stack without Docker (none runs here, and {@code docker compose config} cannot either): each service
 * of docker-compose.yml is started as a process of the real shaded jar with the environment, command and files
 * compose would give it, and must come up as its healthcheck asks.
 *
 * <p>What stands in for Docker: kafka-secrets.sh and api-tokens.sh write their files as a user would; the kafka
 * service is an embedded broker secured with the script's CA, certificate and passwords (SASL_SSL, PLAIN users
 * from its JAAS file); postgres is an embedded PostgreSQL with the compose file's user, password and database. The
 * translation from a container to a process is only this, the rest is the compose file's own: host names
 * {@code kafka}, {@code localhost:29092} and {@code postgres} become the embedded servers' addresses;
 * {@code /run/secrets/NAME} the secret's file; a named volume a directory shared by the services that mount it;
 * the image's {@code /var/lib/tunnelvision} a directory per service; the bind mounts of the host's {@code /proc} and
 * {@code /sys} this machine's (read-only use: the agent runs dry); the ports each service listens on free ports
 * (so that parallel builds do not collide); the image's {@code -XX:MaxRAMPercentage=75} a 256 MB heap.
 */
class ComposeServicesIT {

    // Each wait ends as soon as the service is ready (about 30 s on an idle 2-core machine); on a loaded one (load
    // average 28) the api took 140 s to listen and streams 3 minutes to leave REBALANCING.
    private static final Duration START = Duration.ofSeconds(300);
    private static final Pattern HEALTH_URL = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)(/\\S*)");
    private static final Map<String, String> JAR_OF_TARGET = Map.of(
            "agent", "agent/target/tunnelvision-agent.jar",
            "streams", "streams/target/tunnelvision-streams.jar",
            "api", "api/target/tunnelvision-api.jar");

    private static Path root;
    private static Path work;
    private static Map<String, Map<String, Object>> services;
    private static Map<String, Object> secrets;
    private static EmbeddedKafka kafka;
    private static EmbeddedPostgresServer postgres;
    private static final List<Process> processes = new ArrayList<>();
    private static final Map<String, Integer> healthPorts = new LinkedHashMap<>();
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void startTheStackAsProcesses() throws Exception {
        root = RepoRoot.find();
        for (String jar : JAR_OF_TARGET.values()) {
            assertTrue(Files.isRegularFile(root.resolve(jar)), root.resolve(jar) + " is missing: build the service"
                    + " jars first (mvn -B -pl local -am package -DskipTests, or the whole `mvn -B verify`)");
        }
        Map<String, Object> compose = new Yaml(new SafeConstructor(new LoaderOptions()))
                .load(Files.readString(root.resolve("docker-compose.yml")));
        services = new LinkedHashMap<>();
        ((Map<String, Object>) compose.get("services")).forEach((k, v) -> services.put(k, (Map<String, Object>) v));
        secrets = (Map<String, Object>) compose.get("secrets");
        work = Files.createTempDirectory("tv-compose-");
        script("kafka-secrets.sh", work.resolve("secrets/kafka"));
        script("api-tokens.sh", work.resolve("secrets/api"));

        kafka = new EmbeddedKafka(work.resolve("kafka"), 0, brokerSecurity(work.resolve("secrets/kafka"))).start();
        postgres = new EmbeddedPostgresServer().start();
        Map<String, String> pg = environment("postgres");
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl("postgres"), postgres.user(),
                postgres.password()); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + pg.get("POSTGRES_USER") + " LOGIN PASSWORD '" + pg.get("POSTGRES_PASSWORD")
                    + "'");
            s.execute("CREATE DATABASE " + pg.get("POSTGRES_DB") + " OWNER " + pg.get("POSTGRES_USER"));
        }

        // compose's order: the one-shots run to completion, then the long-running services start
        for (String job : List.of("topic-init", "planner-key", "api-key")) {
            Process process = start(job);
            assertTrue(process.waitFor(START.toSeconds(), TimeUnit.SECONDS), job + " did not finish");
            assertEquals(0, process.exitValue(), job + " failed:\n" + log(job));
        }
        for (String service : List.of("streams", "api", "agent")) {
            start(service);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void theApiAndTheAgentPassTheirHealthchecks() throws Exception {
        for (String service : List.of("api", "agent")) {
            String url = healthUrl(service);
            awaitStatus(service, url, null, 200);
        }
    }

    /**
     * Streams' healthcheck asks /health/ready on TUNNELVISION_STREAMS_HTTP_PORT (which the process gets a free port
     * for); until the streams app serves it, its log says when every thread is RUNNING.
     */
    @Test
    void streamsReachesRunning() throws Exception {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            if (log("streams").contains("-> RUNNING")) {
                return;
            }
            alive();
            Thread.sleep(500);
        }
        throw new AssertionError("streams is not RUNNING after " + START.toSeconds() + " s:\n" + tail("streams"));
    }

    @Test
    void theOperatorsTokenOpensTheApiAndTheAgentsSamplesReachItThroughStreams() throws Exception {
        String api = "http://127.0.0.1:" + healthPorts.get("api");
        String operator = Files.readString(work.resolve("secrets/api/operator.token")).strip();
        awaitStatus("api", api + "/health", null, 200);
        assertEquals(401, get(api + "/api/v1/hosts", null).statusCode(), "a request without a token");
        HttpResponse<String> whoami = get(api + "/api/v1/whoami", operator);
        assertEquals(200, whoami.statusCode(), "the operator's token from api-tokens.sh: " + whoami.body());
        assertTrue(whoami.body().contains("operator"), whoami.body());

        // the agent's samples of this machine go through streams' rates into the api's database
        String host = environment("agent").get(AgentConfig.HOST_ID.env());
        long deadline = System.nanoTime() + START.toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            body = get(api + "/api/v1/hosts", operator).body();
            if (body.contains("\"" + host + "\"")) {
                return;
            }
            alive();
            Thread.sleep(1000);
        }
        throw new AssertionError("the api lists no " + host + " after " + START.toSeconds() + " s: " + body
                + "\nstreams:\n" + tail("streams") + "\nagent:\n" + tail("agent") + "\napi:\n" + tail("api"));
    }

    private static Process start(String service) throws IOException {
        Map<String, Object> def = services.get(service);
        String target = String.valueOf(((Map<?, ?>) def.get("build")).get("target"));
        String jar = root.resolve(JAR_OF_TARGET.get(target)).toString();
        Map<String, String> volumes = volumes(service);
        UnaryOperator<String> path = value -> translatePath(service, value, volumes);

        Map<String, String> env = new LinkedHashMap<>();
        environment(service).forEach((name, value) -> env.put(name, path.apply(address(value))));
        if (def.get("env_file") != null) {
            for (String line : Files.readAllLines(work.resolve(String.valueOf(def.get("env_file"))
                    .replaceFirst("^\\./", "")))) {
                int equals = line.indexOf('=');
                if (equals > 0 && !line.startsWith("#")) {
                    env.put(line.substring(0, equals), line.substring(equals + 1));
                }
            }
        }
        // the image's default paths, where the service would find them in its container
        for (Setting setting : settingsOf(service)) {
            if (!env.containsKey(setting.env()) && setting.defaultValue() != null
                    && setting.defaultValue().startsWith("/")) {
                env.put(setting.env(), path.apply(setting.defaultValue()));
            }
        }
        int port = switch (service) {
            case "api" -> put(env, ApiConfig.HTTP_PORT.env());
            case "agent" -> put(env, AgentConfig.METRICS_PORT.env());
            case "streams" -> put(env, "TUNNELVISION_STREAMS_HTTP_PORT");
            default -> 0;
        };
        healthPorts.put(service, port);

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        List<?> entrypoint = (List<?>) def.get("entrypoint");
        if (entrypoint == null) {
            command.addAll(List.of("-jar", jar));
        } else {
            for (Object word : entrypoint.subList(1, entrypoint.size())) {
                command.add(word.equals("/app/app.jar") ? jar : String.valueOf(word));
            }
        }
        Object args = def.get("command");
        if (args != null) {
            ((List<?>) args).forEach(arg -> command.add(path.apply(String.valueOf(arg))));
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve(service + ".log").toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("TUNNELVISION_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    private static List<Setting> settingsOf(String service) {
        return switch (service) {
            case "agent" -> AgentConfig.settings();
            case "streams" -> StreamsAppConfig.settings();
            case "api" -> ApiConfig.settings();
            default -> List.of();
        };
    }

    /** kafka:9092 (the compose network), localhost:29092 (the host's) and postgres:5432 are the embedded servers. */
    private static String address(String value) {
        return value.replace("kafka:9092", kafka.bootstrapServers())
                .replace("localhost:29092", kafka.bootstrapServers())
                .replace("//postgres:5432/", "//127.0.0.1:" + postgres.port() + "/");
    }

    /** Container path to host path of the service's secrets, volumes and the image's state directory. */
    private static String translatePath(String service, String value, Map<String, String> volumes) {
        if (!value.startsWith("/")) {
            return value;
        }
        if (value.startsWith("/run/secrets/")) {
            String secret = value.substring("/run/secrets/".length());
            Object file = ((Map<?, ?>) secrets.get(secret)).get("file");
            return work.resolve(String.valueOf(file).replaceFirst("^\\./", "")).toString();
        }
        String best = null;
        for (String mount : volumes.keySet()) {
            if ((value.equals(mount) || value.startsWith(mount + "/")) && (best == null || mount.length() > best.length())) {
                best = mount;
            }
        }
        if (best != null) {
            return volumes.get(best) + value.substring(best.length());
        }
        if (value.startsWith("/var/lib/tunnelvision")) {
            Path image = work.resolve("image/" + service).resolve(value.substring(1));
            try {
                Files.createDirectories(value.endsWith(".pem") ? image.getParent() : image);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return image.toString();
        }
        throw new AssertionError(service + " reads " + value + ", which neither a volume nor the image provides");
    }

    /** Container path to host path: named volumes are directories under work/volumes, /proc and /sys this host's. */
    private static Map<String, String> volumes(String service) throws IOException {
        Map<String, String> result = new LinkedHashMap<>();
        Object volumes = services.get(service).get("volumes");
        if (volumes != null) {
            for (Object volume : (List<?>) volumes) {
                String[] parts = String.valueOf(volume).split(":");
                String source = parts[0].startsWith("/") ? parts[0]
                        : Files.createDirectories(work.resolve("volumes/" + parts[0])).toString();
                result.put(parts[1], source);
            }
        }
        return result;
    }

    private static int put(Map<String, String> env, String name) {
        try (ServerSocket socket = new ServerSocket(0)) {
            env.put(name, Integer.toString(socket.getLocalPort()));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String healthUrl(String service) {
        Object test = ((Map<?, ?>) services.get(service).get("healthcheck")).get("test");
        Matcher matcher = HEALTH_URL.matcher(String.join(" ", ((List<?>) test).stream().map(String::valueOf).toList()));
        assertTrue(matcher.find(), service + "'s healthcheck asks no http://127.0.0.1 address: " + test);
        return "http://127.0.0.1:" + healthPorts.get(service) + matcher.group(2);
    }

    private static void awaitStatus(String service, String url, String token, int status) throws Exception {
        long deadline = System.nanoTime() + START.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = get(url, token);
                if (response.statusCode() == status) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            }
            alive();
            Thread.sleep(500);
        }
        throw new AssertionError(service + "'s healthcheck " + url + " still answers " + last + " after "
                + START.toSeconds() + " s:\n" + tail(service));
    }

    private static HttpResponse<String> get(String url, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void alive() {
        List<String> names = List.of("topic-init", "planner-key", "api-key", "streams", "api", "agent");
        for (int i = 3; i < processes.size(); i++) {
            String service = names.get(i);
            assertTrue(processes.get(i).isAlive(), service + " exited " + (processes.get(i).isAlive() ? ""
                    : processes.get(i).exitValue()) + ":\n" + tail(service));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> environment(String service) {
        Map<String, String> result = new LinkedHashMap<>();
        Object environment = services.get(service).get("environment");
        if (environment != null) {
            ((Map<String, Object>) environment).forEach((k, v) -> result.put(k, String.valueOf(v)));
        }
        return result;
    }

    private static void script(String name, Path dir) throws Exception {
        Process script = new ProcessBuilder("bash", root.resolve(name).toString(), dir.toString())
                .redirectErrorStream(true).start();
        String output = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, script.waitFor(), name + " failed: " + output);
    }

    /** The broker as kafka-secrets.sh configures the compose one: its keystore, CA and JAAS users. */
    private static BrokerSecurity brokerSecurity(Path dir) throws Exception {
        Path broker = dir.resolve("broker");
        char[] password = Files.readString(broker.resolve("broker-keystore.password")).strip().toCharArray();
        KeyStore keystore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(broker.resolve("broker.p12"))) {
            keystore.load(in, password);
        }
        String alias = keystore.aliases().nextElement();
        Key key = keystore.getKey(alias, password);
        StringBuilder chain = new StringBuilder();
        for (Certificate certificate : keystore.getCertificateChain(alias)) {
            chain.append(pem("CERTIFICATE", certificate.getEncoded()));
        }
        Map<String, String> users = new LinkedHashMap<>();
        Matcher user = Pattern.compile("user_([A-Za-z0-9_]+)=\"([^\"]+)\"")
                .matcher(Files.readString(broker.resolve("broker-jaas.conf")));
        while (user.find()) {
            users.put(user.group(1), user.group(2));
        }
        String admin = users.remove("admin");
        assertNotNull(admin, "broker-jaas.conf has no admin user");
        return new BrokerSecurity(Files.readString(dir.resolve("ca.crt")), chain.toString(),
                pem("PRIVATE KEY", key.getEncoded()), "admin", admin, users);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static String log(String service) {
        try {
            return Files.readString(work.resolve(service + ".log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String tail(String service) {
        List<String> lines = log(service).lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
