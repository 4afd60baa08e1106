# kubedrift's image: `kubedrift watch` in a cluster (deploy/, docs/install.md).
#   docker build -t ghcr.io/kubedrift/kubedrift:0.1.0 .

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build
# Only the production dependencies go on to the runtime image.
RUN npm prune --omit=dev

FROM node:24-slim
ENV NODE_ENV=production
# --git-url fetches with git (and ssh for ssh:// sources); nothing else is installed.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git openssh-client ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY data ./data
# Any non-root uid: deploy/ runs it as 10001 with a read-only root filesystem.
USER 10001:10001
EXPOSE 9090
ENTRYPOINT ["/app/bin/kubedrift"]
CMD ["--help"]
