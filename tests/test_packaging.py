"""The package as users get it: a wheel carries schema and queries, and `kg --help` stays light."""
from __future__ import annotations

import configparser
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _declared_packages() -> set[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    return {line.strip() for line in config["options"]["packages"].splitlines() if line.strip()}


def _package_dirs() -> dict[str, Path]:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    mapping = {}
    for line in config["options"]["package_dir"].splitlines():
        if "=" in line:
            name, folder = (part.strip() for part in line.split("="))
            mapping[name] = ROOT / folder
    return mapping


def test_every_package_folder_is_declared():
    """A folder with __init__.py under a mapped root must be listed in setup.cfg, or the wheel drops it."""
    declared = _declared_packages()
    found = set()
    for name, folder in _package_dirs().items():
        for init in folder.rglob("__init__.py"):
            relative = init.parent.relative_to(folder).parts
            if "__pycache__" in relative:
                continue
            found.add(".".join((name, *relative)))
    assert found - declared == set(), f"add these to [options] packages in setup.cfg: {sorted(found - declared)}"
    assert declared - found == set(), f"declared but missing on disk: {sorted(declared - found)}"


def test_help_does_not_import_heavy_libraries():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from kg.cli import main\n"
        "result = CliRunner().invoke(main, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "heavy = [m for m in ('spacy', 'rdflib', 'pyvis', 'neo4j', 'fastapi', 'networkx', 'thinc') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == ""


def test_version_answers():
    out = subprocess.run([sys.executable, "-m", "kg", "--version"], capture_output=True, text=True, check=True)
    from kg import __version__

    assert out.stdout.strip() == f"kg, version {__version__}"


@pytest.mark.slow
def test_wheel_install_finds_schema_and_queries(tmp_path):
    """A non-editable install (the wheel) carries kg.schema, kg.queries and kg.loaders with their data."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
    )
    wheel = next(tmp_path.glob("kg_ml-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "kg/schema/graph.toml" in names
    assert "kg/loaders/__init__.py" in names
    assert "kg/queries/__init__.py" in names
    assert any(n.startswith("kg/queries/") and n.endswith(".cypher") for n in names) or not list(
        (ROOT / "queries").glob("*.cypher")
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)
    code = (
        "import kg, kg.schema\n"
        "assert '/site-packages/' in kg.__file__, kg.__file__\n"
        "print(len(kg.schema.load_schema().relationships))\n"
    )
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert int(out.stdout) >= 10
    help_out = subprocess.run([str(venv / "bin" / "kg"), "--help"], capture_output=True, text=True, check=True)
    assert "build" in help_out.stdout
