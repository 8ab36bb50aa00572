# articlebot: `docker build -t articlebot .`, then for example
#   docker run --env-file .env -p 3000:3000 -v articlebot-data:/data articlebot
# (the Slack bot over HTTP on port 3000; see README's Deploy section).

# --- build: the wheel, from the source tree (it carries prompts/ as bot/_prompts) ----------
FROM python:3.11-slim AS build
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /dist .

# --- run: the wheel installed (not editable) with the tested versions, as a non-root user ---
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TIKTOKEN_CACHE_DIR=/opt/tiktoken \
    ARTICLEBOT_CACHE_DIR=/opt/articlebot-cache \
    STORE_PATH=/data/articlebot.sqlite3
COPY constraints.txt /tmp/constraints.txt
COPY --from=build /dist/ /tmp/dist/
RUN pip install --constraint /tmp/constraints.txt /tmp/dist/articlebot-*.whl \
    && rm -rf /tmp/dist /tmp/constraints.txt
# tiktoken's encodings, fetched now: at run time token counts are exact with no network
# (bot/llm/tokens.py uses o200k_base and cl100k_base, and only from this cache).
RUN python -c "import tiktoken; [tiktoken.get_encoding(n) for n in ('o200k_base', 'cl100k_base')]" \
    && chmod -R a+rX /opt/tiktoken
# The language model and stop-word lists unpacked now (bot/ingest/data_cache.py), so no
# process unpacks them at start-up; read-only at run time, memory-mapped by every process.
RUN python -c "from bot.ingest.language import detect_language as d; from bot.ingest.cleaning.stopwords import best_stoplist as b; d('The council met on Tuesday.'); b('the council')" \
    && chmod -R a+rX /opt/articlebot-cache
RUN useradd --system --uid 10001 --user-group --home-dir /data --no-create-home articlebot \
    && mkdir -p /data \
    && chown articlebot:articlebot /data
USER articlebot
WORKDIR /data
VOLUME /data
EXPOSE 3000
# `articlebot serve --http` answers GET /healthz without touching Slack or the model.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:3000/healthz', timeout=4)"]
CMD ["articlebot", "serve", "--http", "--port", "3000"]
