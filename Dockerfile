# syntax=docker/dockerfile:1
# SBH's image: `sbh serve` (webhooks, API, health, worker threads). Each task brings the
# schema to head at start under a PostgreSQL advisory lock (SBH_AUTO_MIGRATE), so the first
# deploy and every later one need no extra step; `sbh migrate --wait 60` runs the same as a
# one-off task when an operator wants migrations before a deploy (RUNBOOK.md).

# The web app, built with Node here so the runtime image needs no Node at all.
FROM node:22-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

# Build stage: install SBH (templates and Terraform modules ship inside the wheel) into a
# virtualenv, so the runtime image holds no compilers or build files.
FROM python:3.11-slim AS build
WORKDIR /build
RUN python -m venv /opt/sbh
COPY pyproject.toml README.md alembic.ini ./
COPY renderers ./renderers
COPY bot ./bot
COPY template-repo ./template-repo
COPY infra/modules ./infra/modules
RUN /opt/sbh/bin/pip install --no-cache-dir .

FROM python:3.11-slim
ENV PATH=/opt/sbh/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SBH_HOST=0.0.0.0 \
    PORT=8000 \
    WEB_CONCURRENCY=1 \
    SBH_AUTO_MIGRATE=true \
    SBH_WEB_DIST=/srv/web/dist
WORKDIR /srv
COPY --from=build /opt/sbh /opt/sbh
COPY --from=web /web/dist /srv/web/dist
# A numeric user lets ECS verify "not root" without reading /etc/passwd.
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['PORT'] + '/api/ai-chat/health', timeout=4)"]
ENTRYPOINT ["sbh"]
CMD ["serve"]
