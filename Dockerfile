FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=7860 \
    CREDENTIALS_DIR=/app/credentials

WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY adapter ./adapter
COPY wsgi.py gunicorn.conf.py ./
# Bytecode compiled once here: PYTHONDONTWRITEBYTECODE stops the container from writing it, and
# without it every worker start compiled the ~150 modules again (~0.12 s of its start-up).
RUN python -m compileall -q adapter wsgi.py

# Hugging Face Spaces runs containers as uid 1000; so do we everywhere.
RUN useradd --create-home --uid 1000 app \
    && mkdir -p /app/credentials /app/data \
    && chown -R app:app /app
USER app

# Shared state (SQLite) of this instance's workers: mount a volume here to keep it across restarts.
VOLUME /app/data

EXPOSE 7860
CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
