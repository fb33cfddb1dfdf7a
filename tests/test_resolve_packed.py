"""PackedDict: values stay pickled until read, and what was read (and changed) is what it saves."""
import pickle

import pytest

from kg.resolve.packed import PackedDict


def _round_trip(packed: PackedDict) -> PackedDict:
    return pickle.loads(pickle.dumps(packed, protocol=pickle.HIGHEST_PROTOCOL))


def test_a_loaded_dict_unpacks_only_the_values_it_is_asked_for():
    packed = PackedDict({"a": {"x": 1}, "b": [1, 2], "c": ("t",)})
    loaded = _round_trip(packed)
    assert "b" in loaded and "z" not in loaded
    assert repr(loaded) == "PackedDict(3 entries, 0 unpacked)"   # membership unpacks nothing
    assert loaded["a"] == {"x": 1}
    assert repr(loaded) == "PackedDict(3 entries, 1 unpacked)"
    assert list(loaded) == ["a", "b", "c"] and len(loaded) == 3   # insertion order kept
    assert dict(loaded.items()) == {"a": {"x": 1}, "b": [1, 2], "c": ("t",)}


def test_changes_made_to_a_value_read_from_it_are_saved():
    loaded = _round_trip(PackedDict({"a": {"x": 1}, "b": {"y": 2}}))
    loaded["a"]["x"] = 5           # in place, on the unpacked value
    loaded["c"] = {"z": 3}
    del loaded["b"]
    again = _round_trip(loaded)
    assert dict(again.items()) == {"a": {"x": 5}, "c": {"z": 3}}
    assert again.pop("a") == {"x": 5} and list(again) == ["c"]
    assert again.get("missing") is None
    with pytest.raises(KeyError):
        again["missing"]


def test_bytes_values_are_refused_because_bytes_marks_a_packed_value():
    with pytest.raises(TypeError, match="cannot be bytes"):
        PackedDict({"a": b"raw"})
