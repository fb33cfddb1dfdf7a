"""One JSON error shape for every failure the service reports.

``{"error": kind, "message": what, "where": where, "fix": how}`` — the shape of
:meth:`kg.errors.KGError.as_dict` — for kg's own errors, request validation, unknown
routes, oversized bodies, missing tokens and unexpected failures alike, so a client
needs one error path.
"""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kg.errors import InputError, KGError, Neo4jUnavailable, QueryError, SchemaError, UsageError

log = logging.getLogger("kg.service")


class NotFound(KGError):
    """The entity, paper or query asked for does not exist (HTTP 404)."""


class Unauthorized(KGError):
    """A bearer token is required and was missing or wrong (HTTP 401)."""


def status_for(error: KGError) -> int:
    from kg.querying import QueryRefused, QueryTimeout

    for kind, status in ((NotFound, 404), (Unauthorized, 401), (QueryRefused, 403), (QueryTimeout, 504),
                         (Neo4jUnavailable, 503), (QueryError, 400), (UsageError, 400), (InputError, 400),
                         (SchemaError, 500)):
        if isinstance(error, kind):
            return status
    return 500


def shape(error: str, message: str, where: str | None = None, fix: str | None = None) -> dict:
    return {"error": error, "message": message, "where": where, "fix": fix}


def error_response(status: int, body: dict, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content=body, headers=headers)


ERROR_NAMES = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
               405: "MethodNotAllowed", 406: "NotAcceptable", 413: "PayloadTooLarge", 415: "UnsupportedMediaType",
               422: "ValidationError", 429: "TooManyRequests"}

ERROR_FIXES = {404: "see /docs for the routes", 405: "see /docs for the methods each route takes"}


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into the one shape."""

    @app.exception_handler(KGError)
    async def kg_error(request: Request, error: KGError):
        status = status_for(error)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if status >= 500:
            log.error("%s %s: %s", request.method, request.url.path, error.message)
        return error_response(status, error.as_dict(), headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError):
        problems = error.errors()
        first = problems[0] if problems else {}
        where = ".".join(str(part) for part in first.get("loc", ())) or "request"
        message = first.get("msg", "the request does not fit the schema")
        if len(problems) > 1:
            message += f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
        return error_response(422, shape("ValidationError", message, where,
                                         "see /docs (or /openapi.json) for the request schema"))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):
        name = ERROR_NAMES.get(error.status_code, "HTTPError")
        detail = error.detail if isinstance(error.detail, str) else name
        return error_response(error.status_code, shape(name, detail, request.url.path,
                                                       ERROR_FIXES.get(error.status_code)),
                              getattr(error, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, shape("InternalError", "an unexpected error stopped the request",
                                         request.url.path, "see the server log; report it if it repeats"))
