"""A dict whose values stay pickled until they are read.

The build state holds one entry per paper and per spelling (tens of thousands of small nested
containers). Pickled one by one, they load as one bytes object each; an incremental build
unpacks only the entries it reads and packs again only those, so loading and saving the state
cost in proportion to the change, not to the corpus (on the 41k corpus, the per-paper shares
alone took 1.3 s to load and save whole).
"""
from __future__ import annotations

import pickle
from collections.abc import MutableMapping


def _restore(items: dict) -> "PackedDict":
    packed = PackedDict.__new__(PackedDict)
    packed._items = items
    return packed


class PackedDict(MutableMapping):
    """A mutable mapping, in insertion order, whose values are unpacked on first read and kept
    unpacked (so changes made to a value read from it are what it saves). Values may be anything
    picklable except ``bytes``, which marks a packed value."""

    __slots__ = ("_items",)

    def __init__(self, items=()) -> None:
        self._items: dict = {}
        self.update(items)

    def __getitem__(self, key):
        value = self._items[key]
        if type(value) is bytes:
            value = self._items[key] = pickle.loads(value)
        return value

    def __setitem__(self, key, value) -> None:
        if type(value) is bytes:
            raise TypeError("PackedDict values cannot be bytes (bytes marks a packed value)")
        self._items[key] = value

    def __delitem__(self, key) -> None:
        del self._items[key]

    def __contains__(self, key) -> bool:
        return key in self._items

    def __iter__(self):
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        unpacked = sum(1 for value in self._items.values() if type(value) is not bytes)
        return f"PackedDict({len(self._items)} entries, {unpacked} unpacked)"

    def __reduce__(self):
        dump = pickle.dumps
        return _restore, ({key: value if type(value) is bytes else dump(value, pickle.HIGHEST_PROTOCOL)
                           for key, value in self._items.items()},)
