# syntax=docker/dockerfile:1
#
# One image per service, all from one reactor build:
#   docker build --target agent .     (likewise streams, api; docker-compose.yml builds all three)
# Each service's module shades itself into target/tunnelvision-<module>.jar, which becomes /app/app.jar.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# The cache mount keeps ~/.m2 between builds, so a source change downloads nothing.
RUN --mount=type=cache,target=/root/.m2 mvn -B -DskipTests -pl agent,streams,api -am package

# What every service image shares: a JRE, an unprivileged user and a writable /var/lib/tunnelvision holding
# the agent's spool, the streams app's state stores and the keys (created here so a volume mounted there inherits
# the owner).
FROM eclipse-temurin:17-jre AS runtime
RUN groupadd --gid 10001 tunnelvision \
 && useradd --uid 10001 --gid tunnelvision --home-dir /app --no-create-home tunnelvision \
 && mkdir -p /var/lib/tunnelvision/spool /var/lib/tunnelvision/streams /var/lib/tunnelvision/keys \
    /var/lib/tunnelvision/api-keys \
 && chown -R tunnelvision:tunnelvision /var/lib/tunnelvision
WORKDIR /app
USER tunnelvision
# Heap follows the container's memory limit instead of the host's.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/app.jar"]

FROM runtime AS agent
COPY --from=build /src/agent/target/tunnelvision-agent.jar /app/app.jar

# Also holds the schemas module, so the compose file's topic-init runs TopicInit from this image.
FROM runtime AS streams
COPY --from=build /src/streams/target/tunnelvision-streams.jar /app/app.jar

FROM runtime AS api
COPY --from=build /src/api/target/tunnelvision-api.jar /app/app.jar
EXPOSE 8080
