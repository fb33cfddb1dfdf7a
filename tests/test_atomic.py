"""Outputs are replaced whole: an error while writing leaves the last good file in place."""
from __future__ import annotations

import os
import stat

import pytest

from kg.atomic import atomic_open, atomic_write_text


def test_replaces_whole_file_and_uses_ordinary_permissions(tmp_path):
    target = tmp_path / "out" / "graph.json"
    atomic_write_text(target, "first")
    atomic_write_text(target, "second")
    assert target.read_text() == "second"
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask
    assert [p.name for p in target.parent.iterdir()] == ["graph.json"]


def test_failure_keeps_last_good_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "graph.json"
    atomic_write_text(target, "good")
    with pytest.raises(RuntimeError):
        with atomic_open(target) as handle:
            handle.write("half")
            raise RuntimeError("interrupted")
    assert target.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.json"]


def test_stale_temporaries_of_a_killed_writer_are_removed(tmp_path):
    from kg.atomic import remove_stale_temporaries

    atomic_write_text(tmp_path / "graph.json", "good")
    (tmp_path / ".graph.ttl.k3j2.tmp").write_text("half")
    (tmp_path / "notes.tmp").write_text("not ours")
    removed = remove_stale_temporaries(tmp_path)
    assert [p.name for p in removed] == [".graph.ttl.k3j2.tmp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.json", "notes.tmp"]


def test_ctrl_c_right_after_the_temporary_is_created_leaves_no_temporary(tmp_path, monkeypatch):
    """The moment the interruption matrix can hit: the file exists, its name not yet handed back."""
    target = tmp_path / "graph.json"
    atomic_write_text(target, "good")
    real_open = os.open

    def open_then_interrupt(*args, **kwargs):
        os.close(real_open(*args, **kwargs))
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "open", open_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        with atomic_open(target) as handle:
            handle.write("new")
    monkeypatch.undo()
    assert target.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.json"]


@pytest.mark.parametrize("obstacle, fix", [
    ("folder", "a folder has that name"),
    ("file above", "a file stands where a folder of that path should be"),
])
def test_what_the_file_system_refuses_names_the_file_and_the_fix(tmp_path, obstacle, fix):
    from kg.errors import OutputError

    if obstacle == "folder":
        (tmp_path / "graph.html").mkdir()
        target = tmp_path / "graph.html"
    else:
        (tmp_path / "out").write_text("not a folder")
        target = tmp_path / "out" / "graph.html"
    with pytest.raises(OutputError) as raised:
        atomic_write_text(target, "<html></html>")
    assert raised.value.where == str(target) and fix in raised.value.fix
    assert raised.value.what.startswith("cannot be written: ")
    assert not [p for p in tmp_path.rglob("*.tmp")]
