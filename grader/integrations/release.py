"""`dlgrade release`: build an nbgrader course directory and refresh the committed releases/.

The course has a short `nbgrader_config.py`, `source/<topic>/<topic>.ipynb` for every topic (built by
grader.integrations.notebooks from solutions/ and the registry) and `release/`, produced by nbgrader's own
`generate_assignment`, which replaces the solution regions with stubs and records the assignment in
the course's gradebook. releases/ at the top of the project is a copy of `release/`.

An instructor may edit a course's source/ notebooks: the course keeps a record (.dlgrade-release.json)
of what dlgrade last wrote there, and a notebook changed since is never overwritten without `force`.

Only notebooks go into source/: nbgrader copies any other file of an assignment verbatim, and no
solution may reach a release.
"""

from __future__ import annotations

import contextlib
import difflib
import filecmp
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.engine import registry
from grader.integrations.notebooks import build_notebook, notebook_text

PROJECT = Path(__file__).resolve().parents[2]
SOLUTIONS = PROJECT / "solutions"
RELEASES = PROJECT / "releases"

RECORD = ".dlgrade-release.json"
CONFIG = '''\
# nbgrader configuration of a dlgrade course (written by `dlgrade release`; edit freely).
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = {course_id!r}
# Each test cell grades one exercise on many generated inputs: allow it more than nbgrader's 30 s.
c.Execute.timeout = 600
'''


class ReleaseError(RuntimeError):
    pass


class ReleaseRefused(ReleaseError):
    """What the command line asks cannot be done as asked (an unknown topic, a missing option, an
    edited notebook without --force): a usage error, not a failure of the build."""


def release_topics(solutions: Path = SOLUTIONS) -> list[str]:
    """Every topic of the registry that has its reference solutions."""
    return [t for t in registry.topics() if (solutions / f"{t}.py").is_file()]


def source_notebook(topic: str, solutions: Path = SOLUTIONS) -> str:
    path = solutions / f"{topic}.py"
    exercises = [ex for ex in registry.all_exercises() if ex.topic == topic]
    return notebook_text(build_notebook(topic, path.read_text(), exercises, str(path)))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _written(course: Path) -> dict[str, str]:
    try:
        return json.loads((course / RECORD).read_text())
    except (OSError, ValueError):
        return {}


def edited_sources(course: Path, sources: dict[str, str]) -> list[str]:
    """The source notebooks (relative paths) changed in the course since dlgrade last wrote them, that
    this release would overwrite with other text."""
    written = _written(course)
    edited = []
    for name, text in sources.items():
        path = course / name
        if path.exists():
            current = _digest(path.read_text(errors="replace"))
            if current not in (written.get(name), _digest(text)):
                edited.append(name)
    return edited


def write_sources(course: Path, topics: list[str], solutions: Path = SOLUTIONS, *, force: bool = False) -> None:
    sources = {f"source/{topic}/{topic}.ipynb": source_notebook(topic, solutions) for topic in topics}
    edited = [] if force else edited_sources(course, sources)
    if edited:
        raise ReleaseRefused(f"{', '.join(edited)} in {course} changed since dlgrade wrote it: nothing was "
                           "released. Pass --force to overwrite it with a fresh build, or release other topics.")
    written = _written(course)
    for name, text in sources.items():
        (course / name).parent.mkdir(parents=True, exist_ok=True)
        (course / name).write_text(text)
        written[name] = _digest(text)
    (course / RECORD).write_text(json.dumps(written, indent=1, sort_keys=True) + "\n")


def configured_course_id(config: Path) -> str | None:
    found = re.search(r"course_id\s*=\s*([\"'])(.*?)\1", config.read_text()) if config.exists() else None
    return found.group(2) if found else None


def write_config(course: Path, course_id: str | None) -> str:
    """Writes nbgrader_config.py unless present; returns the course id (an existing config's wins)."""
    config = course / "nbgrader_config.py"
    if config.exists():
        existing = configured_course_id(config)
        if course_id is not None and existing != course_id:
            raise ReleaseRefused(f"{config} sets the course id {existing!r}, not {course_id!r}: edit it, "
                               "or leave out --course-id")
        return existing or ""
    course_id = course_id or course.name
    config.write_text(CONFIG.format(course_id=course_id))
    return course_id


def nbgrader_environment() -> dict:
    """The environment for running nbgrader: it calls `alembic` by name, which sits beside our Python."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def generate_assignment(course: Path, topic: str) -> None:
    """nbgrader's own generate_assignment, run in the course directory."""
    command = [sys.executable, "-m", "nbgrader", "generate_assignment", topic, "--force",
               f"--CourseDirectory.root={course}", "--log-level=WARN"]
    done = subprocess.run(command, cwd=course, capture_output=True, text=True, env=nbgrader_environment())
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise ReleaseError(f"nbgrader generate_assignment {topic} failed:\n{tail}")


def build_course(course: Path, topics: list[str] | None = None, solutions: Path = SOLUTIONS, *,
                 course_id: str | None = None, force: bool = False) -> list[str]:
    """Writes config (unless present), source/ and release/ of the topics (all if None); returns them."""
    course = Path(course).resolve()
    course.mkdir(parents=True, exist_ok=True)
    topics = release_topics(solutions) if topics is None else topics
    write_config(course, course_id)
    write_sources(course, topics, solutions, force=force)
    every = sorted(p.name for p in (course / "source").iterdir() if p.is_dir())
    if sorted(topics) == every and topics:  # one nbgrader run for all: it takes seconds to start
        generate_assignment(course, "*")
    for topic in [] if sorted(topics) == every else topics:
        generate_assignment(course, topic)
    return topics


def refresh_releases(course: Path, topics: list[str], releases: Path = RELEASES, *, prune: bool = True) -> list[str]:
    """Copies the course's release notebooks into releases/, dropping topics that are gone (when
    `prune`: the whole set of topics was released). Returns the files that changed."""
    releases.mkdir(exist_ok=True)
    changed = []
    for stale in sorted(p for p in releases.iterdir() if prune and p.is_dir() and p.name not in topics):
        shutil.rmtree(stale)
        changed.append(stale.name + "/")
    for topic in topics:
        built, target = course / "release" / topic, releases / topic
        target.mkdir(exist_ok=True)
        wanted = {p.name for p in built.glob("*.ipynb")}
        for old in target.iterdir():
            if old.name not in wanted:
                old.unlink() if old.is_file() else shutil.rmtree(old)
                changed.append(f"{topic}/{old.name}")
        for name in sorted(wanted):
            if not (target / name).exists() or not filecmp.cmp(built / name, target / name, shallow=False):
                shutil.copyfile(built / name, target / name)
                changed.append(f"{topic}/{name}")
    return changed


@dataclass(frozen=True)
class Released:
    topics: list[str]
    changed: list[str] | None  # files of releases/ that changed; None when releases/ was not refreshed
    course_id: str | None = None


def _topics(names, solutions: Path) -> list[str]:
    available = release_topics(solutions)
    unknown = [n for n in names if n not in available]
    if unknown:
        close = difflib.get_close_matches(unknown[0], available, n=2)
        raise ReleaseRefused(f"no topic {unknown[0]!r} to release" + (f" (did you mean {' or '.join(close)}?)" if close else "")
                           + f"; topics with solutions in {solutions}: {', '.join(available)}")
    return [t for t in available if t in names] if names else available


def release(course: Path | None = None, topics=(), *, solutions: Path | None = None, course_id: str | None = None,
            force: bool = False, releases: Path = RELEASES) -> Released:
    """Builds the course (in a temporary folder when none is given) and, from a checkout, refreshes
    releases/ with the topics built."""
    solutions = Path(solutions) if solutions is not None else SOLUTIONS
    if not solutions.is_dir():
        raise ReleaseRefused(f"no solutions folder at {solutions}: pass --solutions DIR (the reference solutions, "
                           "solutions/ of a dlgrade checkout)")
    from_checkout = solutions.resolve() == SOLUTIONS.resolve() and releases.is_dir()
    if course is None and not from_checkout:
        raise ReleaseRefused("not in a dlgrade checkout, so there is no releases/ to refresh: give --course DIR")
    chosen = _topics(list(topics), solutions)
    with contextlib.ExitStack() as stack:
        folder = Path(course) if course is not None else Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix="dlgrade-course-")))
        built = build_course(folder, chosen, solutions, course_id=course_id, force=force)
        changed = refresh_releases(folder.resolve(), built, releases, prune=not topics) if from_checkout else None
        return Released(built, changed, configured_course_id(folder / "nbgrader_config.py") if course else None)
