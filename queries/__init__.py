"""The catalogue of named Cypher queries: the ``*.cypher`` files beside this module.

Each file is one query; its name is the file stem. The leading ``//`` comment block is
its header and the only place its interface is written down::

    // One-line title: the question it answers.
    //
    // Free text that says how it answers it.
    //
    // @param dataset: str  Dataset or benchmark, by name or alias.
    // @param limit: int = 25  Most rows.
    // @example kg query methods_on_dataset --param dataset=ImageNet

Parameter types are ``int``, ``float``, ``str`` and ``list`` (of strings). A parameter
without ``= default`` is required; ``= null`` makes it optional with no value. Values
always reach Neo4j as Cypher parameters, never as text pasted into the query.

>>> catalogue()["top_entities"].params[0].name
'type'
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from kg.errors import QueryError

PARAM_TYPES = ("int", "float", "str", "list")
_PARAM = re.compile(
    r"@param\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?P<type>\w+)"
    r"(?:\s*=\s*(?P<default>\"[^\"]*\"|\[[^\]]*\]|\S+))?\s*(?P<doc>.*)$"
)
_USED = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Param:
    """One declared parameter: its name, type, default and what it means."""

    name: str
    type: str
    doc: str = ""
    required: bool = True
    default: object = None

    def as_dict(self) -> dict:
        return {"name": self.name, "type": self.type, "required": self.required,
                "default": self.default, "doc": self.doc}


@dataclass(frozen=True)
class NamedQuery:
    """A named query: its Cypher text and the interface its header declares."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    examples: tuple[str, ...]
    text: str = field(repr=False)
    source: str = ""

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def as_dict(self) -> dict:
        return {"name": self.name, "title": self.title, "description": self.description,
                "params": [p.as_dict() for p in self.params], "examples": list(self.examples)}

    def bind(self, values: dict) -> dict:
        """Check ``values`` against the header and return the full parameter map.

        Unknown names, missing required values and values of the wrong type raise
        :class:`QueryError`; absent optional parameters take their defaults.
        """
        unknown = sorted(set(values) - {p.name for p in self.params})
        if unknown:
            known = ", ".join(p.name for p in self.params) or "none"
            raise QueryError(f"query {self.name!r} has no parameter {unknown[0]!r}", where=self.source,
                             fix=f"its parameters are: {known}")
        bound = {}
        for p in self.params:
            if p.name in values:
                bound[p.name] = check_value(p, values[p.name], where=self.source)
            elif p.required:
                raise QueryError(f"query {self.name!r} needs parameter {p.name!r} ({p.type})",
                                 where=self.source,
                                 fix=f"give it a value: --param {p.name}=VALUE (CLI) or \"params\": {{\"{p.name}\": ...}} (HTTP)")
            else:
                bound[p.name] = p.default
        return bound


def check_value(param: Param, value: object, where: str = "") -> object:
    """A JSON value for ``param`` checked against its declared type (ints pass as floats)."""
    ok = {
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "str": isinstance(value, str),
        "list": isinstance(value, list) and all(isinstance(v, str) for v in value),
    }[param.type]
    if value is None and not param.required:
        return None
    if not ok:
        raise QueryError(f"parameter {param.name!r} must be {param.type}, not {json.dumps(value)[:60]}",
                         where=where, fix=f"give {param.name} a value of type {param.type}")
    if param.type == "float":
        return float(value)
    if param.type == "int" and not -2**63 <= value < 2**63:
        raise QueryError(f"parameter {param.name!r} is out of range", where=where,
                         fix="give a 64-bit integer")
    return value


def parse_text(param: Param, text: str, where: str = "") -> object:
    """A command-line string (``--param key=value``) converted to the parameter's type.

    ``list`` values are comma-separated (``a,b,c``) or a JSON array; ``null`` gives no
    value to an optional parameter.
    """
    if text == "null" and not param.required:
        return None
    try:
        if param.type == "int":
            return int(text)
        if param.type == "float":
            return float(text)
        if param.type == "list":
            if text.startswith("["):
                value = json.loads(text)
                return check_value(param, value, where)
            return [part.strip() for part in text.split(",") if part.strip()]
        return text
    except ValueError:
        raise QueryError(f"parameter {param.name!r} must be {param.type}, not {text!r}", where=where,
                         fix=f"give {param.name} a value of type {param.type}") from None


def _default(param_type: str, raw: str, where: str) -> object:
    if raw == "null":
        return None
    if raw.startswith('"') or raw.startswith("["):
        value = json.loads(raw)
    else:
        value = parse_text(Param("default", param_type), raw, where)
    return check_value(Param("default", param_type, required=False), value, where)


def parse_query(name: str, text: str, source: str = "") -> NamedQuery:
    """Parse one ``.cypher`` file's header; ``source`` is named in error messages."""
    header: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith("//"):
            break
        header.append((number, stripped[2:].strip()))
    prose = [line for _, line in header if not line.startswith("@")]
    if not prose or not prose[0]:
        raise QueryError("query file has no header title", where=f"{source}:1",
                         fix="start the file with a `// what it answers` comment line")
    params, examples = [], []
    for number, line in header:
        where = f"{source}:{number}"
        if line.startswith("@param"):
            match = _PARAM.match(line)
            if not match or match["type"] not in PARAM_TYPES:
                raise QueryError(f"bad @param line: {line!r}", where=where,
                                 fix=f"write `@param name: TYPE [= default]  doc`, TYPE one of {PARAM_TYPES}")
            raw = match["default"]
            params.append(Param(name=match["name"], type=match["type"], doc=match["doc"].strip(),
                                required=raw is None,
                                default=None if raw is None else _default(match["type"], raw, where)))
        elif line.startswith("@example"):
            examples.append(line[len("@example"):].strip())
        elif line.startswith("@"):
            raise QueryError(f"unknown header tag: {line.split()[0]}", where=where, fix="use @param or @example")
    body = "\n".join(text.splitlines()[len(header):])
    declared = {p.name for p in params}
    used = set(_USED.findall(_strip_strings(body)))
    if used != declared:
        missing, unused = sorted(used - declared), sorted(declared - used)
        raise QueryError(f"query {name!r}: parameters used but not declared {missing}, declared but unused {unused}",
                         where=source, fix="make the @param lines match the $names in the query")
    description = " ".join(line for line in prose[1:] if line)
    return NamedQuery(name=name, title=prose[0], description=description, params=tuple(params),
                      examples=tuple(examples), text=text, source=source)


def _strip_strings(cypher: str) -> str:
    """Cypher without its string literals, so a ``$`` inside quotes is not a parameter."""
    return re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", "''", cypher)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, NamedQuery]:
    """Every packaged named query, by name (works from a checkout and an installed wheel)."""
    folder = resources.files(__name__)
    out = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".cypher"):
            name = entry.name[: -len(".cypher")]
            out[name] = parse_query(name, entry.read_text(encoding="utf-8"), source=f"queries/{entry.name}")
    return out


def get(name: str) -> NamedQuery:
    """The named query ``name``, or a :class:`QueryError` that lists the known names."""
    queries = catalogue()
    if name not in queries:
        raise QueryError(f"no named query {name!r}", fix=f"see `kg query --list`; known: {', '.join(queries)}")
    return queries[name]
