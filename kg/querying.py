"""Running named and ad-hoc Cypher against Neo4j, the one way the CLI and the service do it.

Why this module exists: both ``kg query`` and ``kg serve`` must apply the same rules —
parameters always travel as Cypher parameters (never pasted into the text), ad-hoc
Cypher runs in a READ transaction unless a write is asked for, every run has a row
limit and a transaction timeout that Neo4j itself enforces, and every driver failure
becomes a :class:`~kg.errors.KGError` that says what to do.

Read-only runs are checked twice: first ``EXPLAIN`` tells the query type and plan
without running anything (a write, a schema change or ``LOAD CSV`` is refused there),
then the query runs in a transaction opened with READ access mode, in which Neo4j
refuses any write that got past the first check.
"""
from __future__ import annotations

import base64
import math
import re
from dataclasses import dataclass, field

from kg.errors import Neo4jUnavailable, QueryError

DEFAULT_TIMEOUT = 30.0  # seconds, a Neo4j transaction timeout
DEFAULT_MAX_ROWS = 10_000

# Plan operators a read-only run refuses even when the query type says "read":
# LOAD CSV makes the server fetch files or URLs on the caller's behalf.
REFUSED_OPERATORS = ("LoadCSV",)
# Administration commands that Neo4j plans as "read" but that reach other clients or the
# server: ending other transactions, reading other clients' query text, the server settings.
ADMIN_OPERATORS = {
    "TerminateTransactions": "ends other clients' transactions",
    "ShowTransactions": "shows other clients' queries",
    "ShowSettings": "shows the server's settings",
    "ShowServers": "shows the server topology",
}
# Procedures a read-only run may call: the db.* namespace (labels, schema, full-text search).
# dbms.* and every other namespace (apoc.*, plugins) are refused.
_ALLOWED_PROCEDURE = re.compile(r"^db\.", re.I)
_PROCEDURE_CALL = re.compile(r"\bCALL\s+([A-Za-z_][\w.`]*)\s*(?=\(|$|\s+YIELD\b)", re.I)

_READ_ONLY_FIX = "run it with --write (CLI) if you mean to change the graph; the HTTP service never writes"
_LOAD_CSV = re.compile(r"\bLOAD\s+CSV\b", re.I)
_PREFIX = re.compile(r"^\s*(?://[^\n]*\n\s*|/\*.*?\*/\s*)*(?P<word>[A-Za-z]+)", re.S)


class QueryRefused(QueryError):
    """A read-only path was given a query that would write (or load CSV)."""


class QueryTimeout(QueryError):
    """Neo4j stopped the transaction at its time limit."""


@dataclass
class QueryResult:
    """Columns, plain JSON-ready rows, and whether more rows existed past the limit."""

    columns: list[str]
    rows: list[list] = field(default_factory=list)
    truncated: bool = False
    offset: int = 0
    counters: dict = field(default_factory=dict)

    def records(self) -> list[dict]:
        return [dict(zip(self.columns, row)) for row in self.rows]


def run_named(driver, name: str, values: dict | None = None, *, database: str | None = None,
              timeout: float | None = DEFAULT_TIMEOUT, max_rows: int | None = DEFAULT_MAX_ROWS,
              offset: int = 0) -> QueryResult:
    """Run the catalogue query ``name`` with ``values`` checked against its header.

    Named queries are reads; they run in a READ transaction like ad-hoc Cypher.
    """
    from kg.queries import get

    query = get(name)
    params = query.bind(values or {})
    return _run(driver, query.text, params, write=False, database=database, timeout=timeout,
                max_rows=max_rows, offset=offset, where=query.source, check=False)


def run_cypher(driver, text: str, params: dict | None = None, *, write: bool = False,
               database: str | None = None, timeout: float | None = DEFAULT_TIMEOUT,
               max_rows: int | None = DEFAULT_MAX_ROWS, offset: int = 0,
               where: str = "cypher") -> QueryResult:
    """Run ad-hoc Cypher; READ-only unless ``write`` (then a write transaction)."""
    if not text or not text.strip():
        raise QueryError("the Cypher text is empty", where=where, fix="give a query such as MATCH (n) RETURN count(n)")
    return _run(driver, text, dict(params or {}), write=write, database=database, timeout=timeout,
                max_rows=max_rows, offset=offset, where=where, check=not write)


def _run(driver, text, params, *, write, database, timeout, max_rows, offset, where, check) -> QueryResult:
    import neo4j

    if offset < 0 or (max_rows is not None and max_rows < 0):
        raise QueryError("limit and offset must not be negative", where=where, fix="pass 0 or more")

    @neo4j.unit_of_work(timeout=timeout, metadata={"app": "kg"})
    def work(tx):
        result = tx.run(text, params)
        columns = list(result.keys())
        rows, truncated, seen = [], False, 0
        for record in result:
            seen += 1
            if seen <= offset:
                continue
            if max_rows is not None and len(rows) >= max_rows:
                truncated = True
                break
            rows.append([plain(value) for value in record.values()])
        counters = {k: v for k, v in vars(result.consume().counters).items()
                    if not k.startswith("_") and isinstance(v, int) and not isinstance(v, bool) and v}
        return QueryResult(columns=columns, rows=rows, truncated=truncated, offset=offset, counters=counters)

    mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
    try:
        with driver.session(database=database, default_access_mode=mode,
                            notifications_min_severity="OFF") as session:
            if check:
                refuse_writes(session, text, params, where, timeout)
            runner = session.execute_write if write else session.execute_read
            return runner(work)
    except QueryError:
        raise
    except Exception as error:  # driver errors become one of ours, with a fix
        raise translate(error, where) from None


def refuse_writes(session, text: str, params: dict, where: str, timeout: float | None = None) -> None:
    """Refuse ``text`` if ``EXPLAIN`` says it writes, changes the schema or loads CSV.

    The plan is asked for in its own READ transaction. When ``EXPLAIN`` itself fails
    (a syntax error, say) the query is let through to the real run, which fails the
    same way with the message about the user's own text, in a READ transaction.
    """
    import neo4j

    first = _PREFIX.match(text)
    if first and first["word"].upper() == "EXPLAIN":
        _refuse_load_csv_text(text, where)  # EXPLAIN runs nothing
        return
    if first and first["word"].upper() == "PROFILE":
        text = text[first.end("word"):]  # PROFILE runs the query: check the query itself

    @neo4j.unit_of_work(timeout=timeout)
    def plan(tx):
        return tx.run("EXPLAIN " + text, params).consume()

    try:
        summary = session.execute_read(plan)
    except neo4j.exceptions.Neo4jError:
        _refuse_load_csv_text(text, where)
        return
    if summary.query_type not in (None, "r"):
        kind = {"w": "writes", "rw": "reads and writes", "s": "changes the schema"}.get(summary.query_type, "writes")
        raise QueryRefused(f"refused: this query {kind}, and queries here are read-only", where=where,
                         fix=_READ_ONLY_FIX)
    operators = set(_operators(summary.plan))
    if operators & set(REFUSED_OPERATORS):
        raise QueryRefused("refused: LOAD CSV is not allowed in a read-only query", where=where,
                         fix=_READ_ONLY_FIX)
    for operator in sorted(operators & set(ADMIN_OPERATORS)):
        raise QueryRefused(f"refused: this administration command {ADMIN_OPERATORS[operator]}", where=where,
                           fix="ask the database administrator; queries here only read the graph")
    if "ProcedureCall" in operators:
        _refuse_procedures(text, where)


def _refuse_procedures(text: str, where: str) -> None:
    for name in _PROCEDURE_CALL.findall(_without_strings_and_comments(text)):
        if not _ALLOWED_PROCEDURE.match(name.replace("`", "")):
            raise QueryRefused(f"refused: procedure {name} is not allowed in a read-only query", where=where,
                               fix="only db.* procedures (labels, schema, full-text search) can be called here")


def _refuse_load_csv_text(text: str, where: str) -> None:
    if _LOAD_CSV.search(_without_strings_and_comments(text)):
        raise QueryRefused("refused: LOAD CSV is not allowed in a read-only query", where=where, fix=_READ_ONLY_FIX)


def _without_strings_and_comments(cypher: str) -> str:
    return re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|//[^\n]*|/\*.*?\*/", " ", cypher, flags=re.S)


def _operators(plan) -> list[str]:
    if not plan:
        return []
    op = plan.get("operatorType", "") if isinstance(plan, dict) else getattr(plan, "operator_type", "")
    children = plan.get("children", []) if isinstance(plan, dict) else getattr(plan, "children", [])
    return [op.split("@")[0]] + [name for child in children for name in _operators(child)]


def translate(error: Exception, where: str) -> Exception:
    """A driver exception as a :class:`KGError` that says what happened and what to do."""
    from neo4j import exceptions as ne

    code = getattr(error, "code", None) or ""
    message = getattr(error, "message", None) or str(error)
    message = " ".join(str(message).split())
    if isinstance(error, (ne.ServiceUnavailable, ne.SessionExpired)):
        return Neo4jUnavailable(f"Neo4j did not answer ({message})", where=where,
                                fix="start it with `kg neo4j start`, or set NEO4J_URI to a running Neo4j 5")
    if isinstance(error, ne.AuthError):
        return Neo4jUnavailable(f"Neo4j refused the credentials ({message})", where=where,
                                fix="set NEO4J_USERNAME and NEO4J_PASSWORD (or --username/--password)")
    if "AccessMode" in code or "ForbiddenOnReadOnlyDatabase" in code or "WriteOnReadOnlyAccessDbException" in code:
        return QueryRefused("refused: Neo4j does not allow writes in a read-only transaction", where=where,
                          fix=_READ_ONLY_FIX)
    if "TransactionTimedOut" in code or "TransactionTimedOut" in message:
        return QueryTimeout("the query ran past its time limit and Neo4j stopped it", where=where,
                          fix="narrow the query, add a LIMIT, or raise --timeout")
    if isinstance(error, ne.Neo4jError) and code:
        short = code.rsplit(".", 1)[-1]
        return QueryError(f"Neo4j rejected the query: {short}: {message}", where=where,
                          fix="correct the Cypher; parameters go in as $name, never pasted into the text")
    if isinstance(error, (ne.DriverError, ne.Neo4jError)):
        return QueryError(f"the Neo4j driver failed: {message}", where=where,
                          fix="check the query and the connection settings")
    return error


def plain(value):
    """A Neo4j value as plain JSON data (nodes, relationships and paths become dicts)."""
    from neo4j.graph import Node, Path, Relationship

    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Node):
        return {"_labels": sorted(value.labels), **{k: plain(v) for k, v in sorted(value.items())}}
    if isinstance(value, Relationship):
        return {"_type": value.type, "_start": _node_ref(value.start_node), "_end": _node_ref(value.end_node),
                **{k: plain(v) for k, v in sorted(value.items())}}
    if isinstance(value, Path):
        return {"nodes": [plain(n) for n in value.nodes], "relationships": [plain(r) for r in value.relationships]}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return str(value)


def _node_ref(node):
    if node is None:
        return None
    return node.get("id", node.element_id)
