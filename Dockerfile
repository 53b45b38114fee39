# syntax=docker/dockerfile:1
# One image for the operator and the three workloads; the role is the command:
#
#   operator    node dist/operator/src/main.js            (the default command)
#   producer    node dist/workloads/src/main.js producer
#   inventory   node dist/workloads/src/main.js inventory
#   analytics   node dist/workloads/src/main.js analytics
#
#   docker build --platform linux/amd64 -t streaming-orders:0.1.0 .
#
# hack/image.sh builds the same image without Docker (that is how it is built and tested here).
# Both run hack/image/stage.sh for the project's files, so both carry the same Node.js (pinned in
# hack/image/base.lock), the same production node_modules (from package-lock.json) and the same
# compiled code at the same paths; where this file starts from distroless/cc-debian12, hack/image.sh
# assembles the same Debian 12 packages (glibc, libstdc++, libgcc, CA certificates) and user
# nonroot (65532) itself. linux/amd64 only: the Node.js pin is the x64 build.
#
# Base images are pinned by their multi-arch index digests for the tags named above each FROM;
# refresh with `docker buildx imagetools inspect <tag>`.

# node:20.20.2-bookworm-slim: bash, node and npm for the build; none of it reaches the image.
FROM node:20.20.2-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0 AS build
WORKDIR /src
COPY hack/lib.sh hack/
COPY hack/image/ hack/image/
# The pinned official Node.js build, checked against its sha256.
RUN bash hack/image/stage.sh node /out/node
COPY package.json package-lock.json ./
# Production dependencies only, exactly as locked.
RUN bash hack/image/stage.sh deps /out/deps
# The compiler and its types are development dependencies; they stay in this stage.
RUN npm install --no-save --no-audit --no-fund --ignore-scripts --loglevel=error
COPY tsconfig.json tsconfig.build.json ./
COPY operator/src/ operator/src/
COPY workloads/src/ workloads/src/
RUN bash hack/image/stage.sh dist /out/dist

# gcr.io/distroless/cc-debian12:nonroot: glibc, libstdc++, libgcc, CA certificates; no shell.
FROM gcr.io/distroless/cc-debian12:nonroot@sha256:9dac0a79194e45a7da0158a9c6da57b217585af0786db3845d1f0ec1a0dd182f
COPY --from=build /out/node/ /
COPY --from=build /out/deps/ /
COPY --from=build /out/dist/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    NODE_ENV=production
WORKDIR /app
USER 65532:65532
ENTRYPOINT ["node"]
CMD ["dist/operator/src/main.js"]
