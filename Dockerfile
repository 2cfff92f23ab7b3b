# Nexthop in one container: the same `python -m backend serve` as `make run` (migrate, then
# uvicorn), listening on all interfaces, with the SQLite file on a volume.
#
#   docker build -t nexthop .
#   docker run -p 127.0.0.1:8000:8000 -v nexthop-data:/data nexthop
#
# With PostgreSQL: compose.yaml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NEXTHOP_DATA_DIR=/data \
    NEXTHOP_HOST=0.0.0.0 \
    NEXTHOP_PORT=8000

WORKDIR /app

# pg_dump and pg_restore, for `python -m backend backup|restore` and scheduled backups on
# PostgreSQL. pg_dump refuses a server of a newer major version than its own: Debian
# bookworm's client is 15, so compose.yaml runs postgres:15 (README "Docker" to go newer).
# The major is pinned by the package name; Debian's security updates replace the exact version.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*

# The exact versions `make run` installs, each file checked against its hash (`make lock`);
# a layer of its own, rebuilt only when the lock changes.
COPY requirements/run.lock requirements/run.lock
RUN pip install --no-cache-dir --require-hashes -r requirements/run.lock

# pyproject.toml names README.md as the package readme, so the build needs it too.
COPY pyproject.toml README.md ./
COPY backend/ backend/
COPY frontend/ frontend/

# Editable install, as `make run` does: backend/main.py serves
# Path(__file__).parent.parent / "frontend", so the package must be imported from /app/backend
# to find /app/frontend. A regular `pip install .` would copy backend/ into site-packages and
# leave the frontend behind. The source stays owned by root: the app cannot rewrite its code.
# The user owns only /data, created here so a new named volume inherits that ownership.
RUN pip install --no-cache-dir --no-deps -e . \
    && groupadd --system --gid 10001 nexthop \
    && useradd --system --uid 10001 --gid nexthop --no-create-home --home-dir /app nexthop \
    && mkdir /data \
    && chown nexthop:nexthop /data

# Numeric, so Kubernetes runAsNonRoot and the host can tell it is not root.
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; r.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('NEXTHOP_PORT', '8000'), timeout=4)"]

CMD ["python", "-m", "backend", "serve"]
