"""Prompts -> model: templates, chat models, token counting, the offline engine."""
