# The dbops worker and intake image. (No Docker engine runs on the development machines: this file is checked by
# review, not by CI.)
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production CI=true
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
USER node
CMD ["node_modules/.bin/tsx", "workers/main.ts"]
