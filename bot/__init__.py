"""articlebot: read an article link or pasted article, clean it, summarize it or answer about it."""

__version__ = "0.1.0"
