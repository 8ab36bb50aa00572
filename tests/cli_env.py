"""Settings a developer's shell or .env could set that would take the CLI off the offline
engine, or let it fetch from a local server: tests of the CLI as a new user runs it unset them
(the `offline_cli` fixture; a subprocess gets an environment without them)."""

MODEL_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_MODEL",
    "AZURE_OPENAI_ENDPOINT",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_DEPLOYMENT",
    "ENGINE",
    "PROMPTS_DIR",
    "SUMMARY_STYLE",
    "FETCH_ALLOWLIST",
    "LLM_STRUCTURED_OUTPUT",
)
