"""Entity resolution across a corpus: many spellings, one entity.

Every mention gets a *concept key*, decided in this order:

1. an abbreviation defined in the mention's own paper is its long form ("RL" where the paper
   wrote "representation learning (RL)");
2. a curated alias (``aliases.tsv``) is its canonical form;
3. a bare abbreviation defined elsewhere in the corpus is that long form, only when every
   definition of it for this kind of entity agrees ("RAG" in a paper that never spells it out);
   dataset and benchmark count as one kind, other types are apart, so the task "KILT"
   (knowledge-intensive language tasks) does not swallow the "KILT benchmark";
4. otherwise its own name key (case, hyphens, plural, Unicode, TeX do not matter).

A long form that is itself a curated alias is then mapped to the canonical form. Mentions with
one concept key are one entity. Versions and sizes have different keys (GPT-3 is not GPT-4,
BERT-base is not BERT) and are linked with VARIANT_OF instead.

Type conflicts (one concept, several types across papers) are decided by vote: the summed
confidence of the mentions of each type, then the number of mentions, then the schema's type
order. The entity id is ``type:slug(concept key)``: only the entity's own key and type.
The canonical name is the most frequent full form (a surface whose key is the concept key),
ties broken by the string itself; every surface form is kept as an alias with its count.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from kg.extract.records import ENTITY_TYPES, Extraction, Mention
from kg.resolve.abbreviations import definition_pairs, definitions_of, head_key, surfaces_of
from kg.resolve.curated import CuratedAliases, load_curated
from kg.resolve.ids import entity_id
from kg.gcpause import paused_gc
from kg.resolve.memo import MEMO_SIZE, compact_key, surface_key
from kg.resolve.variants import base_keys

# Rules recorded for each alias, for the report and hand checks.
RULE_KEY = "same-key"
RULE_PAPER = "paper-abbreviation"
RULE_CURATED = "curated-alias"
RULE_CORPUS = "corpus-abbreviation"


def family(entity_type: str | None) -> str:
    """Types that may share a cross-paper abbreviation: dataset and benchmark are one family."""
    return "data" if entity_type in ("dataset", "benchmark") else (entity_type or "")


@dataclass(frozen=True)
class Entity:
    """One canonical entity of the corpus."""

    id: str
    type: str
    key: str
    name: str
    aliases: tuple[str, ...]
    alias_counts: tuple[int, ...]
    papers: tuple[str, ...]
    mention_count: int
    type_votes: tuple[tuple[str, int], ...] = ()
    alias_rules: tuple[tuple[str, str], ...] = ()

    @property
    def paper_count(self) -> int:
        return len(self.papers)


@dataclass
class ResolutionReport:
    """What resolution did: entity counts per type before and after, merges and type votes."""

    surfaces_before: dict[str, int] = field(default_factory=dict)
    keys_before: dict[str, int] = field(default_factory=dict)
    entities_after: dict[str, int] = field(default_factory=dict)
    type_conflicts: list[tuple[str, tuple[tuple[str, int], ...]]] = field(default_factory=list)
    ambiguous_abbreviations: dict[str, list[str]] = field(default_factory=dict)
    unknown_types: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "surfaces_before": self.surfaces_before,
            "keys_before": self.keys_before,
            "entities_after": self.entities_after,
            "type_conflicts": [{"id": i, "votes": dict(v)} for i, v in self.type_conflicts],
            "ambiguous_abbreviations": self.ambiguous_abbreviations,
            "unknown_types": self.unknown_types,
        }


class Resolver:
    """Holds the corpus-wide facts (definitions, curated table) that decide concept keys."""

    def __init__(self, extractions: Iterable[Extraction], curated: CuratedAliases | None = None):
        self.extractions = list(extractions)
        self.curated = curated or load_curated()
        # (offset, short, long) definitions of each extraction, in the order of self.extractions
        self.pairs = [definition_pairs(e) for e in self.extractions]
        self.paper_defs = {e.paper_id: definitions_of(pairs) for e, pairs in zip(self.extractions, self.pairs)}
        self.long_families = {e.paper_id: self._long_families(e) for e in self.extractions}
        self.corpus_defs = self._corpus_definitions()
        # (type, name key) -> concept of a name its paper does not define: corpus facts only
        self._corpus_concepts: dict[tuple[str | None, str], tuple[str, str]] = {}

    def _long_families(self, extraction: Extraction) -> dict[str, set[str]]:
        """long-form key -> type families its own mentions have in this paper."""
        longs = set(self.paper_defs[extraction.paper_id].values())
        found: dict[str, set[str]] = defaultdict(set)
        for mention in extraction.mentions:
            key = head_key(mention.text)
            if key in longs and not mention.long_form:
                found[key].add(family(mention.type))
        return found

    def _corpus_definitions(self) -> dict[tuple[str, str], set[str]]:
        """(type family, short key) -> long keys defined for it anywhere in the corpus."""
        found: dict[tuple[str, str], set[str]] = defaultdict(set)
        for extraction in self.extractions:
            for fam, short, long in self.definitions_used(extraction):
                found[(fam, short)].add(long)
        return found

    def definitions_used(self, extraction: Extraction) -> set[tuple[str, str, str]]:
        """(type family, short key, long key) that one paper adds to the corpus definitions
        (a paper's share, so an incremental state can add and take it away)."""
        found: set[tuple[str, str, str]] = set()
        definitions = self.paper_defs[extraction.paper_id]
        if not definitions:
            return found
        longs = {long: short for short, long in definitions.items()}
        for mention in extraction.mentions:
            for surface in surfaces_of(mention.text):
                key = surface_key(surface)
                short = key if key in definitions else longs.get(key)
                if short is not None:
                    found.add((family(mention.type), short, self._curated(mention.type, definitions[short])))
        return found

    def _curated(self, entity_type: str | None, key: str) -> str:
        return self.curated.get(entity_type or "", key) or key

    def concept(self, paper_id: str, text: str, entity_type: str | None = None) -> tuple[str, str] | None:
        """(concept key, rule) for a name written in a paper; None for an empty name."""
        key = head_key(text)
        if not key:
            return None
        definitions = self.paper_defs.get(paper_id)
        if definitions and key in definitions:
            long = definitions[key]
            families = self.long_families.get(paper_id, {}).get(long)
            # Keyed on type and long form: a short form typed apart from every mention of its long
            # form in this paper ("KILT" the benchmark beside "knowledge-intensive language tasks"
            # the task) is not that long form.
            if entity_type is None or not families or family(entity_type) in families:
                return self._curated(entity_type, long), RULE_PAPER
        return self.corpus_concept(entity_type, key)

    def corpus_concept(self, entity_type: str | None, key: str) -> tuple[str, str]:
        """(concept key, rule) of a name key its own paper does not define: corpus facts only."""
        found = self._corpus_concepts.get((entity_type, key))
        if found is None:
            found = self._corpus_concepts[(entity_type, key)] = self._corpus_concept(entity_type, key)
        return found

    def _corpus_concept(self, entity_type: str | None, key: str) -> tuple[str, str]:
        """(concept key, rule) of a name key its own paper does not define (memoised by concept)."""
        curated = self.curated.get(entity_type or "", key)
        if curated is not None:
            return curated, RULE_CURATED
        longs = self.corpus_defs.get((family(entity_type), key))
        if longs and len({compact_key(long) for long in longs}) == 1:
            return representative(longs), RULE_CORPUS
        return key, RULE_KEY

    def ambiguous(self) -> dict[str, list[str]]:
        """Abbreviations with several long forms in the corpus (kept apart), for the report."""
        return {f"{fam}:{short}": sorted(longs) for (fam, short), longs in sorted(self.corpus_defs.items())
                if len({compact_key(long) for long in longs}) > 1}


def lookup_entity(resolver: Resolver, by_concept: dict[str, str], entities: dict[str, Entity], paper_id: str,
                  text: str | None, entity_type: str | None = None) -> Entity | None:
    """The entity a name written in ``paper_id`` resolves to: its concept, then that concept's entity."""
    if not text:
        return None
    found = resolver.concept(paper_id, text, entity_type)
    if found is None:
        return None
    entity = by_concept.get(found[0])
    return entities[entity] if entity else None


@dataclass
class Resolution:
    """The outcome: canonical entities, who mentions them, variants, and a lookup for relations."""

    resolver: Resolver
    entities: dict[str, Entity]
    by_concept: dict[str, str]
    mentions: dict[tuple[str, str], tuple[Mention, ...]]
    variants: tuple[tuple[str, str], ...]
    report: ResolutionReport

    def lookup(self, paper_id: str, text: str | None, entity_type: str | None = None) -> Entity | None:
        """The entity a name written in ``paper_id`` resolves to (relations and results use this)."""
        return lookup_entity(self.resolver, self.by_concept, self.entities, paper_id, text, entity_type)

    def find(self, name: str) -> list[Entity]:
        """Entities whose name or any alias has the same key as ``name`` (case-insensitive)."""
        key = surface_key(name)
        hits = [e for e in self.entities.values()
                if key == e.key or any(surface_key(a) == key for a in e.aliases)]
        return sorted(hits, key=lambda e: (-e.mention_count, e.id))


def representative(keys) -> str:
    """Of several spellings of one name key, the one the entity is keyed on: the most
    word-split, then the first in order (never the most frequent, so ids do not follow counts)."""
    return min(keys, key=lambda k: (-k.count(" "), k))


def _merge_spellings(grouped: dict) -> tuple[dict, dict[str, str]]:
    """Join concept keys that differ only in spacing or British/American spelling."""
    by_compact: dict[str, list[str]] = defaultdict(list)
    for concept in grouped:
        by_compact[compact_key(concept)].append(concept)
    alias_of = {}
    merged: dict[str, list] = defaultdict(list)
    for spellings in by_compact.values():
        chosen = representative(spellings)
        for concept in spellings:
            target = concept if _typed_apart_in_a_paper(grouped[concept], grouped[chosen]) else chosen
            alias_of[concept] = target
            merged[target].extend(grouped[concept])
    return merged, alias_of


def _typed_apart_in_a_paper(entries_a: list, entries_b: list) -> bool:
    """True when one paper writes both spellings as different kinds of thing.

    A paper does not spell one name two ways: '"concept vectors"' (the notion) and
    'ConceptVectors' (its benchmark) in one abstract are two entities.
    """
    def types_by_paper(entries):
        found: dict[str, set[str]] = defaultdict(set)
        for mention, *_ in entries:
            found[mention.paper_id].add(mention.type)
        return found

    a, b = types_by_paper(entries_a), types_by_paper(entries_b)
    return any(a[paper].isdisjoint(b[paper]) for paper in a.keys() & b.keys())


def _vote(weights: dict[str, float], counts: Counter) -> str:
    order = {t: i for i, t in enumerate(ENTITY_TYPES)}
    return min(weights, key=lambda t: (-round(weights[t], 6), -counts[t], order.get(t, len(order))))


def extra_surfaces(resolver: Resolver, paper_id: str, pairs, seen_in_paper) -> list[tuple[str, str]]:
    """(concept, surface) pairs one paper adds as spellings from its stated definitions.

    The other side of a definition the paper states is a spelling of the entity too, even when
    extraction marked only one side as a mention ("Graph Neural Network (GNN)"). ``seen_in_paper``
    holds the (concept, surface) pairs of the paper's own mentions."""
    found: list[tuple[str, str]] = []
    seen = set(seen_in_paper)
    concepts = {c for c, _ in seen}
    for _, short, long in pairs:
        for present, other in ((long, short), (short, long)):
            concept = resolver.concept(paper_id, present, None)
            if concept and concept[0] in concepts and (concept[0], other) not in seen and \
                    resolver.concept(paper_id, other, None)[0] == concept[0]:
                found.append((concept[0], other))
                seen.add((concept[0], other))
    return found


def make_entity(concept: str, rows, extra) -> Entity:
    """The entity of one concept key from its mention rows ``(paper id, type, confidence,
    surfaces, rule)`` in corpus order and the extra surface counts its papers' definitions add.
    (Plain tuples, not mentions: the incremental state keeps and pickles these rows.)"""
    weights: dict[str, float] = defaultdict(float)
    type_counts: Counter = Counter()
    surface_counts: Counter = Counter()
    rules: dict[str, str] = {}
    compact = compact_key(concept)
    for _, mention_type, confidence, surfaces, rule in rows:
        weights[mention_type] += confidence
        type_counts[mention_type] += 1
        for surface in surfaces:
            surface_counts[surface] += 1
            surface_rule = RULE_KEY if compact_key(surface_key(surface)) == compact else rule
            rules.setdefault(surface, surface_rule)
    for surface, count in extra.items():
        surface_counts[surface] += count
        rules.setdefault(surface, RULE_KEY if surface_key(surface) == concept else RULE_PAPER)
    entity_type = _vote(weights, type_counts)
    full = [s for s in surface_counts if compact_key(surface_key(s)) == compact] or list(surface_counts)
    name = min(full, key=lambda s: (-surface_counts[s], s))
    aliases = sorted(surface_counts, key=lambda s: (-surface_counts[s], s))
    papers = sorted({row[0] for row in rows})
    return Entity(
        id=entity_id(entity_type, concept), type=entity_type, key=concept, name=name,
        aliases=tuple(aliases), alias_counts=tuple(surface_counts[a] for a in aliases),
        papers=tuple(papers), mention_count=len(rows), type_votes=tuple(sorted(type_counts.items())),
        alias_rules=tuple(sorted(rules.items())),
    )


def variant_base(entity: Entity, by_concept, entities, curated) -> str | None:
    """The id of the entity ``entity`` is a variant of (nearest shorter key of its family), or None.
    ``curated(type, key)`` maps a key through the curated table."""
    for base in base_keys(entity.key):
        target = by_concept.get(curated(entity.type, base))
        if target and family(entities[target].type) == family(entity.type):
            return target
    return None


@lru_cache(maxsize=MEMO_SIZE)
def _written_surfaces(text: str) -> tuple[str, ...]:
    """The non-empty surface forms of one mention text."""
    return tuple(s for s in surfaces_of(text) if s)


def resolve(extractions: Iterable[Extraction], curated: CuratedAliases | None = None) -> Resolution:
    """Resolve the mentions of every paper into canonical entities.

    >>> from kg.extract.records import Mention, Extraction
    >>> m = lambda p, t, s: Mention(p, t, "method", s, s + len(t), 1, "test", 0.9)
    >>> a = Extraction("p1", "A", mentions=(m("p1", "Retrieval-Augmented Generation (RAG)", 0),))
    >>> b = Extraction("p2", "B", mentions=(m("p2", "RAG", 5),))
    >>> r = resolve([a, b])
    >>> [(e.id, e.name, e.aliases, e.paper_count) for e in r.entities.values()]
    [('method:retrieval-augmented-generation', 'Retrieval-Augmented Generation', ('RAG', 'Retrieval-Augmented Generation'), 2)]
    """
    with paused_gc():
        return _resolve(extractions, curated)


def _resolve(extractions: Iterable[Extraction], curated: CuratedAliases | None) -> Resolution:
    resolver = Resolver(extractions, curated)
    surfaces_before: dict[str, set[str]] = defaultdict(set)
    grouped: dict[str, list[tuple[Mention, list[str], str]]] = defaultdict(list)
    extra: dict[str, Counter] = defaultdict(Counter)
    unknown_types: Counter = Counter()
    seen_in_paper: dict[str, set[tuple[str, str]]] = defaultdict(set)
    concept_of = resolver.concept
    for extraction in resolver.extractions:
        paper_id = extraction.paper_id
        seen = seen_in_paper[paper_id]
        for mention in extraction.mentions:
            if mention.type not in ENTITY_TYPES:
                unknown_types[mention.type] += 1
                continue
            found = concept_of(paper_id, mention.text, mention.type)
            if found is None:
                continue
            concept, rule = found
            surfaces = _written_surfaces(mention.text)
            surfaces_before[mention.type].update(surfaces)
            grouped[concept].append((mention, surfaces, rule))
            for surface in surfaces:
                seen.add((concept, surface))

    # The other side of a definition the paper states is a spelling of the entity too, even when
    # extraction marked only one side as a mention ("Graph Neural Network (GNN)").
    for extraction, pairs in zip(resolver.extractions, resolver.pairs):
        for concept, other in extra_surfaces(resolver, extraction.paper_id, pairs,
                                             seen_in_paper.get(extraction.paper_id, ())):
            extra[concept][other] += 1

    grouped, spelling_of = _merge_spellings(grouped)
    extra_merged: dict[str, Counter] = defaultdict(Counter)
    for concept, counts in extra.items():
        extra_merged[spelling_of.get(concept, concept)].update(counts)
    extra = extra_merged
    spellings_by_choice: dict[str, list[str]] = defaultdict(list)
    for spelling, chosen in spelling_of.items():
        spellings_by_choice[chosen].append(spelling)

    entities: dict[str, Entity] = {}
    by_concept: dict[str, str] = {}
    mentions: dict[tuple[str, str], list[Mention]] = defaultdict(list)
    conflicts = []
    for concept in sorted(grouped):
        rows = grouped[concept]
        entity = make_entity(concept, [(m.paper_id, m.type, m.confidence, surfaces, rule) for m, surfaces, rule in rows],
                             extra.get(concept, {}))
        entities[entity.id] = entity
        by_concept[concept] = entity.id
        for spelling in spellings_by_choice.get(concept, ()):
            by_concept[spelling] = entity.id
        if len(entity.type_votes) > 1:
            conflicts.append((entity.id, entity.type_votes))
        for mention, _, _ in rows:
            mentions[(mention.paper_id, entity.id)].append(mention)

    variants = []
    for entity in entities.values():
        base = variant_base(entity, by_concept, entities, resolver._curated)
        if base is not None:
            variants.append((entity.id, base))

    report = ResolutionReport(
        surfaces_before={t: len(surfaces_before[t]) for t in ENTITY_TYPES},
        keys_before={t: len({surface_key(s) for s in surfaces_before[t]}) for t in ENTITY_TYPES},
        entities_after={t: sum(1 for e in entities.values() if e.type == t) for t in ENTITY_TYPES},
        type_conflicts=conflicts,
        ambiguous_abbreviations=resolver.ambiguous(),
        unknown_types=dict(unknown_types),
    )
    ordered = dict(sorted(entities.items()))
    return Resolution(resolver=resolver, entities=ordered, by_concept=by_concept,
                      mentions={k: tuple(v) for k, v in sorted(mentions.items())},
                      variants=tuple(sorted(variants)), report=report)
