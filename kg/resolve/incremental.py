"""Incremental resolution: add and remove papers without re-resolving the corpus.

:func:`kg.resolve.resolve` is corpus-wide: a new paper can define an abbreviation, tip a type
vote, bring a spelling that becomes a merge's representative, or create the base of a variant,
and so change what names in *earlier* papers resolve to. :class:`ResolutionState` keeps what
decides those things as per-paper shares and per-key aggregates, so that an update costs in
proportion to the papers added or removed and the keys and concepts they touch:

- each paper's own facts (definitions, long-form families, its share of the corpus
  definitions, its mentions and the names its relations and results look up);
- each paper's resolved share (the concept of every name, the extra definition surfaces) and
  the corpus keys ``(family, short key)`` that share depended on, so a changed corpus
  abbreviation re-resolves exactly the papers that asked for it;
- per concept spelling, the rows of each paper; per compact key, its spellings (merges);
- per concept, the papers whose names resolve to it, so a changed entity id names the papers
  whose graph fragment changes.

The outcome is the batch resolver's, field for field: same entities, ids, variants, lookups
and mention tuples (the tests compare them on random splits of a real corpus). An entity is
rebuilt from its rows in corpus order (sorted paper ids) when one of its concepts is touched,
because the type vote sums float confidences in that order (and ``Entity.papers`` lists every
paper anyway, so a changed record costs its size). The report is recomputed on demand.

To build the graph incrementally: rebuild the fragments of ``change.added | change.papers``
with :meth:`ResolutionState.fragment`, drop those of ``change.removed``, write the entities in
``change.entities_changed``, delete ``change.entities_removed``, and apply the variant changes.

>>> from kg.extract.records import Mention, Extraction
>>> m = lambda p, t, s: Mention(p, t, "method", s, s + len(t), 1, "test", 0.9)
>>> state = ResolutionState.build([Extraction("p2", "B", mentions=(m("p2", "RAG", 5),))])
>>> sorted(state.entities)
['method:rag']
>>> change = state.update([Extraction("p1", "A", mentions=(m("p1", "Retrieval-Augmented Generation (RAG)", 0),))])
>>> sorted(change.papers), sorted(state.entities)
(['p2'], ['method:retrieval-augmented-generation'])
"""
from __future__ import annotations

import gc
import hashlib
import pickle
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from kg.atomic import atomic_write_bytes
from kg.errors import InputError
from kg.extract.records import ENTITY_TYPES, Extraction, Mention
from kg.gcpause import paused_gc
from kg.resolve.abbreviations import definition_pairs, definitions_of
from kg.resolve.curated import CuratedAliases, load_curated
from kg.resolve.memo import compact_key, surface_key
from kg.resolve.packed import PackedDict
from kg.resolve.resolver import (Entity, Resolution, ResolutionReport, Resolver, _written_surfaces,
                                 extra_surfaces, family, lookup_entity, make_entity, representative,
                                 variant_base)
from kg.resolve.variants import base_keys

FORMAT = 3
# Rebuilt on load from what is saved (cheaper than pickling them).
_DERIVED = ("entities", "by_concept")


@dataclass
class _Paper:
    """One paper: its own facts (fixed) and its resolved share (redone when corpus keys move)."""

    pairs: list
    mentions: tuple            # (text, type, confidence) of mentions with a known type
    names: tuple               # (text, type) its relations and results look up
    triples: frozenset         # its share of the corpus definitions
    counted: bool              # its surfaces are in the report's counts
    unknown: tuple             # (type, count) of mentions of an unknown type
    # resolved share
    rows: dict = field(default_factory=dict)     # concept -> (first index, rows)
    extras: tuple = ()                           # (concept, surface)
    looked: dict = field(default_factory=dict)   # (text, type) -> concept or None
    deps: frozenset = frozenset()                # corpus keys (family, key) it asked for


@dataclass
class ResolutionChange:
    """What an update changed. ``papers``: papers present before and after (not added, not
    removed) whose lookups or mention tuples may now differ: a sound superset."""

    added: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    papers: set[str] = field(default_factory=set)
    entities_changed: set[str] = field(default_factory=set)
    entities_removed: set[str] = field(default_factory=set)
    variants_added: set[tuple[str, str]] = field(default_factory=set)
    variants_removed: set[tuple[str, str]] = field(default_factory=set)

    def as_dict(self) -> dict:
        return {k: len(v) for k, v in self.__dict__.items()}


class _StateResolver(Resolver):
    """The batch resolver's concept rules over the state's tables, recording corpus keys asked for."""

    def __init__(self, curated: CuratedAliases):  # noqa: D107 - no corpus pass
        self.extractions = []
        self.pairs = []
        self.curated = curated
        self.paper_defs: dict[str, dict[str, str]] = {}
        self.long_families: dict[str, dict[str, set[str]]] = PackedDict()   # read per paper
        self.corpus_defs: dict[tuple[str, str], set[str]] = {}
        self._corpus_concepts: dict = {}
        self.recording: set | None = None

    def corpus_concept(self, entity_type, key):
        if self.recording is not None and self.curated.get(entity_type or "", key) is None:
            self.recording.add((family(entity_type), key))
        return super().corpus_concept(entity_type, key)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["recording"] = None
        return state


def _types_of_family(fam: str) -> tuple:
    """Every entity type ``t`` with ``family(t) == fam`` (memo entries to forget)."""
    if fam == "data":
        return ("dataset", "benchmark", "data")
    if fam == "":
        return (None, "")
    return (fam,)


def _fingerprint(curated: CuratedAliases) -> str:
    """What a saved state depends on besides the papers: the curated table and the code and
    data files of ``kg.resolve`` (a state made by other rules is refused, never half used)."""
    digest = hashlib.sha256(repr(sorted(curated.table.items())).encode())
    root = Path(__file__).resolve().parent
    for path in sorted(root.iterdir()):
        if path.suffix in (".py", ".toml", ".tsv") and path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


class ResolutionState:
    """Mergeable resolution aggregates of a corpus; see the module docstring."""

    def __init__(self, curated: CuratedAliases | None = None):
        self.curated = curated or load_curated()
        self.resolver = _StateResolver(self.curated)
        # Per paper and per spelling: kept packed, so a saved state loads and saves in
        # proportion to the entries an update reads (kg.resolve.packed).
        self.papers: dict[str, _Paper] = PackedDict()
        self.def_counts: dict[tuple[str, str], Counter] = {}
        self.corpus_users: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.concept_users: dict[str, set[str]] = defaultdict(set)
        self.spell: dict[str, dict[str, tuple]] = PackedDict()   # spelling -> paper -> (first index, rows)
        self.extras: dict[str, Counter] = {}                  # spelling -> extra surface counts
        self.groups: dict[str, set[str]] = defaultdict(set)   # compact key -> spellings present
        self.target_of: dict[str, str] = {}                   # spelling -> concept it is merged into
        self.order_of: dict[str, tuple[str, ...]] = {}        # target -> its spellings, corpus order
        self.entity_of: dict[str, Entity] = {}                # target -> entity
        self.entities: dict[str, Entity] = {}                 # id -> entity
        self.by_concept: dict[str, str] = {}                  # spelling -> entity id
        self.variant_of: dict[str, str] = {}                  # entity id -> base id
        self.watch_of: dict[str, tuple[str, ...]] = {}        # target -> concepts its variant reads
        self.watchers: dict[str, set[str]] = defaultdict(set)
        self.surfaces_before: dict[str, Counter] = {t: Counter() for t in ENTITY_TYPES}
        # per type: surface key -> how many distinct surfaces have it (the report's keys_before,
        # kept as surfaces come and go: keying every surface for each report took 0.45 s at 41k)
        self.keys_before: dict[str, Counter] = {t: Counter() for t in ENTITY_TYPES}
        self.unknown_types: Counter = Counter()

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in _DERIVED}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.entities = {e.id: e for e in self.entity_of.values()}
        self.by_concept = {s: self.entity_of[t].id for s, t in self.target_of.items()}

    # ---------------------------------------------------------------- public API
    @classmethod
    def build(cls, extractions: Iterable[Extraction], curated: CuratedAliases | None = None) -> "ResolutionState":
        """The state of a corpus, from scratch."""
        state = cls(curated)
        state.update(extractions)
        return state

    def update(self, added: Iterable[Extraction] = (), removed: Iterable[str] = ()) -> ResolutionChange:
        """Remove papers by id, then add extractions (a paper already present is replaced)."""
        with paused_gc():
            return self._update(list(added), set(removed))

    def lookup(self, paper_id: str, text: str | None, entity_type: str | None = None) -> Entity | None:
        """As :meth:`Resolution.lookup` on the union corpus."""
        return lookup_entity(self.resolver, self.by_concept, self.entities, paper_id, text, entity_type)

    @property
    def variants(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(self.variant_of.items()))

    def mentions_of(self, extractions: Iterable[Extraction]) -> dict[tuple[str, str], tuple[Mention, ...]]:
        """The ``(paper id, entity id) -> mentions`` tuples of :class:`Resolution` for these papers
        (their extractions as the state holds them)."""
        found: dict[tuple[str, str], list] = defaultdict(list)
        concept_of = self.resolver.concept
        for extraction in extractions:
            by_spelling: dict[str, list[Mention]] = defaultdict(list)
            for mention in extraction.mentions:
                if mention.type not in ENTITY_TYPES:
                    continue
                concept = concept_of(extraction.paper_id, mention.text, mention.type)
                if concept is not None:
                    by_spelling[concept[0]].append(mention)
            for spelling, mentions in by_spelling.items():
                found[(extraction.paper_id, self.by_concept[spelling])].append(
                    (self.order_of[self.target_of[spelling]].index(spelling), mentions))
        return {key: tuple(m for _, ms in sorted(parts, key=lambda p: p[0]) for m in ms)
                for key, parts in sorted(found.items())}

    def report(self) -> ResolutionReport:
        """The batch report (recomputed from the aggregates: one pass over entities and keys)."""
        entities = self.entities.values()
        conflicts = sorted((e.key, e.id, e.type_votes) for e in entities if len(e.type_votes) > 1)
        by_type = Counter(e.type for e in entities)
        return ResolutionReport(
            surfaces_before={t: len(self.surfaces_before[t]) for t in ENTITY_TYPES},
            keys_before={t: len(self.keys_before[t]) for t in ENTITY_TYPES},
            entities_after={t: by_type[t] for t in ENTITY_TYPES},
            type_conflicts=[(i, v) for _, i, v in conflicts],
            ambiguous_abbreviations=self.resolver.ambiguous(),
            unknown_types=dict(self.unknown_types),
        )

    def resolution(self, extractions: Iterable[Extraction] = ()) -> Resolution:
        """A :class:`Resolution` equal to ``resolve()`` of the union corpus; ``mentions`` covers
        the papers of ``extractions`` only (all of them for a full graph build)."""
        return Resolution(resolver=self.resolver, entities=dict(sorted(self.entities.items())),
                          by_concept=dict(self.by_concept), mentions=self.mentions_of(extractions),
                          variants=self.variants, report=self.report())

    def fragment(self, extractions: Iterable[Extraction]) -> Resolution:
        """A :class:`Resolution` for building the graph fragment of these papers only: their
        mention tuples, and the entities their mentions and looked-up names resolve to (so
        :meth:`Resolution.lookup` works for every name of these papers). No variants, an empty
        report: both are corpus-wide (see :class:`ResolutionChange` for what moved)."""
        extractions = list(extractions)
        mentions = self.mentions_of(extractions)
        wanted = {entity_id for _, entity_id in mentions}
        for extraction in extractions:
            paper = self.papers.get(extraction.paper_id)
            if paper is not None:
                wanted.update(self.by_concept[c] for c in paper.looked.values() if c in self.by_concept)
        return Resolution(resolver=self.resolver, entities={i: self.entities[i] for i in sorted(wanted)},
                          by_concept=self.by_concept, mentions=mentions, variants=(), report=ResolutionReport())

    def save(self, path) -> None:
        """Pickle the state to ``path`` (atomic)."""
        with paused_gc():
            data = pickle.dumps({"format": FORMAT, "fingerprint": _fingerprint(self.curated),
                                 "state": self.__getstate__()},
                                protocol=pickle.HIGHEST_PROTOCOL)
        atomic_write_bytes(path, data)

    @classmethod
    def load(cls, path, curated: CuratedAliases | None = None) -> "ResolutionState":
        """A state saved by :meth:`save`; refused when made by other rules (:func:`_fingerprint`).
        What it loads is moved to the collector's permanent generation (``gc.freeze``)."""
        try:
            with open(path, "rb") as handle, paused_gc():
                data = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as error:
            raise InputError(f"cannot read the resolution state: {error}", where=str(path),
                             fix="delete the file; the next build makes it again") from error
        curated = curated or load_curated()
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("fingerprint") != _fingerprint(curated):
            raise InputError("the resolution state was made by other resolution rules (code, variants or "
                             "curated aliases)",
                             where=str(path), fix="delete the file; the next build makes it again")
        state = cls.__new__(cls)
        state.__setstate__(data["state"])
        # The millions of objects just read live as long as the build; without this the first
        # collection after loading walks all of them (2-3 s on the 41k corpus, every run).
        gc.freeze()
        return state

    # ---------------------------------------------------------------- paper shares
    def _add_facts(self, extraction: Extraction, moved: dict) -> None:
        """A new paper's own facts and its share of the corpus definitions."""
        r = self.resolver
        pid = extraction.paper_id
        pairs = definition_pairs(extraction)
        r.paper_defs[pid] = definitions_of(pairs)
        r.long_families[pid] = r._long_families(extraction)
        triples = frozenset(r.definitions_used(extraction))
        mentions, unknown = [], Counter()
        for mention in extraction.mentions:
            if mention.type not in ENTITY_TYPES:
                unknown[mention.type] += 1
                continue
            mentions.append((mention.text, mention.type, mention.confidence))
        names = {}
        for relation in extraction.relations:
            for text, entity_type in ((relation.tail, relation.tail_type), (relation.head, relation.head_type),
                                      (relation.dataset, "dataset")):
                if text:
                    names[(text, entity_type)] = None
        for result in extraction.results:
            for text, entity_type in ((result.method, "method"), (result.dataset, "dataset"),
                                      (result.metric, "metric")):
                if text:
                    names[(text, entity_type)] = None
        paper = _Paper(pairs=pairs, mentions=tuple(mentions), names=tuple(names), triples=triples,
                       counted=False, unknown=tuple(unknown.items()))
        self.papers[pid] = paper
        self.unknown_types.update(unknown)
        for fam, short, long in triples:
            self._count_definition((fam, short), long, +1, moved)

    def _drop_facts(self, pid: str, moved: dict) -> None:
        paper = self.papers.pop(pid)
        r = self.resolver
        del r.paper_defs[pid], r.long_families[pid]
        self.unknown_types.subtract(dict(paper.unknown))
        self.unknown_types = +self.unknown_types
        for fam, short, long in paper.triples:
            self._count_definition((fam, short), long, -1, moved)

    def _count_definition(self, key: tuple[str, str], long: str, step: int, moved: dict) -> None:
        if key not in moved:
            moved[key] = self._corpus_result(key)
        counts = self.def_counts.setdefault(key, Counter())
        counts[long] += step
        if counts[long] <= 0:
            del counts[long]
        if counts:
            self.resolver.corpus_defs[key] = set(counts)
        else:
            del self.def_counts[key]
            self.resolver.corpus_defs.pop(key, None)

    def _corpus_result(self, key: tuple[str, str]) -> str | None:
        """What a corpus abbreviation key resolves to (None: to itself), curated table aside."""
        longs = self.resolver.corpus_defs.get(key)
        if longs and len({compact_key(long) for long in longs}) == 1:
            return representative(longs)
        return None

    def _resolve_paper(self, pid: str) -> tuple:
        """(rows, extras, looked, deps) of one paper under the current corpus facts."""
        r = self.resolver
        paper = self.papers[pid]
        r.recording = deps = set()
        try:
            rows: dict[str, tuple[int, list]] = {}
            seen = set()
            for index, (text, entity_type, confidence) in enumerate(paper.mentions):
                found = r.concept(pid, text, entity_type)
                if found is None:
                    continue
                concept, rule = found
                surfaces = _written_surfaces(text)
                entry = rows.get(concept)
                if entry is None:
                    entry = rows[concept] = (index, [])
                entry[1].append((pid, entity_type, confidence, surfaces, rule))
                for surface in surfaces:
                    seen.add((concept, surface))
            extras = tuple(extra_surfaces(r, pid, paper.pairs, seen))
            looked = {}
            for text, entity_type in paper.names:
                found = r.concept(pid, text, entity_type)
                looked[(text, entity_type)] = found[0] if found else None
        finally:
            r.recording = None
        rows = {c: (i, tuple(entry)) for c, (i, entry) in rows.items()}
        return rows, extras, looked, frozenset(deps)

    def _apply(self, pid: str, resolved: tuple, touched: set) -> None:
        paper = self.papers[pid]
        paper.rows, paper.extras, paper.looked, paper.deps = resolved
        if not paper.counted:  # a paper's surfaces and types do not depend on the corpus
            paper.counted = True
            for _, entry in paper.rows.values():
                for row in entry:
                    counts = self.surfaces_before[row[1]]
                    for surface in row[3]:
                        counts[surface] += 1
                        if counts[surface] == 1:
                            self.keys_before[row[1]][surface_key(surface)] += 1
        for key in paper.deps:
            self.corpus_users[key].add(pid)
        for concept in _uses(paper):
            self.concept_users[concept].add(pid)
        for concept, entry in paper.rows.items():
            papers = self.spell.get(concept)
            if papers is None:
                papers = self.spell[concept] = {}
                self.groups[compact_key(concept)].add(concept)
            papers[pid] = entry
            touched.add(concept)
        for concept, surface in paper.extras:
            self.extras.setdefault(concept, Counter())[surface] += 1
            touched.add(concept)

    def _unapply(self, pid: str, touched: set, drop_surfaces: bool = False) -> None:
        paper = self.papers[pid]
        if drop_surfaces:
            for _, entry in paper.rows.values():
                for row in entry:
                    counts = self.surfaces_before[row[1]]
                    for surface in row[3]:
                        if _discount(counts, surface):   # its last use: one surface fewer under its key
                            _discount(self.keys_before[row[1]], surface_key(surface))
        for key in paper.deps:
            _discard(self.corpus_users, key, pid)
        for concept in _uses(paper):
            _discard(self.concept_users, concept, pid)
        for concept in paper.rows:
            papers = self.spell[concept]
            del papers[pid]
            if not papers:
                del self.spell[concept]
                compact = compact_key(concept)
                self.groups[compact].discard(concept)
                if not self.groups[compact]:
                    del self.groups[compact]
            touched.add(concept)
        for concept, surface in paper.extras:
            counts = self.extras[concept]
            counts[surface] -= 1
            if not counts[surface]:
                del counts[surface]
                if not counts:
                    del self.extras[concept]
            touched.add(concept)

    # ---------------------------------------------------------------- the update
    def _update(self, added: list[Extraction], removed: set[str]) -> ResolutionChange:
        change = ResolutionChange()
        new_ids = [e.paper_id for e in added]
        if len(set(new_ids)) != len(new_ids):
            twice = sorted(i for i, n in Counter(new_ids).items() if n > 1)
            raise InputError(f"{len(twice)} paper id(s) added twice in one update", where=twice[0],
                             fix="give each paper once (a changed paper replaces the old one)")
        gone = {pid for pid in removed | set(new_ids) if pid in self.papers}
        change.removed = {pid for pid in removed if pid in self.papers} - set(new_ids)
        change.added = set(new_ids)
        touched: set[str] = set()
        moved: dict = {}
        for pid in sorted(gone):
            self._unapply(pid, touched, drop_surfaces=True)
            self._drop_facts(pid, moved)
        for extraction in added:
            self._add_facts(extraction, moved)

        # Corpus abbreviations whose meaning moved: re-resolve the papers that asked for them.
        redo: set[str] = set()
        for key, before in moved.items():
            if self._corpus_result(key) != before:
                for entity_type in _types_of_family(key[0]):
                    self.resolver._corpus_concepts.pop((entity_type, key[1]), None)
                redo |= self.corpus_users.get(key, set())
        redo -= change.added
        for pid in sorted(redo):
            paper = self.papers[pid]
            resolved = self._resolve_paper(pid)
            if resolved[:3] == (paper.rows, paper.extras, paper.looked):
                self._set_deps(pid, resolved[3])
                continue
            change.papers.add(pid)
            self._unapply(pid, touched)
            self._apply(pid, resolved, touched)
        for pid in sorted(change.added):
            self._apply(pid, self._resolve_paper(pid), touched)

        changed_concepts = self._regroup(touched, change)
        for concept in changed_concepts:
            change.papers |= self.concept_users.get(concept, set())
        self._revariant(changed_concepts, change)
        change.papers -= change.added
        change.papers -= change.removed
        return change

    def _set_deps(self, pid: str, deps: frozenset) -> None:
        paper = self.papers[pid]
        for key in paper.deps - deps:
            _discard(self.corpus_users, key, pid)
        for key in deps - paper.deps:
            self.corpus_users[key].add(pid)
        paper.deps = deps

    def _regroup(self, touched: set[str], change: ResolutionChange) -> set[str]:
        """Redo the spelling merges and entities of the compact keys touched; the spellings whose
        entity id changed (appeared, vanished, moved) are returned."""
        changed: set[str] = set()
        by_compact: dict[str, set[str]] = defaultdict(set)
        for concept in touched:
            by_compact[compact_key(concept)].add(concept)
        for compact in sorted(by_compact):
            spellings = self.groups.get(compact, set())
            # every spelling of this group before the update, still present or gone
            old = {s: self.target_of[s] for s in spellings | by_compact[compact] if s in self.target_of}
            old_targets = set(old.values())
            new: dict[str, str] = {}
            if spellings:
                chosen = representative(spellings)
                for s in spellings:
                    new[s] = s if _typed_apart(self.spell[s], self.spell[chosen]) else chosen
            by_target: dict[str, list[str]] = defaultdict(list)
            for s, t in new.items():
                by_target[t].append(s)
            for target in old_targets - set(by_target):
                entity = self.entity_of.pop(target)
                self._forget_entity(target, entity, change)
                self.order_of.pop(target, None)
            for s in set(old) - set(new):
                self.target_of.pop(s, None)
            for target, members in by_target.items():
                order = tuple(sorted(members, key=lambda s: min((p, e[0]) for p, e in self.spell[s].items())))
                before = self.order_of.get(target)
                if before is not None and len(order) > 1 and before != order:
                    change.papers |= _in_two(self.spell, order)
                self.order_of[target] = order
                for s in members:
                    self.target_of[s] = target
                self._materialise(target, order, change)
            for s in set(old) | set(new):
                now = self.entity_of[new[s]].id if s in new else None
                if self.by_concept.get(s) != now:
                    changed.add(s)
                    if now is None:
                        del self.by_concept[s]
                    else:
                        self.by_concept[s] = now
        return changed

    def _materialise(self, target: str, order: tuple[str, ...], change: ResolutionChange) -> None:
        rows = [row for s in order for pid in sorted(self.spell[s]) for row in self.spell[s][pid][1]]
        extra: Counter = Counter()
        for s in order:
            extra.update(self.extras.get(s, {}))
        entity = make_entity(target, rows, extra)
        before = self.entity_of.get(target)
        if before == entity:
            return
        if before is not None and before.id != entity.id:
            self._forget_entity(target, before, change)
        self.entity_of[target] = entity
        self.entities[entity.id] = entity
        change.entities_changed.add(entity.id)
        change.entities_removed.discard(entity.id)
        if before is None or before.type != entity.type:
            self._watch(target, entity)

    def _forget_entity(self, target: str, entity: Entity, change: ResolutionChange) -> None:
        if self.entities.get(entity.id) is entity:
            del self.entities[entity.id]
            change.entities_removed.add(entity.id)
            change.entities_changed.discard(entity.id)
        base = self.variant_of.pop(entity.id, None)
        if base is not None:
            change.variants_removed.add((entity.id, base))
        for concept in self.watch_of.pop(target, ()):
            _discard(self.watchers, concept, target)

    def _watch(self, target: str, entity: Entity) -> None:
        for concept in self.watch_of.pop(target, ()):
            _discard(self.watchers, concept, target)
        watched = tuple(dict.fromkeys(self.resolver._curated(entity.type, b) for b in base_keys(entity.key)))
        self.watch_of[target] = watched
        for concept in watched:
            self.watchers[concept].add(target)

    def _revariant(self, changed_concepts: set[str], change: ResolutionChange) -> None:
        """Redo the variant link of every entity whose id moved or whose candidate bases did
        (a variant reads only its own key and type and the ids of its candidate bases)."""
        targets = {self.target_of[c] for c in changed_concepts if c in self.target_of}
        for concept in changed_concepts:
            targets |= self.watchers.get(concept, set())
        for target in sorted(targets):
            entity = self.entity_of.get(target)
            if entity is None:
                continue
            before = self.variant_of.get(entity.id)
            base = variant_base(entity, self.by_concept, self.entities, self.resolver._curated)
            if base == before:
                continue
            if before is not None:
                change.variants_removed.add((entity.id, before))
                del self.variant_of[entity.id]
            if base is not None:
                change.variants_added.add((entity.id, base))
                self.variant_of[entity.id] = base
        both = change.variants_added & change.variants_removed
        change.variants_added -= both
        change.variants_removed -= both


def _uses(paper: _Paper) -> set[str]:
    """The concepts a paper's names resolve to (its entry in ``concept_users``)."""
    return set(paper.rows).union(c for c in paper.looked.values() if c is not None)


def _discard(index: dict, key, value) -> None:
    members = index.get(key)
    if members is not None:
        members.discard(value)
        if not members:
            del index[key]


def _discount(counts: Counter, key) -> bool:
    """Count ``key`` once less; True when that was its last count (it is gone from ``counts``)."""
    counts[key] -= 1
    if counts[key]:
        return False
    del counts[key]
    return True


def _typed_apart(a: dict, b: dict) -> bool:
    """:func:`kg.resolve.resolver._typed_apart_in_a_paper` over per-paper rows."""
    if a is b:
        return False
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    for pid, (_, rows) in small.items():
        other = large.get(pid)
        if other is not None and {r[1] for r in rows}.isdisjoint({r[1] for r in other[1]}):
            return True
    return False


def _in_two(spell: dict, order: tuple[str, ...]) -> set[str]:
    """Papers with rows under two or more of these spellings (their mention tuples reorder)."""
    seen: Counter = Counter()
    for s in order:
        seen.update(spell[s].keys())
    return {pid for pid, n in seen.items() if n > 1}
