# RNN Playground in a container: docker build -t rnn-playground . && docker run -p 8501:8501 rnn-playground
# (deploy/compose.yaml runs several of these behind the sticky proxy)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # glibc keeps freed arrays for the next BPTT step (rnn_core/_alloc.py; the launcher sets the same)
    MALLOC_MMAP_THRESHOLD_=268435456 MALLOC_TRIM_THRESHOLD_=536870912
RUN useradd --create-home --uid 10001 playground && mkdir /data && chown playground:playground /data
# the run store (saved runs, model links, classes): SQLite in /data, a volume shared by the replicas in compose.yaml
ENV RNN_PLAYGROUND_DATA_DIR=/data
WORKDIR /app
# the locked runtime set, every file checked against its hash
COPY requirements.lock .
RUN pip install --require-hashes -r requirements.lock
COPY --chown=playground:playground . .
USER playground

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "rnn_playground", "--check-health", "--port", "8501"]
# the production profile (.streamlit/production.toml): no error details in the browser, no file watcher, ...
CMD ["python", "-m", "rnn_playground", "--production", "--port", "8501", "--address", "0.0.0.0"]
