"""Request and response bodies: the OpenAPI schema clients and the fuzzer read."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from kg.service.config import MAX_CYPHER_CHARS


class ErrorBody(BaseModel):
    """The one error shape."""

    error: str = Field(description="Kind of error, e.g. QueryError, NotFound, ValidationError.")
    message: str = Field(description="What was wrong.")
    where: str | None = Field(None, description="Where: the query file, parameter, field or path.")
    fix: str | None = Field(None, description="How to fix it.")


class Param(BaseModel):
    name: str
    type: str = Field(description="int, float, str or list (of strings).")
    required: bool
    default: Any = None
    doc: str = ""


class QueryInfo(BaseModel):
    name: str
    title: str
    description: str
    params: list[Param]
    examples: list[str]


class QueryList(BaseModel):
    queries: list[QueryInfo]


class NamedRun(BaseModel):
    """Parameters of a named query, typed as its header says."""

    model_config = ConfigDict(extra="forbid")
    params: dict[str, Any] = Field(default_factory=dict, examples=[{"dataset": "ImageNet"}])


class CypherRun(BaseModel):
    """Read-only Cypher; values go in ``params`` and are used as ``$name`` in the text."""

    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=MAX_CYPHER_CHARS,
                       examples=["MATCH (m:Method) RETURN m.name AS name ORDER BY name LIMIT 5"])
    params: dict[str, Any] = Field(default_factory=dict)


class Rows(BaseModel):
    """A page of rows: one object per row, keys in ``columns`` order."""

    columns: list[str]
    rows: list[dict[str, Any]]
    count: int = Field(description="Rows in this page.")
    limit: int
    offset: int
    has_more: bool = Field(description="More rows exist after this page.")


class SearchHit(BaseModel):
    id: str
    name: str | None = None
    type: str | None = None
    aliases: list[str] = []
    paper_count: int | None = None
    exact: bool = Field(False, description="The name or an alias equals q (any case).")
    score: float


class SearchResults(BaseModel):
    q: str
    lucene: str = Field(description="The Lucene query built from the words of q.")
    results: list[SearchHit]
    count: int
    limit: int
    offset: int
    has_more: bool


class Health(BaseModel):
    status: str
    neo4j: str
    queries: int
    token_required_for_cypher: bool
