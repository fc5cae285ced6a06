# audit-emulator: every vendor emulator and the control API in one small image.
FROM node:20-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY servers ./servers
COPY fixtures ./fixtures
COPY contracts ./contracts
COPY bin ./bin
COPY bench ./bench
COPY openapi ./openapi
RUN npm run build && npm prune --omit=dev

FROM node:20-alpine
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json /app/package-lock.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/openapi ./openapi
COPY --chown=node:node dashboard ./dashboard
# A writable place for --state-dir (named volumes take this ownership on first use).
RUN mkdir /data && chown node:node /data
USER node
EXPOSE 4100 4101 4102 4103 4104 4105
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD wget -q -O /dev/null http://127.0.0.1:4100/_emulator/health || exit 1
ENTRYPOINT ["node", "dist/bin/cli.js", "start", "--host", "0.0.0.0"]
