# tna-relay with the console embedded, on Debian slim.
#   docker build -t tna-relay .
#   docker run -p 8080:8080 -v tna-relay:/var/lib/tna-relay --env-file deploy/tna-relay.env tna-relay
#   docker run -p 8080:8080 tna-relay --demo --listen 0.0.0.0:8080      # no gateway needed
# The build needs the crates.io, npm and Debian registries only (pinned tools, no downloads
# from elsewhere; see README "Quick start").

FROM rust:1.95-slim-bookworm AS build
ENV TOOLS_DIR=/opt/wasm-tools
ENV PATH=/opt/wasm-tools/node_modules/.bin:/usr/local/cargo/bin:$PATH
# The bundle tools in their own layer (the pins of xtask/src/setup.rs and bundles.rs), so a
# source change does not compile Trunk again; `cargo xtask dist` below finds them present.
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm pkg-config \
 && rm -rf /var/lib/apt/lists/* \
 && rustup target add wasm32-unknown-unknown \
 && rustup toolchain install nightly-2026-05-20 --profile minimal --component rust-src \
      --target wasm32-unknown-unknown \
 && cargo install trunk --version 0.21.14 --locked \
 && cargo install wasm-bindgen-cli --version 0.2.130 \
 && npm install --prefix "$TOOLS_DIR" --no-audit --no-fund --loglevel=error binaryen@132.0.0 \
      terser@5.51.4
WORKDIR /src
COPY . .
RUN cargo xtask dist \
 && cargo build --release --locked -p tna-relay

FROM debian:bookworm-slim
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /var/lib/tna-relay --create-home tna
COPY --from=build /src/target/release/tna-relay /usr/local/bin/tna-relay
USER tna
VOLUME /var/lib/tna-relay
# Accounts and the SQLite archive both on the volume, which is also the working directory.
WORKDIR /var/lib/tna-relay
ENV TNA_RELAY_LISTEN=0.0.0.0:8080 \
    TNA_RELAY_ACCOUNTS=/var/lib/tna-relay/accounts.json \
    TNA_RELAY_ARCHIVE=sqlite:///var/lib/tna-relay/tna-archive.db
EXPOSE 8080
# Healthy = ready: /readyz answers 200 only when every gateway and the archive answer (503
# otherwise; /healthz would only say the process is up). Plain HTTP, or HTTPS when the relay
# serves TLS itself (-k: the probe is to itself on loopback). A TNA_RELAY_LISTEN on another
# port needs its own --health-cmd.
HEALTHCHECK --interval=30s --timeout=8s --start-period=20s \
  CMD curl -fsS -o /dev/null http://127.0.0.1:8080/readyz \
   || curl -fsSk -o /dev/null https://127.0.0.1:8080/readyz
ENTRYPOINT ["/usr/local/bin/tna-relay"]
