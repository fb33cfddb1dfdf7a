"""``kg serve``: the HTTP query API (FastAPI on uvicorn) over the configured Neo4j."""
from __future__ import annotations

import click

from kg.cli.options import neo4j_options
from kg.service.config import DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TIMEOUT, MAX_BODY_BYTES, MAX_LIMIT, TOKEN_ENV

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@click.command("serve", epilog=f"""\b
Reach it at http://HOST:PORT/ (default http://{DEFAULT_HOST}:{DEFAULT_PORT}/):
  interactive docs   http://{DEFAULT_HOST}:{DEFAULT_PORT}/docs
  OpenAPI schema     http://{DEFAULT_HOST}:{DEFAULT_PORT}/openapi.json
  named queries      GET  /queries        POST /queries/NAME  {{"params": {{...}}}}
  read-only Cypher   POST /cypher  {{"query": "...", "params": {{...}}}}
  entity search      GET  /entities/search?q=bert&type=method
  documents          GET  /entities/ID   GET /papers/ID   GET /entities/ID/page (HTML)
\b
Every list takes ?limit= (at most {MAX_LIMIT}) and ?offset=; bodies over {MAX_BODY_BYTES // 1024} KiB are refused.
Set {TOKEN_ENV} to require `Authorization: Bearer <token>` on POST /cypher.
\b
Example:
  kg neo4j start && kg serve --port 8000
  curl -s localhost:8000/queries/top_entities -H 'content-type: application/json' -d '{{"params": {{"type": "dataset"}}}}'
""")
@click.option("--host", default=DEFAULT_HOST, show_default=True,
              help="Address to listen on (loopback only by default).")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True, help="TCP port.")
@click.option("--timeout", type=click.FloatRange(0.1), default=DEFAULT_TIMEOUT, show_default=True,
              help="Seconds per request before Neo4j stops the transaction.")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]),
              default="info", show_default=True, help="uvicorn's log level.")
@neo4j_options
def serve(host, port, timeout, log_level, uri, username, password, database) -> None:
    """Serve the HTTP query API: named queries, read-only Cypher, search, documents, pages."""
    import uvicorn

    from kg.connection import open_driver, resolve_settings
    from kg.service.app import create_app
    from kg.service.config import ServiceConfig

    settings = resolve_settings(uri, username, password, database)
    driver = open_driver(settings)  # fail now, with the clear message, rather than on the first request
    config = ServiceConfig.from_env(timeout=timeout)
    if host not in LOOPBACK and config.token is None:
        click.echo(f"Warning: listening on {host} without {TOKEN_ENV}: anyone who reaches it can run read-only "
                   "Cypher.", err=True)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"kg serve: http://{shown}:{port}/ (docs at /docs) over {settings.uri}"
               f"{'; POST /cypher needs the bearer token' if config.token else ''}", err=True)
    try:
        uvicorn.run(create_app(settings, config, driver=driver), host=host, port=port, log_level=log_level)
    finally:
        driver.close()
