"""Plain frozen records that leave the extraction stage; no spaCy object leaves it.

Offsets are character offsets into ``Paper.text`` (title, blank line, abstract);
sentence 0 is the title. ``rule`` names the component, rule id or model that found
the thing; ``confidence`` is in [0, 1].
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

ENTITY_TYPES = ("method", "dataset", "benchmark", "metric", "task")

# Document-level relations from the paper to an entity (head is the paper).
PAPER_RELATIONS = ("PROPOSES", "EVALUATES_ON", "USES_METRIC", "ADDRESSES")
# Relations between two entities (head and tail are mentions).
ENTITY_RELATIONS = ("OUTPERFORMS", "EVALUATED_ON")


@dataclass(frozen=True)
class Mention:
    """One occurrence of an entity name in a paper's text."""

    paper_id: str
    text: str
    type: str
    start: int
    end: int
    sentence: int
    rule: str
    confidence: float
    # When this mention is one side of an abbreviation definition ("long form (SF)"),
    # the other side, so that resolution can tie both to one entity.
    long_form: str | None = None
    short_form: str | None = None


@dataclass(frozen=True)
class Relation:
    """A typed relation stated in a paper, with its evidence.

    For paper relations ``head`` is None and ``tail`` is the entity mention's text;
    for entity relations both are mention texts. ``dataset`` qualifies OUTPERFORMS.
    """

    paper_id: str
    type: str
    head: str | None
    head_type: str | None
    tail: str
    tail_type: str
    sentence: int
    start: int
    end: int
    evidence: str
    rule: str
    confidence: float
    dataset: str | None = None


@dataclass(frozen=True)
class Result:
    """A numeric result as written ("77.9%"), with what it measures when stated."""

    paper_id: str
    value: str
    method: str | None
    dataset: str | None
    metric: str | None
    sentence: int
    start: int
    end: int
    evidence: str
    rule: str
    confidence: float


@dataclass(frozen=True)
class Abbreviation:
    """A definition found in the text: ``short`` abbreviates ``long``."""

    paper_id: str
    short: str
    long: str
    sentence: int
    start: int
    end: int


@dataclass(frozen=True)
class Extraction:
    """Everything extraction found in one paper."""

    paper_id: str
    title: str
    mentions: tuple[Mention, ...] = field(default_factory=tuple)
    relations: tuple[Relation, ...] = field(default_factory=tuple)
    results: tuple[Result, ...] = field(default_factory=tuple)
    abbreviations: tuple[Abbreviation, ...] = field(default_factory=tuple)
    sentences: tuple[tuple[int, int], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Extraction":
        return cls(
            paper_id=data["paper_id"],
            title=data["title"],
            mentions=tuple(Mention(**m) for m in data.get("mentions", ())),
            relations=tuple(Relation(**r) for r in data.get("relations", ())),
            results=tuple(Result(**r) for r in data.get("results", ())),
            abbreviations=tuple(Abbreviation(**a) for a in data.get("abbreviations", ())),
            sentences=tuple(tuple(s) for s in data.get("sentences", ())),
        )
