# Rasa with the trained model baked in, on the production profile.
# Build from the repository root after `make model` (the model is the one the
# tests ran against):
#   docker build -f deploy/docker/rasa.Dockerfile -t tactful-rasa:1 .
# See deploy/README.md for the environment it needs.

FROM python:3.10-slim AS dependencies
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.txt constraints.txt /tmp/
RUN /opt/venv/bin/pip install -r /tmp/requirements.txt -c /tmp/constraints.txt

FROM python:3.10-slim
RUN useradd --uid 1001 --no-create-home --home-dir /app tactful
COPY --from=dependencies /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    TACTFUL_ENV=production \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=3 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    HOME=/tmp
WORKDIR /app
COPY tactful/ tactful/
# The offer-reply classifier trains on this file when first used.
COPY training/ training/
COPY policy.yml endpoints.prod.yml credentials.yml ./
COPY models/tactful.tar.gz models/tactful.tar.gz
USER 1001
EXPOSE 5005
ENTRYPOINT ["rasa"]
# Channels only: the HTTP API stays off unless the command adds
# --enable-api --auth-token (the Helm values do, with a token from a Secret).
CMD ["run", "--model", "/app/models/tactful.tar.gz", "--endpoints", "/app/endpoints.prod.yml", \
     "--credentials", "/app/credentials.yml", "--interface", "0.0.0.0", "--port", "5005"]
