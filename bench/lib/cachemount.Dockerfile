# A plain Dockerfile with a BuildKit cache mount on the target dir, for bench/run.
# Context: app/ (the project), cargo-home/ (vendored crates). bench/run replaces
# @NONCE@ so a cold build gets a cache of its own.
ARG BASE
FROM ${BASE} AS builder
ARG NONCE
RUN echo "$NONCE" >/nonce
COPY cargo-home/ /cargo-home/
# @PROFILE_ENV@: bench/run puts docker/Dockerfile's default profile keys here.
ENV CARGO_HOME=/cargo-home @PROFILE_ENV@
WORKDIR /app
COPY app/ .
ARG TARGET
ARG BINS
RUN --mount=type=cache,id=@NONCE@-target,target=/app/target \
    cargo build --release --target "$TARGET" --bins && \
    for b in $BINS; do mkdir -p "/lambda/out/$b" && cp "target/$TARGET/release/$b" "/lambda/out/$b/bootstrap"; done

# Nested output, as in docker/Dockerfile: a COPY --from=/out/ would cost every
# build a walk of the whole image (the engine checksums the parent directory).
FROM scratch AS runtime
COPY --from=builder /lambda/out/ /
