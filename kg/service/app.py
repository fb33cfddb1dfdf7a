"""The FastAPI application: named queries, read-only Cypher, entity search, documents, pages.

Every route reads through :mod:`kg.querying` or a read transaction with the configured
timeout (a Neo4j transaction timeout, so Neo4j itself stops a runaway query); every
list is paged (``limit`` at most :data:`~kg.service.config.MAX_LIMIT`); every failure
has the one error shape of :mod:`kg.service.errors`.
"""
from __future__ import annotations

import hmac
from contextlib import asynccontextmanager
from typing import Any, Literal

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kg import __version__
from kg.errors import KGError
from kg.schema import ENTITY_TYPES
from kg.service import errors
from kg.service.config import (DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, MAX_PAGE_NODES, MAX_SEARCH_CHARS, TOKEN_ENV,
                               ServiceConfig)
from kg.service.errors import NotFound, Unauthorized
from kg.service.limits import BodyLimit
from kg.service.models import (CypherRun, ErrorBody, Health, NamedRun, QueryInfo, QueryList, Rows, SearchHit,
                               SearchResults)

ERRORS = {status: {"model": ErrorBody, "description": text} for status, text in (
    (400, "The request was understood but cannot run (bad parameter, bad Cypher)."),
    (404, "No such query, entity, paper or route."),
    (413, "The request body is too large."),
    (422, "The request does not fit the schema."),
    (503, "Neo4j cannot be reached."),
    (504, "Neo4j stopped the query at the time limit."),
)}
CYPHER_ERRORS = {**ERRORS, 401: {"model": ErrorBody, "description": f"A bearer token is required ({TOKEN_ENV})."},
                 403: {"model": ErrorBody, "description": "The query would write; this service only reads."}}

EntityType = Literal[ENTITY_TYPES]  # type: ignore[valid-type]
Limit = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Rows per page (at most {MAX_LIMIT}).")
Offset = Query(0, ge=0, le=MAX_OFFSET, description="Rows to skip.")

DESCRIPTION = f"""
Ask the knowledge graph of ML literature: named queries (the `queries/*.cypher` catalogue),
read-only Cypher, entity search over names and aliases, entity and paper documents, and an
interactive page of an entity's neighbourhood.

Every list is paged with `limit` (at most {MAX_LIMIT}) and `offset`; every query runs with
a Neo4j transaction timeout; every error has one shape: `{{"error", "message", "where", "fix"}}`.
When the environment variable `{TOKEN_ENV}` is set, `POST /cypher` needs
`Authorization: Bearer <token>`.
"""


def create_app(settings=None, config: ServiceConfig | None = None, driver=None) -> FastAPI:
    """The application for the Neo4j in ``settings`` (or an open ``driver``).

    Without ``driver`` one is opened at startup and closed at shutdown.
    """
    import neo4j

    from kg.connection import open_driver
    from kg.querying import translate

    config = config or ServiceConfig.from_env()
    state: dict[str, Any] = {"driver": driver, "owned": driver is None}
    database = getattr(settings, "database", None)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if state["driver"] is None:
            state["driver"] = open_driver(settings)
        try:
            yield
        finally:
            if state["owned"] and state["driver"] is not None:
                state["driver"].close()
                state["driver"] = None

    bearer = HTTPBearer(auto_error=False, description=f"The token in {TOKEN_ENV}, when the server has one.")

    def token_matches(credentials: HTTPAuthorizationCredentials | None) -> bool:
        given = credentials.credentials if credentials else ""
        return hmac.compare_digest(given.encode(), (config.token or "").encode())

    def check_token_everywhere(request: Request,
                               credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
        """With scope "all", every route but /health needs the token (a private server)."""
        if config.token is None or config.token_scope != "all" or request.url.path == "/health":
            return
        if not token_matches(credentials):
            raise Unauthorized("a valid bearer token is required", where="Authorization",
                               fix=f"send `Authorization: Bearer <token>` with the token in the server's {TOKEN_ENV}")

    app = FastAPI(title="kg query service", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  dependencies=[Depends(check_token_everywhere)])
    errors.install(app)
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)

    def read(work, *args, where: str):
        """Run ``work(tx, *args)`` in a READ transaction with the request timeout."""
        @neo4j.unit_of_work(timeout=config.timeout)
        def unit(tx):
            return work(tx, *args)

        try:
            with state["driver"].session(database=database, default_access_mode=neo4j.READ_ACCESS,
                                         notifications_min_severity="OFF") as session:
                return session.execute_read(unit)
        except KGError:
            raise
        except Exception as error:
            raise translate(error, where) from None

    def rows_page(result, limit: int, offset: int) -> Rows:
        return Rows(columns=result.columns, rows=result.records(), count=len(result.rows), limit=limit,
                    offset=offset, has_more=result.truncated)

    def check_token(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
        if config.token is None:
            return
        if not token_matches(credentials):
            raise Unauthorized("a valid bearer token is required for ad-hoc Cypher", where="Authorization",
                               fix=f"send `Authorization: Bearer <token>` with the token in the server's {TOKEN_ENV}")

    @app.get("/", summary="What this service offers", tags=["service"])
    def index() -> dict[str, Any]:
        return {"service": "kg", "version": __version__, "docs": "/docs", "openapi": "/openapi.json",
                "routes": ["/queries", "/queries/{name}", "/cypher", "/entities/search?q=",
                           "/entities/{id}", "/entities/{id}/page", "/papers/{id}", "/health"]}

    @app.get("/health", response_model=Health, responses=ERRORS, tags=["service"],
             summary="Whether Neo4j answers")
    def health() -> Health:
        from kg.queries import catalogue

        read(lambda tx: tx.run("RETURN 1").consume(), where="/health")
        return Health(status="ok", neo4j="reachable", queries=len(catalogue()),
                      token_required_for_cypher=config.token is not None)

    @app.get("/queries", response_model=QueryList, tags=["queries"], summary="The named queries and their parameters")
    def list_queries() -> QueryList:
        from kg.queries import catalogue

        return QueryList(queries=[QueryInfo(**q.as_dict()) for q in catalogue().values()])

    def named(name: str):
        from kg.queries import catalogue

        query = catalogue().get(name)
        if query is None:
            raise NotFound(f"no named query {name!r}", where=f"/queries/{name}",
                           fix="GET /queries lists them")
        return query

    @app.get("/queries/{name}", response_model=QueryInfo, responses=ERRORS, tags=["queries"],
             summary="One named query: what it answers and its parameters")
    def describe_query(name: str = Path(max_length=100)) -> QueryInfo:
        return QueryInfo(**named(name).as_dict())

    @app.post("/queries/{name}", response_model=Rows, responses=ERRORS, tags=["queries"],
              summary="Run a named query with JSON parameters")
    def run_query(body: NamedRun, name: str = Path(max_length=100), limit: int = Limit,
                  offset: int = Offset) -> Rows:
        from kg.querying import run_named

        query = named(name)
        result = run_named(state["driver"], query.name, body.params, database=database,
                           timeout=config.timeout, max_rows=limit, offset=offset)
        return rows_page(result, limit, offset)

    @app.post("/cypher", response_model=Rows, responses=CYPHER_ERRORS, tags=["queries"],
              summary="Run read-only Cypher (writes are refused)", dependencies=[Depends(check_token)])
    def run_cypher(body: CypherRun, limit: int = Limit, offset: int = Offset) -> Rows:
        from kg.querying import run_cypher as run

        result = run(state["driver"], body.query, body.params, write=False, database=database,
                     timeout=config.timeout, max_rows=limit, offset=offset, where="query")
        return rows_page(result, limit, offset)

    @app.get("/entities/search", response_model=SearchResults, responses=ERRORS, tags=["entities"],
             summary="Search entities by name and alias (full-text: exact, prefix, fuzzy)")
    def search(q: str = Query(min_length=1, max_length=MAX_SEARCH_CHARS, description="Words of a name or alias."),
               type: EntityType | None = Query(None, description="Only entities of this type."),
               limit: int = Query(20, ge=1, le=MAX_LIMIT), offset: int = Offset) -> SearchResults:
        from kg.service.search import SEARCH, lucene_query

        lucene = lucene_query(q)

        def work(tx):
            return [dict(r) for r in tx.run(SEARCH, index=entity_index(), lucene=lucene, type=type,
                                            text=q.strip().lower(), offset=offset, limit=limit + 1)]

        found = read(work, where="/entities/search")
        hits = [SearchHit(**{k: v for k, v in r.items() if v is not None}) for r in found[:limit]]
        return SearchResults(q=q, lucene=lucene, results=hits, count=len(hits), limit=limit, offset=offset,
                             has_more=len(found) > limit)

    @app.get("/entities/{entity_id}", response_model=dict[str, Any], responses=ERRORS, tags=["entities"],
             summary="An entity: properties, papers, relations with evidence")
    def entity(entity_id: str = Path(max_length=300), limit: int = Limit, offset: int = Offset) -> dict[str, Any]:
        from kg.service.documents import entity_document

        document = read(entity_document, entity_id, limit, offset, where=f"/entities/{entity_id}")
        if document is None:
            raise NotFound(f"no entity with id {entity_id!r}", where=f"/entities/{entity_id}",
                           fix="find ids with GET /entities/search?q=NAME")
        return document

    @app.get("/entities/{entity_id}/page", response_class=HTMLResponse, responses=ERRORS, tags=["entities"],
             summary="An interactive HTML page of the entity's neighbourhood")
    def entity_page(entity_id: str = Path(max_length=300), depth: int = Query(1, ge=1, le=2),
                    max_nodes: int = Query(150, ge=10, le=MAX_PAGE_NODES)) -> HTMLResponse:
        from kg.service.documents import neighbourhood
        from kg.viz import render_page, select

        graph = read(neighbourhood, entity_id, depth, max_nodes * 4, where=f"/entities/{entity_id}/page")
        if graph is None or entity_id not in graph:
            raise NotFound(f"no entity with id {entity_id!r}", where=f"/entities/{entity_id}/page",
                           fix="find ids with GET /entities/search?q=NAME")
        selection = select(graph, around=entity_id, depth=depth, max_nodes=max_nodes)
        name = graph.nodes[entity_id].get("name", entity_id)
        text, _ = render_page(selection, title=f"kg: {name} and its neighbourhood", lookup=graph)
        return HTMLResponse(text)

    @app.get("/papers/{paper_id}", response_model=dict[str, Any], responses=ERRORS, tags=["papers"],
             summary="A paper: properties, entities, results and statements with evidence")
    def paper(paper_id: str = Path(max_length=300), limit: int = Limit, offset: int = Offset) -> dict[str, Any]:
        from kg.service.documents import paper_document

        document = read(paper_document, paper_id, limit, offset, where=f"/papers/{paper_id}")
        if document is None:
            raise NotFound(f"no paper with id {paper_id!r}", where=f"/papers/{paper_id}",
                           fix="find papers with POST /queries/papers_for_entity")
        return document

    return app


def entity_index() -> str:
    """Name of the full-text index over entity names and aliases, as kg.store creates it."""
    from kg.schema import load_schema
    from kg.store import fulltext_index_name

    node = load_schema().node("Entity")
    return fulltext_index_name("Entity", [p.name for p in node.properties if p.fulltext])
