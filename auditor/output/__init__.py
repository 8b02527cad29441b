"""Presenting results: JSON documents, terminal tables, Markdown. Never probes or scores."""
