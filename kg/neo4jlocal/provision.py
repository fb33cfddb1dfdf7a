"""Fetch Neo4j Community's server jars from Maven Central with Maven, once per version.

Neo4j publishes no tarball where this project can reach it, but the community server is
on Maven Central as ``org.neo4j:neo4j``; its runtime dependencies are exactly the
server's ``lib/``. We write a one-dependency pom and let ``mvn dependency:copy-dependencies``
resolve them (Maven caches in ~/.m2; we copy into our own cache folder).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from kg.errors import Neo4jServerError
from kg.neo4jlocal.layout import Layout

DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.6.1"
MIN_JAVA = 17

POM_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by kg: the Neo4j Community server's runtime class path, fetched by Maven. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kg.local</groupId>
  <artifactId>neo4j-community-server</artifactId>
  <version>{version}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.neo4j</groupId>
      <artifactId>neo4j</artifactId>
      <version>{version}</version>
    </dependency>
  </dependencies>
</project>
"""

JAVA_FIX = ("install a Java 17 or 21 runtime, e.g. `apt-get install -y openjdk-17-jre-headless` "
            "on Debian/Ubuntu, or set JAVA_HOME to one")
MAVEN_FIX = "install Maven, e.g. `apt-get install -y maven` on Debian/Ubuntu (it fetches the Neo4j jars once)"


def find_java(env: dict | None = None) -> str:
    """The java executable (JAVA_HOME first, then PATH), checked to be Java 17 or newer."""
    env = os.environ if env is None else env
    java = None
    if env.get("JAVA_HOME"):
        candidate = Path(env["JAVA_HOME"]) / "bin" / "java"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            java = str(candidate)
    java = java or shutil.which("java", path=env.get("PATH", ""))
    if not java:
        raise Neo4jServerError("Java was not found (Neo4j runs on the JVM)", where="JAVA_HOME / PATH", fix=JAVA_FIX)
    major = java_major_version(java)
    if major < MIN_JAVA:
        raise Neo4jServerError(f"Java {major} is too old for Neo4j 5.26 (needs 17 or 21)", where=java, fix=JAVA_FIX)
    return java


def java_major_version(java: str) -> int:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except OSError as error:
        raise Neo4jServerError(f"cannot run Java ({error})", where=java, fix=JAVA_FIX) from None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        raise Neo4jServerError("cannot tell the Java version", where=java, fix=JAVA_FIX)
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def find_maven(env: dict | None = None) -> str:
    env = os.environ if env is None else env
    mvn = shutil.which("mvn", path=env.get("PATH", ""))
    if not mvn:
        raise Neo4jServerError("Maven (mvn) was not found; it is needed once to fetch the Neo4j jars",
                               where="PATH", fix=MAVEN_FIX)
    return mvn


def is_provisioned(layout: Layout) -> bool:
    return layout.lib_marker.is_file() and layout.lib.is_dir()


def provision(layout: Layout, *, echo=None) -> Path:
    """Make sure ``layout.lib`` holds the server jars; fetch them if not. Returns lib/.

    The jars are copied into a temporary folder and moved into place only when Maven
    succeeded, so an interrupted download is simply redone next time.
    """
    if is_provisioned(layout):
        return layout.lib
    mvn = find_maven()
    find_java()  # Maven itself needs Java; say so before it does, in our words
    layout.cache.mkdir(parents=True, exist_ok=True)
    pom = layout.cache / "pom.xml"
    pom.write_text(POM_TEMPLATE.format(version=layout.version), encoding="utf-8")
    log = layout.cache / "mvn.log"
    if echo:
        echo(f"Fetching Neo4j {layout.version} jars from Maven Central into {layout.lib} (once) ...")
    staging = Path(tempfile.mkdtemp(prefix="lib.", dir=layout.cache))
    command = [mvn, "-B", "-q", "-f", str(pom), f"{DEPENDENCY_PLUGIN}:copy-dependencies",
               "-DincludeScope=runtime", f"-DoutputDirectory={staging}"]
    with open(log, "w", encoding="utf-8") as out:
        code = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL).returncode
    jars = list(staging.glob("neo4j-*.jar"))
    if code != 0 or not jars:
        shutil.rmtree(staging, ignore_errors=True)
        raise Neo4jServerError(
            f"Maven could not fetch Neo4j {layout.version} (exit {code}):\n{tail(log)}",
            where=str(log),
            fix="check that Maven Central is reachable (and any proxy in ~/.m2/settings.xml), "
                "or pick another 5.26.x with KG_NEO4J_VERSION")
    if layout.lib.exists():
        shutil.rmtree(layout.lib)
    staging.rename(layout.lib)
    layout.lib_marker.write_text(f"{layout.version}\n{len(list(layout.lib.iterdir()))} jars\n", encoding="utf-8")
    return layout.lib


def tail(path: Path, lines: int = 20) -> str:
    """The last ``lines`` lines of a log file, for error messages."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.rstrip("\n").splitlines()[-lines:])
