"""``kg neo4j start|stop|status|env``: the project's own Neo4j, as thin commands over kg.neo4jlocal."""
from __future__ import annotations

import json

import click


@click.group()
def neo4j() -> None:
    """Provision, start, stop and inspect the project's own Neo4j Community 5.26.

    \b
    The jars come from Maven Central once (needs java 17+ and mvn) and are cached;
    the instance listens on 127.0.0.1 only, with a generated password.
    Folders: KG_NEO4J_HOME (instance), KG_NEO4J_CACHE (jars).
      kg neo4j start && eval "$(kg neo4j env)"
    """


@neo4j.command()
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Bolt port on 127.0.0.1 [default: KG_NEO4J_PORT or 7687].")
@click.option("--timeout", type=float, default=180.0, show_default=True, help="Seconds to wait for Bolt.")
def start(port: int | None, timeout: float) -> None:
    """Start Neo4j in the background and wait until Bolt answers."""
    from kg.neo4jlocal import start as start_server

    result = start_server(port=port, timeout=timeout, echo=lambda text: click.echo(text, err=True))
    state = result.state
    if result.already_running:
        click.echo(f"Neo4j is already running at {state.uri} (pid {state.pid}).")
        if port and port != state.port:
            click.echo(f"(--port {port} ignored: stop it first to move it)", err=True)
    else:
        click.echo(f"Neo4j {state.version} started at {state.uri} (pid {state.pid}) in {result.seconds:.1f} s.")
    click.echo('Use it from this shell with: eval "$(kg neo4j env)"', err=True)


@neo4j.command()
@click.option("--timeout", type=float, default=60.0, show_default=True,
              help="Seconds to wait after SIGTERM before SIGKILL.")
def stop(timeout: float) -> None:
    """Stop the running instance cleanly (SIGTERM, then SIGKILL after --timeout)."""
    from kg.neo4jlocal import stop as stop_server

    state = stop_server(timeout=timeout)
    click.echo(f"Neo4j (pid {state.pid}) stopped." if state else "Neo4j is not running.")


@neo4j.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object (password left out).")
def status(as_json: bool) -> None:
    """Say whether it runs, and its uri, pid, version and folders."""
    from kg.neo4jlocal import status as server_status

    current = server_status()
    if as_json:
        state = current.state
        click.echo(json.dumps({"running": current.running, "uri": current.uri,
                               "pid": state.pid if current.running else None,
                               "version": state.version if state else current.layout.version,
                               "home": str(current.layout.home)}, sort_keys=True))
    else:
        click.echo(current.describe())


@neo4j.command()
def env() -> None:
    """Print export lines for NEO4J_URI, NEO4J_USERNAME and NEO4J_PASSWORD (use with eval)."""
    from kg.errors import Neo4jUnavailable
    from kg.neo4jlocal import env_lines, local_state

    state = local_state()
    if state is None:
        raise Neo4jUnavailable("the project's Neo4j is not running", fix="start it with `kg neo4j start`")
    click.echo("\n".join(env_lines(state)))
