"""neo4j.conf and the JVM command line for the project's own instance.

Loopback only, Bolt without TLS on one port, HTTP off (kg talks Bolt only), auth on,
no usage reports (the server would otherwise try to phone home), a modest page cache.
Neo4j's own launcher is not used (it is a script outside the Maven jars), so heap flags
go on the java command line here: neo4j.conf's heap settings are read only by that launcher.
"""
from __future__ import annotations

import os

from kg.neo4jlocal.layout import DEFAULT_HEAP, DEFAULT_PAGECACHE, Layout

MAIN_CLASS = "org.neo4j.server.CommunityEntryPoint"
ADMIN_CLASS = "org.neo4j.server.startup.Neo4jAdminCommand"

# The JVM flags the stock 5.26 configuration passes that the server needs on Java 17+.
JVM_FLAGS = (
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+DisableExplicitGC",
    "-Dfile.encoding=UTF-8",
)


def settings(layout: Layout, port: int) -> dict[str, str]:
    """The neo4j.conf entries, in the 5.x setting names."""
    return {
        "server.directories.data": str(layout.data),
        "server.directories.logs": str(layout.logs),
        "server.directories.run": str(layout.home / "run"),
        "server.directories.plugins": str(layout.home / "plugins"),
        "server.directories.import": str(layout.home / "import"),
        "server.directories.lib": str(layout.lib),
        "server.default_listen_address": "127.0.0.1",
        "server.default_advertised_address": "127.0.0.1",
        "server.bolt.enabled": "true",
        "server.bolt.listen_address": f"127.0.0.1:{port}",
        "server.bolt.tls_level": "DISABLED",
        "server.http.enabled": "false",
        "server.https.enabled": "false",
        "dbms.security.auth_enabled": "true",
        "dbms.usage_report.enabled": "false",
        "server.memory.pagecache.size": os.environ.get("KG_NEO4J_PAGECACHE") or DEFAULT_PAGECACHE,
        # Keep the transaction logs of a local tool small.
        "db.tx_log.rotation.retention_policy": "2 files",
        # Bolt waits 5 s twice on shutdown by default; a local tool has no clients to drain.
        "internal.server.bolt.thread_pool_shutdown_wait_time": "1s",
        "internal.server.bolt.connection_shutdown_wait_time": "1s",
    }


def write_config(layout: Layout, port: int) -> None:
    """(Re)write conf/neo4j.conf; done on every start so a new ``--port`` takes effect."""
    layout.conf.mkdir(parents=True, exist_ok=True)
    for folder in (layout.data, layout.logs, layout.home / "run", layout.home / "plugins", layout.home / "import"):
        folder.mkdir(parents=True, exist_ok=True)
    lines = ["# Written by `kg neo4j start` on every start; edits here are overwritten."]
    lines += [f"{key}={value}" for key, value in settings(layout, port).items()]
    (layout.conf / "neo4j.conf").write_text("\n".join(lines) + "\n", encoding="utf-8")


def classpath(layout: Layout) -> str:
    home = layout.home
    return os.pathsep.join([f"{home / 'plugins'}/*", f"{layout.conf}/*", f"{layout.lib}/*"])


def server_command(java: str, layout: Layout) -> list[str]:
    """The command the official ``neo4j console`` launcher would run for its child JVM."""
    heap = os.environ.get("KG_NEO4J_HEAP") or DEFAULT_HEAP
    return [java, "-cp", classpath(layout), *JVM_FLAGS, f"-Xms{heap}", f"-Xmx{heap}",
            MAIN_CLASS, f"--home-dir={layout.home}", f"--config-dir={layout.conf}", "--console-mode"]


def admin_command(java: str, layout: Layout, *args: str) -> list[str]:
    return [java, "-cp", classpath(layout), f"-Dbasedir={layout.home}", ADMIN_CLASS, *args]


def admin_env(layout: Layout) -> dict[str, str]:
    return {**os.environ, "NEO4J_HOME": str(layout.home), "NEO4J_CONF": str(layout.conf)}
