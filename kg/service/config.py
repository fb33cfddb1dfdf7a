"""What a running service is allowed to do: limits, timeout and the optional API token.

Kept apart from the app so that ``kg serve --help`` can show the defaults without
importing FastAPI.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

TOKEN_ENV = "KG_API_TOKEN"
# "cypher": the token guards ad-hoc Cypher only; "all": every route but /health needs it.
TOKEN_SCOPE_ENV = "KG_API_TOKEN_SCOPE"
TOKEN_SCOPES = ("cypher", "all")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_LIMIT = 100          # rows per page when the request names none
MAX_LIMIT = 1000             # rows per page, at most
MAX_OFFSET = 100_000         # rows a client may skip
DEFAULT_TIMEOUT = 10.0       # seconds; a Neo4j transaction timeout per request
MAX_BODY_BYTES = 64 * 1024   # request bodies larger than this get 413
MAX_CYPHER_CHARS = 20_000
MAX_SEARCH_CHARS = 200
MAX_PAGE_NODES = 300


@dataclass(frozen=True)
class ServiceConfig:
    """The service's limits; ``token`` None means ad-hoc Cypher needs no token."""

    timeout: float = DEFAULT_TIMEOUT
    max_body_bytes: int = MAX_BODY_BYTES
    token: str | None = None
    token_scope: str = "cypher"

    @classmethod
    def from_env(cls, timeout: float = DEFAULT_TIMEOUT, env=None) -> "ServiceConfig":
        """Limits plus the token from ``KG_API_TOKEN`` (empty counts as unset)."""
        env = os.environ if env is None else env
        scope = (env.get(TOKEN_SCOPE_ENV) or "cypher").lower()
        if scope not in TOKEN_SCOPES:
            from kg.errors import UsageError

            raise UsageError(f"{TOKEN_SCOPE_ENV}={scope!r} is not a token scope", where=TOKEN_SCOPE_ENV,
                             fix=f"use one of {', '.join(TOKEN_SCOPES)}")
        return cls(timeout=timeout, token=env.get(TOKEN_ENV) or None, token_scope=scope)
