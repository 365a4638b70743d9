package io.tunnelvision.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tunnelvision.agent.AgentConfig;
import io.tunnelvision.api.ApiConfig;
import io.tunnelvision.api.http.ApiToken;
import io.tunnelvision.api.http.Role;
import io.tunnelvision.config.ConfigException;
import io.tunnelvision.config.Env;
import io.tunnelvision.config.KafkaRoles;
import io.tunnelvision.config.KafkaSecurity;
import io.tunnelvision.config.KafkaSettings;
import io.tunnelvision.config.Setting;
import io.tunnelvision.schemas.topic.TopicAcls;
import io.tunnelvision.schemas.topic.TopicInit;
import io.tunnelvision.streams.StreamsAppConfig;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.Driver;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Docker is not needed to catch most ways the compose file can rot: it is read as YAML and checked against the
 * Dockerfile and the config classes, so a renamed setting, stage or port fails the build instead of a demo.
 */
class ComposeFileTest {

    /** Which settings each service built from this repository reads, by compose service name. */
    private static final Map<String, List<Setting>> SETTINGS_OF_SERVICE = Map.of(
            "agent", AgentConfig.settings(),
            "streams", StreamsAppConfig.settings(),
            "api", ApiConfig.settings(),
            "topic-init", TopicInit.settings(),
            "planner-key", List.of(),
            "api-key", List.of());

    /** Builds each long-running service's config from the environment compose gives it. */
    private static final Map<String, Function<Env, Object>> CONFIG_OF_SERVICE = Map.of(
            "agent", AgentConfig::new,
            "streams", StreamsAppConfig::new,
            "api", ApiConfig::new);

    private static final Pattern STAGE = Pattern.compile("^\\s*FROM\\s+(?:--\\S+\\s+)*\\S+\\s+AS\\s+(\\S+)\\s*$",
            Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);
    private static final Pattern VARIABLE = Pattern.compile("TUNNELVISION_[A-Z0-9_]+");
    private static final Pattern HEALTH_URL = Pattern.compile("https?://[^\\s\"']+");
    private static final Pattern LISTENER = Pattern.compile("([A-Za-z0-9_]+)://([^:,]*):(\\d+)");
    private static final Set<String> CONDITIONS =
            Set.of("service_started", "service_healthy", "service_completed_successfully");

    private static Path root;
    private static String composeText;
    private static Map<String, Map<String, Object>> services;

    @BeforeAll
    static void readComposeFile() throws IOException {
        root = RepoRoot.find();
        Path file = root.resolve("docker-compose.yml");
        assertTrue(Files.isRegularFile(file), "no docker-compose.yml in " + root);
        composeText = Files.readString(file);
        Map<String, Object> compose =
                map(new Yaml(new SafeConstructor(new LoaderOptions())).load(composeText), "the compose file");
        services = new LinkedHashMap<>();
        map(compose.get("services"), "services").forEach((name, def) -> services.put(name, map(def, name)));
    }

    @Test
    void everyServiceBuiltFromThisRepoNamesAStageOfTheDockerfile() throws IOException {
        for (String service : ourServices()) {
            Map<String, Object> build = map(services.get(service).get("build"),
                    service + ".build (a map with context and target)");
            assertEquals(".", String.valueOf(build.get("context")),
                    service + " must be built from the repository root, where the Dockerfile and all modules are");
            Path dockerfile = root.resolve(String.valueOf(build.getOrDefault("dockerfile", "Dockerfile")));
            assertTrue(Files.isRegularFile(dockerfile), service + " is built from " + dockerfile + ", which is missing");
            Object target = build.get("target");
            assertNotNull(target, service + " names no build target, so it would get whatever stage comes last");
            Set<String> stages = stages(Files.readString(dockerfile));
            assertTrue(stages.contains(target.toString().toLowerCase()), service + " is built from target '"
                    + target + "', but " + dockerfile.getFileName() + " only has the stages " + stages);
        }
    }

    @Test
    void everyServiceBuiltFromThisRepoIsKnownToThisTest() {
        assertEquals(new TreeSet<>(SETTINGS_OF_SERVICE.keySet()), new TreeSet<>(ourServices()),
                "the services built from this repository and the ones this test knows the settings of differ:"
                        + " add the new service's config class to SETTINGS_OF_SERVICE, or remove a stale entry");
    }

    @Test
    void ourServicesAreConfiguredOnlyThroughTheirOwnSettings() {
        for (String service : ourServices()) {
            Set<String> known = names(SETTINGS_OF_SERVICE.get(service));
            for (Map.Entry<String, String> variable : environment(service).entrySet()) {
                assertTrue(known.contains(variable.getKey()), service + " sets " + variable.getKey()
                        + ", which is not a setting of its config class (it reads " + new TreeSet<>(known) + ")");
                assertNotNull(variable.getValue(), service + " sets " + variable.getKey()
                        + " without a value, so compose would pass on whatever the host's shell has");
            }
        }
    }

    @Test
    void environmentValuesAreStringsOrNumbers() {
        services.forEach((service, def) -> {
            if (def.get("environment") instanceof Map<?, ?> environment) {
                environment.forEach((name, value) -> assertFalse(value instanceof Boolean, service + " sets " + name
                        + " to a YAML boolean: quote it, compose takes only strings and numbers"));
            }
        });
    }

    @Test
    void everyTunnelvisionVariableNamedAnywhereInTheFileIsASetting() {
        Set<String> known = SETTINGS_OF_SERVICE.values().stream()
                .flatMap(List::stream).map(Setting::env).collect(Collectors.toSet());
        Matcher matcher = VARIABLE.matcher(composeText);
        while (matcher.find()) {
            assertTrue(known.contains(matcher.group()), "the compose file names " + matcher.group()
                    + ", which no config class reads: a typo, or a setting that was renamed or removed");
        }
    }

    @Test
    void ourServicesAcceptTheValuesComposeGivesThem() {
        for (var config : CONFIG_OF_SERVICE.entrySet()) {
            try {
                config.getValue().apply(new Env(environment(config.getKey())));
            } catch (ConfigException e) {
                fail(config.getKey() + " would refuse to start with the compose file's environment: "
                        + e.getMessage(), e);
            }
        }
    }

    @Test
    void theApiPublishesThePortItListensOn() {
        ApiConfig api = new ApiConfig(new Env(environment("api")));
        assertEquals(Integer.parseInt(ApiConfig.HTTP_PORT.defaultValue()), api.httpPort(),
                "compose moves the api off its default port " + ApiConfig.HTTP_PORT.defaultValue()
                        + ", which the Dockerfile exposes and the README documents");
        Object ports = services.get("api").get("ports");
        assertInstanceOf(List.class, ports, "the api publishes no ports, so nobody outside compose can reach it");
        List<Integer> containerPorts = ((List<?>) ports).stream().map(ComposeFileTest::containerPort).toList();
        assertTrue(containerPorts.contains(api.httpPort()), "the api listens on " + api.httpPort()
                + " but compose publishes the container ports " + containerPorts);
    }

    @Test
    void everyDependencyNamesAServiceAndAConditionItCanMeet() {
        services.forEach((service, def) -> dependencies(service).forEach((dependency, condition) -> {
            assertTrue(services.containsKey(dependency),
                    service + " depends on '" + dependency + "', which is not a service of the compose file");
            assertTrue(CONDITIONS.contains(condition),
                    service + " waits for " + dependency + " with the unknown condition '" + condition + "'");
            if (condition.equals("service_healthy")) {
                assertTrue(services.get(dependency).containsKey("healthcheck"), service + " waits for "
                        + dependency + " to be healthy, but " + dependency + " has no healthcheck");
            }
        }));
    }

    @Test
    void ourServicesBootstrapFromAListenerKafkaAdvertisesWhereTheyRun() {
        String kafka = serviceWithImage("apache/kafka");
        Map<String, String> broker = environment(kafka);
        Map<String, String> declared = listeners(broker.get("KAFKA_LISTENERS"), kafka, "KAFKA_LISTENERS");
        Set<String> onComposeNetwork = new HashSet<>();
        Set<String> onHostNetwork = new HashSet<>();
        Set<Integer> published = publishedLoopbackPorts(kafka);
        listeners(broker.get("KAFKA_ADVERTISED_LISTENERS"), kafka, "KAFKA_ADVERTISED_LISTENERS")
                .forEach((name, hostPort) -> {
                    String port = hostPort.substring(hostPort.lastIndexOf(':') + 1);
                    assertTrue(declared.containsKey(name) && declared.get(name).endsWith(":" + port), kafka
                            + " advertises " + name + "://" + hostPort + " but declares no such listener in "
                            + "KAFKA_LISTENERS " + declared);
                    if (hostPort.startsWith(kafka + ":")) {
                        onComposeNetwork.add(hostPort);
                    }
                    // reachable from the host's network only when the broker publishes that port on the host
                    boolean loopbackName = hostPort.startsWith("localhost:") || hostPort.startsWith("127.0.0.1:");
                    if (loopbackName && published.contains(Integer.parseInt(port))) {
                        onHostNetwork.add(hostPort);
                    }
                });
        assertFalse(onComposeNetwork.isEmpty(), kafka + " advertises no listener under its service name, so no"
                + " other container can reach it");

        for (String service : ourServices()) {
            if (!names(SETTINGS_OF_SERVICE.get(service)).contains(KafkaSettings.BOOTSTRAP.env())) {
                continue;
            }
            boolean hostNetwork = "host".equals(services.get(service).get("network_mode"));
            Set<String> reachable = hostNetwork ? onHostNetwork : onComposeNetwork;
            String where = hostNetwork ? "on the host's network (published on the loopback)" : "on the compose network";
            String bootstrap = environment(service).get(KafkaSettings.BOOTSTRAP.env());
            assertNotNull(bootstrap, service + " does not set " + KafkaSettings.BOOTSTRAP.env() + ", so it would"
                    + " look for Kafka at " + KafkaSettings.BOOTSTRAP.defaultValue() + " inside its own container");
            for (String server : bootstrap.split(",")) {
                assertTrue(reachable.contains(server.trim()), service + " bootstraps from " + server
                        + ", which is not a listener " + kafka + " advertises " + where + " " + reachable);
            }
            assertTrue(dependsTransitively(service, kafka),
                    service + " talks to Kafka but does not wait for " + kafka + " to start");
        }
    }

    @Test
    void everyLongRunningServiceHasAHealthcheckAndEveryOneShotIsAwaitedUntilItSucceeded() {
        services.forEach((service, def) -> {
            boolean oneShot = "no".equals(String.valueOf(def.get("restart")));
            assertEquals(!oneShot, def.containsKey("healthcheck"), oneShot
                    ? service + " is a one-shot job (restart: \"no\"): a healthcheck would mark it unhealthy once it exits"
                    : service + " runs until stopped but has no healthcheck, so nothing can wait for it to be ready");
        });
        services.forEach((service, def) -> dependencies(service).forEach((dependency, condition) -> {
            boolean oneShot = "no".equals(String.valueOf(services.get(dependency).get("restart")));
            assertEquals(oneShot ? "service_completed_successfully" : "service_healthy", condition, service
                    + " waits for " + dependency + (oneShot ? ", a one-shot job, " : ", a long-running service, ")
                    + "with the wrong condition");
        }));
    }

    @Test
    void healthchecksAskTheAddressEachServiceListensOn() {
        Map<String, String> expected = new LinkedHashMap<>();
        ApiConfig api = new ApiConfig(new Env(environment("api")));
        expected.put("api", "http://127.0.0.1:" + api.httpPort() + "/health");
        AgentConfig agent = new AgentConfig(new Env(environment("agent")));
        expected.put("agent", "http://" + agent.metricsBind().getHostAddress() + ":" + agent.metricsPort() + "/metrics");
        // TUNNELVISION_STREAMS_HTTP_PORT's default; ready answers 200 only while every stream thread is RUNNING
        expected.put("streams", "http://127.0.0.1:8081/health/ready");
        expected.forEach((service, url) -> assertEquals(url, healthcheckUrl(service),
                service + "'s healthcheck asks another address than the one the service serves"));
    }

    @Test
    void theDemoAgentIsOnTheHostsNetworkAndPidNamespaces() {
        Map<String, Object> agent = services.get("agent");
        assertEquals("host", agent.get("network_mode"), "the agent must be on the host's network: in a network"
                + " namespace of its own it reads the container's /proc/net/snmp and rp_filter, and"
                + " netdev_budget, netdev_max_backlog and rps_sock_flow_entries do not exist at all");
        assertEquals("host", agent.get("pid"), "the agent must be in the host's PID namespace, or the host's /proc"
                + " mounted in it has no /proc/self, and /proc/net (a link to self/net) cannot be read");
        assertFalse(agent.containsKey("ports"), "a service on the host's network publishes no ports");
    }

    @Test
    void theTokenScriptMakesTheTokensWhoseHashesTheApiGets() throws Exception {
        Path out = Files.createTempDirectory("api-tokens-");
        Process script = new ProcessBuilder("bash", root.resolve("api-tokens.sh").toString(),
                out.resolve("api").toString()).redirectErrorStream(true).start();
        String output = new String(script.getInputStream().readAllBytes());
        assertEquals(0, script.waitFor(), "api-tokens.sh failed: " + output);

        Map<String, String> env = new LinkedHashMap<>(environment("api"));
        Map<String, String> fromFile = envFile(out, "api");
        assertEquals(Set.of(ApiConfig.TOKENS.env()), fromFile.keySet(), "the api's env_file should set the tokens");
        env.putAll(fromFile);
        List<ApiToken> tokens = new ApiConfig(new Env(env)).tokens();
        Optional<ApiToken> operator = ApiToken.match(tokens,
                Files.readString(out.resolve("api/operator.token")).strip());
        assertTrue(operator.isPresent() && operator.get().role() == Role.OPERATOR,
                "the api does not take operator.token as an operator's token: " + tokens);
        Optional<ApiToken> viewer = ApiToken.match(tokens, Files.readString(out.resolve("api/viewer.token")).strip());
        assertTrue(viewer.isPresent() && viewer.get().role() == Role.VIEWER,
                "the api does not take viewer.token as a viewer's token: " + tokens);
        assertFalse(Files.readString(out.resolve("api/tokens.env"))
                        .contains(Files.readString(out.resolve("api/operator.token")).strip()),
                "tokens.env holds a token itself, not only its hash");
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(out.resolve("api/operator.token"))), "operator.token is not private");

        Process again = new ProcessBuilder("bash", root.resolve("api-tokens.sh").toString(),
                out.resolve("api").toString()).redirectErrorStream(true).start();
        String refused = new String(again.getInputStream().readAllBytes());
        assertEquals(1, again.waitFor(), "a second run must keep the tokens in use: " + refused);
        assertTrue(ApiToken.match(tokens, Files.readString(out.resolve("api/operator.token")).strip()).isPresent(),
                "a second run without --force replaced the operator's token");
    }

    @Test
    void allServicesUseTheSameTopicNamespace() {
        Set<String> namespaces = ourServices().stream()
                .filter(s -> names(SETTINGS_OF_SERVICE.get(s)).contains(KafkaSettings.TOPIC_NAMESPACE.env()))
                .map(s -> environment(s).getOrDefault(KafkaSettings.TOPIC_NAMESPACE.env(),
                        KafkaSettings.TOPIC_NAMESPACE.defaultValue()))
                .map(namespace -> "'" + namespace + "'")
                .collect(Collectors.toSet());
        assertTrue(namespaces.size() <= 1, "services disagree on " + KafkaSettings.TOPIC_NAMESPACE.env() + " "
                + namespaces + ", so some would read topics that others never write");
    }

    @Test
    void theDatabaseUrlPointsAtThePostgresService() {
        String postgres = serviceWithImage("postgres");
        Map<String, String> server = environment(postgres);
        Map<String, String> api = environment("api");
        String url = api.get(ApiConfig.DB_URL.env());
        Properties parsed = Driver.parseURL(url, null);
        assertNotNull(parsed, "the api's " + ApiConfig.DB_URL.env() + "=" + url + " is not a PostgreSQL JDBC URL");

        assertEquals(postgres, parsed.getProperty("PGHOST"),
                "the api's database URL " + url + " must name the " + postgres + " service as its host");
        assertEquals("5432", parsed.getProperty("PGPORT"),
                "the api's database URL " + url + " must use the port " + postgres + " listens on");
        String user = server.getOrDefault("POSTGRES_USER", "postgres");
        assertEquals(server.getOrDefault("POSTGRES_DB", user), parsed.getProperty("PGDBNAME"),
                "the api's database URL " + url + " names a database that " + postgres + " does not create");
        assertEquals(user, api.get(ApiConfig.DB_USER.env()),
                "the api logs in as a user that " + postgres + " does not create");
        assertEquals(server.get("POSTGRES_PASSWORD"), api.get(ApiConfig.DB_PASSWORD.env()),
                "the api's database password differs from the one " + postgres + " is started with");
        assertTrue(dependsTransitively("api", postgres), "the api does not wait for " + postgres + " to start");
    }

    @Test
    void entrypointsThatNameAClassNameOneWithAMainMethod() throws ReflectiveOperationException {
        for (String service : ourServices()) {
            Object entrypoint = services.get(service).get("entrypoint");
            if (entrypoint == null) {
                continue;
            }
            List<String> words = ((List<?>) assertInstanceOf(List.class, entrypoint,
                    service + ": write the entrypoint as a list, so no shell splits it"))
                    .stream().map(String::valueOf).toList();
            int classpath = words.indexOf("-cp");
            assertTrue(words.get(0).equals("java") && classpath >= 0 && words.size() == classpath + 3,
                    service + "'s entrypoint should be [java, -cp, JAR, MAIN_CLASS] but is " + words);
            String mainClass = words.get(classpath + 2);
            Class<?> type;
            try {
                type = Class.forName(mainClass);
            } catch (ClassNotFoundException e) {
                throw new AssertionError(service + "'s entrypoint runs " + mainClass
                        + ", which is in none of this repository's modules", e);
            }
            Method main = type.getMethod("main", String[].class);
            assertTrue(Modifier.isStatic(main.getModifiers()), mainClass + ".main is not static");
        }
    }

    @Test
    void theDemoAgentReadsTheHostsProcAndSysReadOnly() {
        Map<String, String> agent = environment("agent");
        Map<String, String> mounts = readOnlyMounts("agent");
        assertEquals("/proc", mounts.get(agent.get(AgentConfig.PROC_ROOT.env())), "the agent's "
                + AgentConfig.PROC_ROOT.env() + " must be where the host's /proc is mounted read-only: " + mounts);
        assertEquals("/sys", mounts.get(agent.get(AgentConfig.SYS_ROOT.env())), "the agent's "
                + AgentConfig.SYS_ROOT.env() + " must be where the host's /sys is mounted read-only: " + mounts);
    }

    @Test
    void everyKafkaListenerTakesOnlyTlsWithASaslLoginAndTheAuthorizerDeniesWhatNoAclAllows() {
        String kafka = serviceWithImage("apache/kafka");
        Map<String, String> broker = environment(kafka);
        Map<String, String> protocols = new LinkedHashMap<>();
        for (String entry : broker.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").split(",")) {
            String[] nameAndProtocol = entry.trim().split(":");
            protocols.put(nameAndProtocol[0], nameAndProtocol[1]);
        }
        assertEquals(listeners(broker.get("KAFKA_LISTENERS"), kafka, "KAFKA_LISTENERS").keySet(), protocols.keySet(),
                "every listener needs its protocol in KAFKA_LISTENER_SECURITY_PROTOCOL_MAP");
        protocols.forEach((listener, protocol) -> assertEquals("SASL_SSL", protocol, kafka + "'s listener "
                + listener + " is " + protocol + ": any container could reach it without TLS or without a login"));
        assertEquals("org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                broker.get("KAFKA_AUTHORIZER_CLASS_NAME"), kafka + " runs without the authorizer: ACLs mean nothing");
        assertFalse("true".equalsIgnoreCase(broker.get("KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND")),
                kafka + " lets everyone do what no ACL mentions");
    }

    @Test
    void eachServiceLogsInAsItsOwnRoleWithSecretsFromFilesAndOnlyTopicInitIsASuperUser() {
        Set<String> superUsers = Set.of(environment(serviceWithImage("apache/kafka")).get("KAFKA_SUPER_USERS")
                .split(";"));
        Map<String, String> principals = new LinkedHashMap<>();
        for (String service : kafkaClients()) {
            Env env = new Env(environment(service));
            KafkaSecurity security = KafkaSecurity.from(env);
            assertTrue(security.toString().contains("SASL_SSL") && security.toString().contains("checked against"),
                    service + " talks to Kafka without TLS, a login or the CA: " + security);
            for (Setting file : List.of(KafkaSettings.SASL_PASSWORD_FILE, KafkaSettings.SSL_CA_FILE)) {
                String path = env.string(file);
                assertTrue(path.startsWith("/run/secrets/") && secretsOf(service).contains(
                        path.substring("/run/secrets/".length())), service + "'s " + file.env() + "=" + path
                        + " is not one of the compose secrets it lists " + secretsOf(service));
            }
            String principal = "User:" + env.string(KafkaSettings.SASL_USERNAME);
            assertTrue(principals.put(principal, service) == null, service + " and " + principals.get(principal)
                    + " share the principal " + principal);
            assertEquals(service.equals("topic-init"), superUsers.contains(principal), principal + " of " + service
                    + (superUsers.contains(principal) ? " is a super user" : " cannot create topics and ACLs"));
        }
        TopicAcls.Roles roles = KafkaRoles.roles(new Env(environment("topic-init")));
        assertEquals(Map.of("agent", roles.agent(), "streams", roles.streams(), "api", roles.api()), Map.of(
                "agent", principalOf("agent"), "streams", principalOf("streams"), "api", principalOf("api")),
                "topic-init grants the ACLs to other principals than the services log in as");
        assertEquals(new StreamsAppConfig(new Env(environment("streams"))).applicationId(),
                roles.streamsApplicationId(), "topic-init grants the streams ACLs for another application id");
        assertEquals(new ApiConfig(new Env(environment("api"))).consumerGroup(), roles.apiConsumerGroup(),
                "topic-init grants the api's group ACL to another group");
        assertEquals(List.of("--acls"), services.get("topic-init").get("command"), "topic-init creates no ACLs");
    }

    @Test
    void theSecretsScriptMakesEveryFileTheComposeFileReads() throws Exception {
        Path out = Files.createTempDirectory("kafka-secrets-");
        Process script = new ProcessBuilder("bash", root.resolve("kafka-secrets.sh").toString(),
                out.resolve("kafka").toString()).redirectErrorStream(true).start();
        String output = new String(script.getInputStream().readAllBytes());
        assertEquals(0, script.waitFor(), "kafka-secrets.sh failed: " + output);
        // what compose reads under ./secrets/kafka is where the script wrote it under out/kafka
        Function<String, Path> written = path -> out.resolve(path.replaceFirst("^\\./secrets/", ""));
        Map<String, Object> secrets = map(new Yaml(new SafeConstructor(new LoaderOptions())).<Map<String, Object>>load(
                composeText).get("secrets"), "secrets");
        secrets.forEach((name, def) -> assertTrue(Files.isRegularFile(written.apply(String.valueOf(
                map(def, name).get("file")))), "the script makes no " + map(def, name).get("file")));
        Path brokerDir = written.apply(readOnlyMounts(serviceWithImage("apache/kafka")).get("/etc/kafka/secrets"));
        Map<String, String> broker = environment(serviceWithImage("apache/kafka"));
        for (String file : List.of(broker.get("KAFKA_SSL_KEYSTORE_FILENAME"), broker.get("KAFKA_SSL_KEY_CREDENTIALS"),
                "broker-jaas.conf", "admin-client.properties", "ca.crt")) {
            assertTrue(Files.isRegularFile(brokerDir.resolve(file)), "the script makes no broker file " + file);
        }
        // the broker knows each service's password under the user name the service logs in with
        String jaas = Files.readString(brokerDir.resolve("broker-jaas.conf"));
        for (String service : kafkaClients()) {
            Env env = new Env(environment(service));
            String secret = env.string(KafkaSettings.SASL_PASSWORD_FILE).substring("/run/secrets/".length());
            String password = Files.readString(written.apply(String.valueOf(map(secrets.get(secret), secret)
                    .get("file")))).strip();
            assertTrue(jaas.contains("user_" + env.string(KafkaSettings.SASL_USERNAME) + "=\"" + password + "\""),
                    "the broker does not accept " + service + "'s password for its user");
        }
        // the keystore opens with its password and holds a certificate for the service name clients connect to
        KeyStore keystore = KeyStore.getInstance("PKCS12");
        char[] storePassword = Files.readString(brokerDir.resolve(broker.get("KAFKA_SSL_KEYSTORE_CREDENTIALS")))
                .toCharArray();
        try (InputStream in = Files.newInputStream(brokerDir.resolve(broker.get("KAFKA_SSL_KEYSTORE_FILENAME")))) {
            keystore.load(in, storePassword);
        }
        X509Certificate certificate = (X509Certificate) keystore.getCertificate(keystore.aliases()
                .nextElement());
        String kafka = serviceWithImage("apache/kafka");
        assertTrue(certificate.getSubjectAlternativeNames().stream().anyMatch(san -> san.get(1).equals(kafka)),
                "the broker's certificate is not valid for the host name " + kafka + " the services connect to");
    }

    /** The {@code http://...} address a service's healthcheck asks. */
    private static String healthcheckUrl(String service) {
        Map<String, Object> healthcheck = map(services.get(service).get("healthcheck"), service + ".healthcheck");
        String test = String.join(" ", ((List<?>) assertInstanceOf(List.class, healthcheck.get("test"),
                service + ".healthcheck.test should be a list")).stream().map(String::valueOf).toList());
        Matcher url = HEALTH_URL.matcher(test);
        assertTrue(url.find(), service + "'s healthcheck asks no http:// address: " + test);
        return url.group();
    }

    /**
     * The variables of a service's {@code env_file}, from the files a script wrote under {@code out} where compose
     * reads {@code ./secrets/...}.
     */
    static Map<String, String> envFile(Path out, String service) throws IOException {
        Object file = services.get(service).get("env_file");
        assertNotNull(file, service + " has no env_file");
        Path path = out.resolve(String.valueOf(file).replaceFirst("^\\./secrets/", ""));
        Map<String, String> result = new LinkedHashMap<>();
        for (String line : Files.readAllLines(path)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int equals = line.indexOf('=');
                result.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return result;
    }

    /** Container ports a service publishes on the host's loopback (or on every address, which includes it). */
    private static Set<Integer> publishedLoopbackPorts(String service) {
        Set<Integer> result = new HashSet<>();
        Object ports = services.get(service).get("ports");
        if (ports instanceof List<?> list) {
            for (Object port : list) {
                String text = String.valueOf(port);
                if (port instanceof Map<?, ?> || text.split(":").length < 3 || text.startsWith("127.0.0.1:")) {
                    result.add(containerPort(port));
                }
            }
        }
        return result;
    }

    private static String principalOf(String service) {
        return "User:" + new Env(environment(service)).string(KafkaSettings.SASL_USERNAME);
    }

    private static List<String> secretsOf(String service) {
        Object secrets = services.get(service).get("secrets");
        return secrets == null ? List.of() : ((List<?>) secrets).stream().map(String::valueOf).toList();
    }

    /** Our services that talk to Kafka (the key jobs only write files). */
    private static List<String> kafkaClients() {
        return ourServices().stream()
                .filter(s -> names(SETTINGS_OF_SERVICE.get(s)).contains(KafkaSettings.BOOTSTRAP.env())).toList();
    }

    private static List<String> ourServices() {
        return services.entrySet().stream().filter(e -> e.getValue().containsKey("build")).map(Map.Entry::getKey)
                .toList();
    }

    private static Set<String> stages(String dockerfile) {
        Set<String> stages = new TreeSet<>();
        Matcher matcher = STAGE.matcher(dockerfile);
        while (matcher.find()) {
            stages.add(matcher.group(1).toLowerCase());
        }
        return stages;
    }

    private static Set<String> names(List<Setting> settings) {
        return settings.stream().map(Setting::env).collect(Collectors.toSet());
    }

    /** Both forms compose accepts: a map, or a list of {@code NAME=value}; a bare {@code NAME} has no value. */
    private static Map<String, String> environment(String service) {
        Object environment = services.get(service).get("environment");
        Map<String, String> result = new LinkedHashMap<>();
        if (environment instanceof List<?> list) {
            for (Object entry : list) {
                String text = String.valueOf(entry);
                int equals = text.indexOf('=');
                result.put(equals < 0 ? text : text.substring(0, equals), equals < 0 ? null : text.substring(equals + 1));
            }
        } else if (environment != null) {
            map(environment, service + ".environment")
                    .forEach((name, value) -> result.put(name, value == null ? null : String.valueOf(value)));
        }
        return result;
    }

    /** Both forms compose accepts: a list of service names, or a map from name to {@code condition}. */
    private static Map<String, String> dependencies(String service) {
        Object dependsOn = services.get(service).get("depends_on");
        Map<String, String> result = new LinkedHashMap<>();
        if (dependsOn instanceof List<?> list) {
            list.forEach(name -> result.put(String.valueOf(name), "service_started"));
        } else if (dependsOn != null) {
            map(dependsOn, service + ".depends_on").forEach((name, options) -> result.put(name,
                    String.valueOf(map(options, service + ".depends_on." + name)
                            .getOrDefault("condition", "service_started"))));
        }
        return result;
    }

    private static boolean dependsTransitively(String service, String target) {
        Deque<String> todo = new ArrayDeque<>(List.of(service));
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            String next = todo.pop();
            if (seen.add(next) && services.containsKey(next)) {
                Set<String> direct = dependencies(next).keySet();
                if (direct.contains(target)) {
                    return true;
                }
                todo.addAll(direct);
            }
        }
        return false;
    }

    private static String serviceWithImage(String image) {
        List<String> matching = services.entrySet().stream()
                .filter(e -> String.valueOf(e.getValue().get("image")).startsWith(image + ":"))
                .map(Map.Entry::getKey).toList();
        assertEquals(1, matching.size(), "expected exactly one service running the " + image + " image, found "
                + matching);
        return matching.get(0);
    }

    /** {@code NAME://host:port,...} as listener name to {@code host:port}. */
    private static Map<String, String> listeners(String value, String kafka, String variable) {
        assertNotNull(value, kafka + " does not set " + variable);
        Map<String, String> result = new LinkedHashMap<>();
        for (String listener : value.split(",")) {
            Matcher matcher = LISTENER.matcher(listener.trim());
            assertTrue(matcher.matches(), kafka + "'s " + variable + " has '" + listener + "', not NAME://HOST:PORT");
            result.put(matcher.group(1), matcher.group(2) + ":" + matcher.group(3));
        }
        return result;
    }

    /** Short syntax {@code [IP:][HOST:]CONTAINER[/PROTOCOL]} or long syntax with {@code target}. */
    private static int containerPort(Object port) {
        if (port instanceof Map<?, ?> longSyntax) {
            return Integer.parseInt(String.valueOf(longSyntax.get("target")));
        }
        String text = String.valueOf(port);
        String container = text.substring(text.lastIndexOf(':') + 1);
        int slash = container.indexOf('/');
        return Integer.parseInt(slash < 0 ? container : container.substring(0, slash));
    }

    /** Container path to host path of every read-only bind mount, in short or long syntax. */
    private static Map<String, String> readOnlyMounts(String service) {
        Object volumes = services.get(service).get("volumes");
        Map<String, String> result = new LinkedHashMap<>();
        if (volumes == null) {
            return result;
        }
        for (Object volume : assertInstanceOf(List.class, volumes, service + ".volumes should be a list")) {
            if (volume instanceof Map<?, ?> longSyntax) {
                if (Boolean.TRUE.equals(longSyntax.get("read_only"))) {
                    result.put(String.valueOf(longSyntax.get("target")), String.valueOf(longSyntax.get("source")));
                }
            } else {
                List<String> parts = List.of(String.valueOf(volume).split(":"));
                if (parts.size() == 3 && Stream.of(parts.get(2).split(",")).anyMatch("ro"::equals)) {
                    result.put(parts.get(1), parts.get(0));
                }
            }
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String what) {
        assertInstanceOf(Map.class, value, what + " should be a YAML mapping but is " + value);
        Map<String, Object> result = new LinkedHashMap<>();
        ((Map<Object, Object>) value).forEach((key, v) -> result.put(String.valueOf(key), v));
        return result;
    }
}
