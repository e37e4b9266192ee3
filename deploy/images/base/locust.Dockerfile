# Stand-in for locustio/locust on machines without a container registry (build.sh --base
# standin): Debian's python3-locust (2.12, the version the load driver's tests run), the `locust`
# user and working directory of the official image, and `locust` as the entrypoint.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3-locust \
  && apt-get clean \
  && rm -rf /var/lib/apt/lists/* \
  && useradd --uid 1000 --create-home --shell /bin/bash locust \
  && locust --version
USER locust
WORKDIR /home/locust
EXPOSE 8089
ENTRYPOINT ["locust"]
