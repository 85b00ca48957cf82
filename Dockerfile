# Build stage: the same wrapper command as the README.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
RUN ./mvnw -B -q dependency:go-offline
COPY src src
COPY fhir-profiles fhir-profiles
COPY sample-bundles sample-bundles
RUN ./mvnw -B -DskipTests package

# Run stage: JRE only, non-root, data on a volume.
FROM eclipse-temurin:17-jre
RUN groupadd --system hemefhir && useradd --system --gid hemefhir --home-dir /app hemefhir \
    && mkdir -p /app /data && chown hemefhir:hemefhir /app /data
WORKDIR /app
COPY --from=build /src/target/hemefhir.jar /app/hemefhir.jar
USER hemefhir
VOLUME /data
ENV HEMEFHIR_DATA_DIR=/data
# On a network: tokens required. Set HEMEFHIR_SECURITY_ISSUER to the public base URL and register
# clients with "client create" (docs/security.md).
ENV HEMEFHIR_SECURITY_MODE=smart
EXPOSE 8080
# bash's /dev/tcp keeps the image free of curl/wget.
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080 && printf "GET /actuator/health HTTP/1.0\r\nHost: localhost\r\n\r\n" >&3 && grep -q "\"status\":\"UP\"" <&3' || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/hemefhir.jar"]
