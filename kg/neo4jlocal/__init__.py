"""The project's own Neo4j Community 5.26: provisioned from Maven Central, run as a local process.

Public API: :func:`start`, :func:`stop`, :func:`status`, :func:`env_lines`,
:func:`local_state`, :func:`default_layout`, :data:`NEO4J_VERSION`.
"""
from kg.neo4jlocal.layout import NEO4J_VERSION, Layout, default_layout, default_port
from kg.neo4jlocal.server import StartResult, Status, env_lines, local_state, port_is_free, start, status, stop
from kg.neo4jlocal.state import InstanceState

__all__ = ["NEO4J_VERSION", "Layout", "default_layout", "default_port", "StartResult", "Status", "env_lines",
           "local_state", "port_is_free", "start", "status", "stop", "InstanceState"]
