"""Headless Debian Chromium through Playwright, recording console messages, requests and dialogs.

Playwright's own browser download does not work on these machines, so the system
Chromium is launched with a fresh profile and background networking switched off
(otherwise Chromium itself makes requests that would blur the "no network" check).
"""
from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists()


@contextmanager
def browser_context():
    """One persistent Chromium context with a throwaway profile folder."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="kg-chromium-")
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=ARGS,
                viewport={"width": 1400, "height": 900})
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@dataclass
class PageLog:
    console: list[str] = field(default_factory=list)      # "type: text" of every console message
    errors: list[str] = field(default_factory=list)       # uncaught page errors
    requests: list[str] = field(default_factory=list)     # every URL the page asked for
    dialogs: list[str] = field(default_factory=list)      # alert/confirm/prompt messages


def open_page(context, path: Path, *, wait_settled: bool = True):
    """Open a page file, wait for the layout to settle; return (page, log)."""
    log = PageLog()
    page = context.new_page()
    page.on("console", lambda m: log.console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: log.errors.append(str(e)))
    page.on("request", lambda r: log.requests.append(r.url))

    def on_dialog(dialog):
        log.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(Path(path).resolve().as_uri())
    if wait_settled:
        page.wait_for_function("window.kgPage && window.kgPage.settled === true", timeout=20000)
    return page, log
