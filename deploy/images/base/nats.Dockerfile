# Stand-in for the official nats image on machines without a container registry (build.sh --base
# standin): Debian's nats-server (2.9) and wget, which the compose healthcheck uses for /healthz.
# Like nats:alpine, arguments starting with "-" go to nats-server.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN apt-get update \
  && apt-get install -y --no-install-recommends nats-server wget \
  && apt-get clean \
  && rm -rf /var/lib/apt/lists/* \
  && nats-server --version
EXPOSE 4222 8222
ENTRYPOINT ["nats-server"]
CMD ["--help"]
