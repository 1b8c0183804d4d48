# The action server, and the image of the scheduled jobs (migrations, mining).
# Build from the repository root:
#   docker build -f deploy/docker/actions.Dockerfile -t tactful-actions:1 .
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
    TACTFUL_ACTION_HOST=0.0.0.0 \
    TACTFUL_ACTION_PORT=5055 \
    TF_CPP_MIN_LOG_LEVEL=3 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    HOME=/tmp
WORKDIR /app
COPY tactful/ tactful/
# The offer-reply classifier trains on this file when first used.
COPY training/ training/
COPY actions/ actions/
COPY policy.yml ./
USER 1001
EXPOSE 5055
ENTRYPOINT ["python", "-m"]
CMD ["tactful.action_server", "--port", "5055"]
