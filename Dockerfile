# The priority-sync action image: one static binary and the CA bundle on an empty base.
#
# Release (default, BINARY_SOURCE=build): the `builder` stage compiles a static musl binary
# from this repository:
#   docker build -t ghcr.io/omnigrid/priority-sync:vX.Y.Z .
#
# Smoke build without pulling any image (.ci/run, BINARY_SOURCE=prebuilt): the context is a
# directory holding a host-built musl binary `priority-sync` and `ca-certificates.crt`; only
# the `scratch` stages are built and the builder stage is skipped:
#   buildah build --build-arg BINARY_SOURCE=prebuilt -f Dockerfile <dir>

# `build` (compile in the builder stage) or `prebuilt` (copy from the build context).
ARG BINARY_SOURCE=build

# The builder image, by tag here (a literal FROM, so Dependabot can propose new ones).
# .github/workflows/release.yml resolves the tag to its digest when it releases and builds
# from `rust:…@sha256:…`, named in the release's job summary and covered by its provenance.
FROM rust:1.95-slim-bookworm AS builder
# musl-tools: musl-gcc, the C compiler `ring` needs for the musl target. Package versions are
# not pinned (DL3008): the bookworm base tag fixes the distribution, and pinned Debian versions
# disappear from the mirrors at each point release.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends musl-tools ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && rustup target add x86_64-unknown-linux-musl
ENV CC_x86_64_unknown_linux_musl=musl-gcc \
    CARGO_TERM_COLOR=never
WORKDIR /src
COPY . .
RUN cargo build --locked --release --target x86_64-unknown-linux-musl --bin priority-sync \
    && cp target/x86_64-unknown-linux-musl/release/priority-sync /priority-sync \
    && /priority-sync --version

FROM scratch AS binary-build
COPY --from=builder /priority-sync /priority-sync
COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt

FROM scratch AS binary-prebuilt
COPY priority-sync /priority-sync
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt

# The final image: one of the two stages above (DL3006 is about registry images, not stages).
# hadolint ignore=DL3006
FROM binary-${BINARY_SOURCE}
LABEL org.opencontainers.image.title="priority-sync" \
      org.opencontainers.image.description="Keeps a fleet of forks in sync with their upstreams, most important first" \
      org.opencontainers.image.source="https://github.com/omnigrid/priority-sync" \
      org.opencontainers.image.licenses="MIT"
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
# No USER: a Docker container action runs as the image's default user (root here), which is
# what the runner expects; the mounted workspace and the GITHUB_OUTPUT/GITHUB_STEP_SUMMARY
# files belong to the runner, and a non-root user could not write them. The runner sets the
# working directory (/github/workspace) itself.
ENTRYPOINT ["/priority-sync"]
