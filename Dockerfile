# The dbops worker and intake image. (No Docker engine runs on the development machines: this file is checked by
# review; `npm run production-local` runs the same shape without Docker and is what CI tests.)
FROM node:20-bookworm-slim
WORKDIR /app
ENV CI=true
COPY package.json package-lock.json ./
# patches/: a fix to the Temporal SDK applied at install (patch-package; see docs/performance.md)
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
# The workflow bundle is built here, once: workers load it at start instead of running webpack.
RUN npm run build
ENV NODE_ENV=production DBOPS_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
USER node
CMD ["node", "--import", "tsx", "workers/main.ts"]
