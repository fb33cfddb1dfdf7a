"""Helpers for the page tests: hand-made typed graphs and a headless Chromium launcher."""
