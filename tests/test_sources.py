"""How the worker names a submission's modules (sources.find_sources): packages by their dotted
names, loose files by their stem, and anything that cannot be a Python name (or repeats one) by a
unique name of its own, so that two files never shadow each other."""

from __future__ import annotations

from grader.isolation.sources import find_sources


def _names(root):
    return {str(s.path.relative_to(root)): (s.module, s.search_path, s.is_package) for s in find_sources(root)}


def test_modules_packages_notebooks_and_odd_names(tmp_path):
    for name in ("softmax.py", "pkg/__init__.py", "pkg/layers.py", "plain/losses.py", "my-file.py", "nb/Lab 1.ipynb",
                 "__pycache__/cached.py", ".hidden/secret.py", "notes.txt"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('{"cells": []}' if name.endswith(".ipynb") else "")
    names = _names(tmp_path)
    assert names["softmax.py"] == ("softmax", tmp_path, False)
    assert names["pkg/__init__.py"] == ("pkg", tmp_path, True)
    assert names["pkg/layers.py"] == ("pkg.layers", tmp_path, False)
    assert names["plain/losses.py"] == ("losses", tmp_path / "plain", False)  # no __init__.py: a loose file
    assert names["my-file.py"][0] == "_submission_my_file_py"
    assert names["nb/Lab 1.ipynb"][0] == "_notebook_nb_Lab_1"
    assert set(names) == {"softmax.py", "pkg/__init__.py", "pkg/layers.py", "plain/losses.py", "my-file.py",
                          "nb/Lab 1.ipynb"}


def test_one_name_in_two_folders_gets_two_modules(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "softmax.py").write_text("")
    modules = [s.module for s in find_sources(tmp_path)]
    assert len(set(modules)) == 2 and "softmax" in modules


def test_shallow_files_come_first_and_the_order_is_stable(tmp_path):
    for name in ("z.py", "deep/a.py", "b.py"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    order = [str(s.path.relative_to(tmp_path)) for s in find_sources(tmp_path)]
    assert order == ["b.py", "z.py", "deep/a.py"] == [str(s.path.relative_to(tmp_path)) for s in find_sources(tmp_path)]


def test_virtualenvs_are_not_the_submission(tmp_path):
    (tmp_path / "venv" / "lib").mkdir(parents=True)
    (tmp_path / "venv" / "pyvenv.cfg").write_text("")
    (tmp_path / "venv" / "lib" / "numpy.py").write_text("")
    (tmp_path / "softmax.py").write_text("")
    assert [s.module for s in find_sources(tmp_path)] == ["softmax"]
