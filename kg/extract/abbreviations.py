"""Abbreviation definitions: "long form (SF)" and "SF (long form)".

The long form is found with Schwartz & Hearst's (2003) right-to-left letter alignment:
every letter of the short form must occur, in order, in the long form, and the first one
must start a word. Hyphen parts and CamelCase parts count as words, so
"Retrieval-Augmented Generation (RAG)", "Split Invariant-Equivariant" (SIE) and
"Large Language Models (LLMs)" align. Pure functions over plain strings; the spaCy
component in ``components.py`` only maps the results onto tokens.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

SHORT_FORM = re.compile(r"^(?=[^\s]*[A-Za-z])[A-Za-z0-9][\w\-^$.+/&'@]{0,13}$")
NOT_SHORT = {"e.g.", "i.e.", "etc", "see", "fig", "ours", "resp", "cf", "vs", "ie", "eg", "a", "b", "c", "i", "ii", "iii", "iv"}
LEADING_DROP = {"the", "a", "an", "our", "novel", "new", "proposed", "this", "these", "of", "and", "or", "to", "called", "named", "dubbed", "termed"}
PAREN = re.compile(r"\(([^()\n]{1,80})\)")


@dataclass(frozen=True)
class Definition:
    """Character offsets (into the text given) of both sides of one definition."""

    short: str
    long: str
    short_start: int
    short_end: int
    long_start: int
    long_end: int


def is_short_form(text: str) -> bool:
    if not SHORT_FORM.match(text) or text.lower().strip(".") in NOT_SHORT:
        return False
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 2 and not any(c.isdigit() for c in text):
        return False
    return any(c.isupper() for c in text) and not text.isdigit()


NUMBER_WORDS = {"1": "o", "2": "t", "3": "t", "4": "f", "5": "f", "6": "s", "7": "s", "8": "e", "9": "n"}


def align(short: str, long: str, *, last_word: bool = True) -> int | None:
    """Start index in ``long`` of the long form that ``short`` abbreviates, or None.

    Among all alignments, the one with most letters on word starts wins, then the shortest.

    >>> long = "we use Retrieval-Augmented Generation"
    >>> long[align("RAG", long):]
    'Retrieval-Augmented Generation'
    >>> long = "a novel Matryoshka Multimodal Embedder"
    >>> long[align("MME", long):]
    'Matryoshka Multimodal Embedder'
    """
    chars = [c.lower() for c in short if c.isalnum()]
    spelled = [NUMBER_WORDS.get(c, c) for c in chars]
    for attempt in (chars, spelled, [c for c in chars if not c.isdigit()]):
        found = _align(attempt, long, last_word=last_word)
        if found is not None:
            start = found[1]
            while start > 0 and not long[start - 1].isspace() and long[start - 1] not in "(\"'":
                start -= 1
            return start
    return None


def _word_start(text: str, i: int) -> bool:
    if i == 0:
        return True
    prev, cur = text[i - 1], text[i]
    return not prev.isalnum() or (prev.islower() and cur.isupper())


def word_start_matches(short: str, long: str) -> int:
    """How many letters of ``short`` land on word starts of ``long`` in the best alignment
    (without the last-word rule); 0 when the letters do not align."""
    found = _align([c.lower() for c in short if c.isalnum()], long, last_word=False)
    return found[0] if found else 0


def _align(chars: list[str], long: str, last_word: bool = True) -> tuple[int, int] | None:
    """(word-start matches, start) of the best alignment: a dynamic programme over the
    positions where each letter occurs (few per letter). ``last_word``: the last letter
    must sit in the last word (a window that runs up to the parenthesis)."""
    if not chars:
        return None
    lower = long.lower()
    # best[p] = (word-start matches, start position) for chars[: s + 1] ending at p
    best: dict[int, tuple[int, int]] = {}
    for s, c in enumerate(chars):
        positions = [i for i, ch in enumerate(lower) if ch == c]
        if s == 0:
            positions = [i for i in positions if _word_start(long, i)]
            best = {p: (1, p) for p in positions}
            continue
        nxt: dict[int, tuple[int, int]] = {}
        for p in positions:
            prior = [v for q, v in best.items() if q < p]
            if prior:
                score, start = max(prior)
                nxt[p] = (score + _word_start(long, p), start)
        best = nxt
        if not best:
            return None
    if not best:
        return None
    # the last letter must sit in the last word of the window
    last_start = len(long) - len(long.split()[-1]) if long.split() and last_word else 0
    finals = [v for p, v in best.items() if p >= last_start]
    if not finals:
        return None
    return max(finals)


def _trim(text: str, start: int, end: int, short: str = "") -> tuple[int, int]:
    """Drop leading function words and surrounding punctuation from a long form; a word the
    short form's first letter needs stays ("5G new radio (NR)": "new radio")."""
    first = next((c.lower() for c in short if c.isalpha()), "")
    while True:
        while start < end and not text[start].isalnum():
            start += 1
        word = re.match(r"[\w'-]+", text[start:end])
        rest = text[start + len(word.group(0)):end].lstrip() if word else ""
        needed = first and word and word.group(0)[0].lower() == first and not rest[:1].lower() == first
        if word and word.group(0).lower() in LEADING_DROP and start + len(word.group(0)) < end and not needed:
            start += len(word.group(0))
            continue
        break
    while end > start and text[end - 1] in " ,;:-\"'~":
        end -= 1
    return start, end


FUNCTION_WORDS = {"of", "for", "with", "and", "the", "to", "in", "on", "a", "an", "by", "via", "from"}
CLAUSE_WORDS = {"we", "our", "is", "are", "was", "were", "propose", "proposed", "which", "that", "this", "be", "can", "has", "have"}


def _content_words(text: str) -> int:
    return sum(1 for w in re.findall(r"[A-Za-z0-9]+", text) if w.lower() not in FUNCTION_WORDS)


def _clause(text: str) -> bool:
    """A long form never contains a clause ("we propose ...")."""
    return any(w.lower() in CLAUSE_WORDS for w in re.findall(r"[A-Za-z]+", text))


def _words(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9]+", text))


POSSESSIVE = re.compile(r"(?:^|\s)([A-Z][a-z]+(?:'s|s'))\s+$")
DASH = re.compile(r"(?<=\w)\s+[-\u2013\u2014]\s+([A-Z][\w\-]*[A-Z][\w\-]*)(?=[\s,.;:)])")
APPOSITION = re.compile(r"\b(?:a|an|the|novel|new|our)\s+((?:[a-z][a-z\-]+\s+){1,5})([A-Z][A-Za-z0-9\-]*[A-Z][A-Za-z0-9\-]*)(?=[\s,.;:])")


def _long_before(text: str, end: int, sf: str) -> tuple[int, int] | None:
    """The long form that ends right before ``end`` (a parenthesis or a dash) for ``sf``."""
    window_start = max(text.rfind("\n", 0, end), text.rfind(". ", 0, end), text.rfind("(", 0, end), -1) + 1
    window = text[window_start:end].rstrip()
    max_words = min(len(sf) + 5, 2 * len(sf))
    tail_words = re.findall(r"\S+", window)
    cut = " ".join(tail_words[-max_words:])
    offset = window_start + len(window) - len(cut)
    start = align(sf, cut)
    if start is None:
        return None
    ls, le = _trim(text, offset + start, offset + len(cut), sf)
    long = text[ls:le]
    if not (le > ls and 1 <= _words(long) <= max_words and long != sf and len(long) > len(sf)
            and _content_words(long) <= len(sf) + 1 and not _clause(long)):
        return None
    owner = POSSESSIVE.search(text, max(0, ls - 40), ls)
    if (owner and owner.end() == ls and owner.group(1)[0] != sf[0]
            and not re.search(r"(^|[.!?]\s|\n)\s*$", text[: owner.start(1)])):
        ls = owner.start(1)  # "Laplace's cumulative distribution function (CDF)": the name is whole
    return ls, le


def _reads_as_long_form(sf: str, long: str, starts: int | None = None) -> bool:
    """A long form written after its short form ("SimLM (Similarity matching with Language
    Model pre-training)", "a representation calibration method RCAL"): the letters align from
    its first word, which is no function word, and every capital of the short form after the
    first lands on a word start (or at least ``starts`` letters do)."""
    first = re.match(r"[A-Za-z]+", long)
    if not first or first.group(0).lower() in FUNCTION_WORDS or align(sf, long, last_word=False) != 0:
        return False
    needed = starts if starts is not None else max(2, sum(1 for c in sf if c.isupper()))
    return word_start_matches(sf, long) >= needed


def _title_case(long: str) -> bool:
    return all(w[0].isupper() or w.lower() in FUNCTION_WORDS for w in re.findall(r"[A-Za-z][\w']*", long))


def _names_a_thing(words: str) -> bool:
    """An apposition names something when its last word is a type head ("... method RCAL")."""
    from kg.extract.resources import head_types

    last = words.split()[-1].split("-")[-1].lower()
    table = head_types()
    return last in table or last.rstrip("s") in table


def _last_word(text: str, end: int) -> tuple[int, str] | None:
    """(start, word) of the last run of non-space characters before ``end``: what
    ``re.search(r"(\\S+)\\s*$", text[:end])`` finds, read backwards instead of trying every
    position from the start of the text (that search was half of this module's time)."""
    stop = end
    while stop > 0 and text[stop - 1].isspace():
        stop -= 1
    if stop == 0:
        return None
    start = stop
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return start, text[start:stop]


def find_definitions(text: str) -> list[Definition]:
    """All abbreviation definitions in ``text``.

    >>> [(d.short, d.long) for d in find_definitions("We use Large Language Models (LLMs) here.")]
    [('LLMs', 'Large Language Models')]
    >>> [(d.short, d.long) for d in find_definitions("We introduce SIE (Split Invariant-Equivariant).")]
    [('SIE', 'Split Invariant-Equivariant')]
    >>> [(d.short, d.long) for d in find_definitions("We propose SimLM (Similarity matching with Language Model pre-training).")]
    [('SimLM', 'Similarity matching with Language Model pre-training')]
    >>> [(d.short, d.long) for d in find_definitions("using a novel Differentiable Semantic Rendering - DSR loss.")]
    [('DSR', 'Differentiable Semantic Rendering')]
    >>> [(d.short, d.long) for d in find_definitions("we propose a representation calibration method RCAL. It")]
    [('RCAL', 'representation calibration method')]
    >>> [(d.short, d.long) for d in find_definitions("defined as Laplace's cumulative distribution function (CDF).")]
    [('CDF', "Laplace's cumulative distribution function")]
    """
    out: list[Definition] = []
    for m in PAREN.finditer(text):
        inner = m.group(1).strip()
        inner_start = m.start(1) + (len(m.group(1)) - len(m.group(1).lstrip()))
        # Form 1: long form (SF)
        sf = inner.split(";")[0].split(",")[0].strip()
        if is_short_form(sf) and len(sf.split()) == 1:
            found = _long_before(text, m.start(), sf)
            if found is not None:
                ls, le = found
                out.append(Definition(sf, text[ls:le], inner_start, inner_start + len(sf), ls, le))
                continue
        # Form 2: SF (long form)
        before = _last_word(text, m.start())
        if before and _words(inner) >= 2 and " " in inner:
            word_start, word = before
            sf = word.strip("\"'")
            sf_start = word_start + (len(word) - len(word.lstrip("\"'")))
            head = re.split(r"[,;]", inner)[0].rstrip()
            if is_short_form(sf) and align(sf, inner) == 0:
                ls, le = _trim(text, inner_start, inner_start + len(inner))
                out.append(Definition(sf, text[ls:le], sf_start, sf_start + len(sf), ls, le))
            elif (is_short_form(sf) and sum(c.isupper() for c in sf) >= 2 and _words(head) >= 2 and _reads_as_long_form(sf, head) and not _clause(head)
                  and _content_words(head) <= len(sf) + 1 and not re.search(r"\d", head)):
                ls, le = _trim(text, inner_start, inner_start + len(head))
                out.append(Definition(sf, text[ls:le], sf_start, sf_start + len(sf), ls, le))
    taken = [(d.short_start, d.short_end) for d in out] + [(d.long_start, d.long_end) for d in out]

    def free(s: int, e: int) -> bool:
        return not any(s < te and ts < e for ts, te in taken)

    # Form 3: long form - SF ("a novel Differentiable Semantic Rendering - DSR loss")
    for m in DASH.finditer(text):
        sf = m.group(1)
        if is_short_form(sf) and sum(c.isupper() for c in sf) >= 3 and free(m.start(1), m.end(1)):
            found = _long_before(text, m.start(), sf)
            if found is not None and free(*found) and _title_case(text[found[0]:found[1]]):
                out.append(Definition(sf, text[found[0]:found[1]], m.start(1), m.end(1), *found))
    # Form 4: apposition after a determiner ("we propose a representation calibration method RCAL")
    for m in APPOSITION.finditer(text):
        sf, words = m.group(2), m.group(1).rstrip()
        if (is_short_form(sf) and sum(c.isupper() for c in sf) >= 3 and free(m.start(1), m.end(2))
                and _reads_as_long_form(sf, words, starts=2) and not _clause(words)
                and not any(w in FUNCTION_WORDS for w in words.split()) and _names_a_thing(words)):
            out.append(Definition(sf, words, m.start(2), m.end(2), m.start(1), m.start(1) + len(words)))
    return sorted(out, key=lambda d: min(d.short_start, d.long_start))


# ---------------------------------------------------------------------------------------
# Implied definitions: spellings the text ties to a short or long form without writing
# "long form (SF)". They only add aliases (``kg_abbrev`` attrs ``implied``); they never
# make mentions on their own.

ACRONYM = re.compile(r"(?<![\w-])([A-Z]{3,6})(s?)(?![\w-])")
WORD = re.compile(r"[A-Za-z][A-Za-z']*")


def _content_key(text: str) -> str:
    words = [w.lower() for w in re.findall(r"[A-Za-z0-9]+", text) if w.lower() not in FUNCTION_WORDS]
    if words and len(words[-1]) > 3 and words[-1].endswith("s") and not words[-1].endswith("ss"):
        words[-1] = words[-1][:-1]
    return " ".join(words)


def _initial_phrases(text: str, letters: str, words: list, initials: str) -> list[tuple[int, int]]:
    """Runs of words (hyphen parts count) whose initials spell ``letters``: "AST" in
    "abstract syntax tree", "VLM" in "vision-language models". ``words`` are the
    ``WORD`` matches of ``text`` and ``initials`` their first letters, lower-cased."""
    out, at = [], initials.find(letters)
    while at >= 0:
        run = words[at:at + len(letters)]
        gaps = [text[a.end():b.start()] for a, b in zip(run, run[1:])]
        ok = all(re.fullmatch(r"\s*-?\s*", g) and "\n" not in g for g in gaps) and all(
            w.group(0).lower() not in FUNCTION_WORDS and len(w.group(0)) > 2 and not w.group(0).isupper()
            for w in run)
        if ok and (at == 0 or text[words[at - 1].end():run[0].start()].strip(" ") != "-"):
            out.append((run[0].start(), run[-1].end()))
        at = initials.find(letters, at + 1)
    return out


def _plain(text: str) -> str:
    return re.sub(r"[\s-]+", " ", text.lower()).strip().rstrip("s")


def _names_a_type(phrase: str) -> bool:
    """"knowledge-intensive language tasks": a run ending in a type word is not what an
    undefined acronym beside it names (the KILT benchmark is not the tasks)."""
    last = phrase.replace("-", " ").split()[-1].lower()
    return last.rstrip("s") in ("task", "dataset", "benchmark", "metric")


def _ci_words(words: list[str], plural: bool = True) -> str:
    """A regex for ``words`` in any case, joined by spaces or hyphens, last word plural or not."""
    body = r"[\s-]+".join(re.escape(w) for w in words)
    return r"(?i:" + body + (r"(?:s|es)?" if plural else "") + r")(?![\w])"


def find_implied(text: str, definitions: list[Definition]) -> list[Definition]:
    """Other spellings of defined (or plainly spelled-out) names.

    - an undefined acronym and the one run of words its letters are the initials of
      ("AST ... abstract syntax tree"); for a defined acronym, only a run that is its long
      form up to function words ("VLMs" = "vision and language models" = "vision-language models");
    - a word hyphen-joined to a defined short form, spelled out elsewhere ("Sparse-CBM" and
      "Sparse Concept Bottleneck Models" when "CBMs" is defined);
    - a long form partly abbreviated ("Massive MIMO" for "massive multiple-input multiple-output");
    - a title "SF: Capitalised Words ..." whose words begin SF's long form
      ("IRWE: Inductive Random Walk for ..." with "inductive random walk embedding (IRWE)").

    >>> [(d.short, d.long) for d in find_implied("AST prior. We use abstract syntax tree parsing.", [])]
    [('AST', 'abstract syntax tree')]
    """
    out: list[Definition] = []
    seen: set[tuple[str, str]] = set()
    spans = [(d.short_start, d.short_end) for d in definitions] + [(d.long_start, d.long_end) for d in definitions]

    def add(ss: int, se: int, ls: int, le: int) -> None:
        short, long = text[ss:se], text[ls:le]
        key = (short.lower(), _content_key(long))
        if key in seen or ss < le and ls < se or short.lower() == long.lower():
            return
        seen.add(key)
        out.append(Definition(short, long, ss, se, ls, le))

    longs: dict[str, list[Definition]] = {}
    for d in definitions:
        longs.setdefault(d.short.rstrip("s"), []).append(d)
    # initials
    words = list(WORD.finditer(text))
    initials = "".join(w.group(0)[0].lower() for w in words)
    for sf in dict.fromkeys(m.group(1) for m in ACRONYM.finditer(text)):
        if sf.lower() not in initials:
            continue
        first = re.search(r"(?<![\w-])" + re.escape(sf) + r"s?(?![\w-])", text)
        phrases = [p for p in _initial_phrases(text, sf.lower(), words, initials)
                   if not any(p[0] < e and s < p[1] for s, e in spans if (s, e) != p)
                   and not _names_a_type(text[p[0]:p[1]])]
        defined = longs.get(sf)
        if defined:
            wanted = {_content_key(d.long) for d in defined}
            written = {_plain(d.long) for d in defined}  # the same spelling again adds nothing
            phrases = [p for p in phrases if _content_key(text[p[0]:p[1]]) in wanted
                       and _plain(text[p[0]:p[1]]) not in written]
        elif len({_content_key(text[s:e]) for s, e in phrases}) != 1:
            continue
        for s, e in phrases[:1] if not defined else phrases:
            add(first.start(), first.end(), s, e)
    for d in definitions:
        long_words = re.findall(r"[A-Za-z0-9']+", d.long)
        base = d.short[:-1] if d.short.endswith("s") and d.short[:-1].isupper() else d.short
        # a word joined to the short form, spelled out elsewhere
        for m in (re.finditer(r"(?<![\w-])([A-Za-z][a-z]{2,})-" + re.escape(base) + r"s?(?![\w])", text)
                  if "-" + base in text else ()):
            word = m.group(1)
            if word.lower() in FUNCTION_WORDS or word.lower() in (w.lower() for w in long_words):
                continue
            full = re.search(r"(?<![\w-])" + _ci_words([word] + long_words), text)
            if full:
                add(m.start(), m.end(), full.start(), full.end())
        # a long form with its last words abbreviated
        for k in range(1, len(long_words) - 1):
            tail = "".join(w[0] for w in long_words[k:]).upper()
            if len(tail) < 2 or tail not in text:
                continue
            pattern = r"(?<![\w-])" + _ci_words(long_words[:k], plural=False) + r"[\s-]+" + tail + r"s?(?![\w-])"
            for m in re.finditer(pattern, text):
                add(m.start(), m.end(), d.long_start, d.long_end)
    # title "SF: Words ..." beginning SF's long form
    title_end = text.find("\n")
    title = text[: title_end if title_end >= 0 else len(text)]
    head = re.match(r"\s*([^\s:]+)\s*:\s+((?:[A-Z][\w'-]*\s+)*[A-Z][\w'-]*)", title)
    if head:
        run = head.group(2)
        for d in longs.get(head.group(1).rstrip("s"), []):
            long_key = _content_key(d.long).split()
            if _content_key(run).split()[: len(long_key)] == long_key:
                continue  # the title spells the whole long form: one key already
            n = len(run.split())
            while n >= 2:
                words = run.split()[:n]
                key = _content_key(" ".join(words)).split()
                if len(key) >= 2 and key == long_key[: len(key)] and len(key) < len(long_key):
                    start = head.start(2)
                    add(start, start + len(" ".join(words)), d.long_start, d.long_end)
                    break
                n -= 1
    return out
