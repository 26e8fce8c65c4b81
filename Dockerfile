# One image for every role: docker run panoptes <role> [options] (worker, ingest, aggregator, actions, broker, local, ...).
# Built from source: docker build -t panoptes .   (the GPU variant: Dockerfile.gpu)
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY kafka-embedded kafka-embedded
COPY testkit testkit
COPY schemas schemas
COPY observability observability
COPY ingest ingest
COPY inference-worker inference-worker
COPY aggregator aggregator
COPY actions actions
COPY app app
COPY deploy deploy
RUN mvn -B -q -DskipTests -pl app -am package

FROM eclipse-temurin:17-jre
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 10001 --create-home --shell /usr/sbin/nologin panoptes
COPY --from=build /src/app/target/panoptes.jar /opt/panoptes/panoptes.jar
COPY inference-worker/src/main/resources/models /opt/panoptes/models
# ONNX Runtime's Java binding crashes on long command lines unless its telemetry is off;
# the heap follows the container's memory limit
ENV ORT_DISABLE_TELEMETRY=1 \
    PANOPTES_METRICS_PORT=9400 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError"
USER 10001
WORKDIR /home/panoptes
EXPOSE 9400
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s CMD curl -fs http://localhost:9400/health || exit 1
ENTRYPOINT ["java", "-jar", "/opt/panoptes/panoptes.jar"]
CMD ["--help"]
