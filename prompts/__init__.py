"""Prompt templates (Jinja2). Installed as the data package `extract.prompts`."""
