# A cargo-chef Dockerfile of the usual shape (planner, cook, build), for bench/run.
# Context: app/ (the project), cargo-home/ (vendored crates), bin/cargo-chef.
ARG BASE
FROM ${BASE} AS chef
# A new NONCE makes a cold build: no layer below is shared with earlier runs.
ARG NONCE
RUN echo "$NONCE" >/nonce
COPY bin/cargo-chef /usr/local/bin/cargo-chef
COPY cargo-home/ /cargo-home/
# @PROFILE_ENV@: bench/run puts docker/Dockerfile's default profile keys here.
ENV CARGO_HOME=/cargo-home @PROFILE_ENV@
WORKDIR /app

FROM chef AS planner
COPY app/ .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
ARG TARGET
COPY --from=planner /app/recipe.json recipe.json
RUN cargo chef cook --release --target "$TARGET" --recipe-path recipe.json
COPY app/ .
ARG BINS
RUN cargo build --release --target "$TARGET" --bins && \
    for b in $BINS; do mkdir -p "/lambda/out/$b" && cp "target/$TARGET/release/$b" "/lambda/out/$b/bootstrap"; done

# Nested output, as in docker/Dockerfile: a COPY --from=/out/ would cost every
# build a walk of the whole image (the engine checksums the parent directory).
FROM scratch AS runtime
COPY --from=builder /lambda/out/ /
