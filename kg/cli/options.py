"""Options shared by several commands, defined once."""
from __future__ import annotations

import sys

import click


def quiet_option(func):
    """``-q/--quiet``: no progress bar (it is also off when stderr is not a terminal)."""
    return click.option("-q", "--quiet", is_flag=True, help="No progress bar.")(func)


def show_progress(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()
