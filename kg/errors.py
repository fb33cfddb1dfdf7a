"""One exception root for everything kg reports to a user.

Every error says what was wrong, where (file:line or record id) and how to fix it,
so the CLI and the HTTP service can show it as-is without a traceback.
"""
from __future__ import annotations


class KGError(Exception):
    """Root of kg's user-facing errors: ``what`` happened, ``where``, and the ``fix``."""

    exit_code = 1

    def __init__(self, what: str, *, where: str | None = None, fix: str | None = None):
        self.what = what
        self.where = where
        self.fix = fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = f"{self.where}: {self.what}" if self.where else self.what
        if self.fix:
            text += f" ({self.fix})"
        return text

    def as_dict(self) -> dict:
        """The one JSON error shape used over HTTP and by ``--json`` outputs."""
        return {"error": type(self).__name__, "message": self.what, "where": self.where, "fix": self.fix}


class InputError(KGError):
    """An input file or record cannot be read as a paper."""


class SchemaError(KGError):
    """The graph, or the schema files themselves, break the schema contract."""


class ExtractionError(KGError):
    """The extraction pipeline or its model cannot run."""


class Neo4jUnavailable(KGError):
    """No Neo4j answers at the configured address, or it refuses the credentials."""


class Neo4jServerError(KGError):
    """The project's own Neo4j could not be provisioned, started or stopped."""


class QueryError(KGError):
    """A named or ad-hoc query is unknown, malformed, refused or failed."""


class OutputError(KGError):
    """An output of the build (a file, the build state) could not be written."""


class UsageError(KGError):
    """The command was called with arguments that do not fit (exit code 2)."""

    exit_code = 2
