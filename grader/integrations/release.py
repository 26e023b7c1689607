"""`dlgrade release`: build an nbgrader course directory and refresh the committed releases/.

The course has a short `nbgrader_config.py`, `source/<topic>/<topic>.ipynb` for every topic (built by
grader.integrations.notebooks from solutions/ and the registry) and `release/`, produced by nbgrader's own
`generate_assignment`, which replaces the solution regions with stubs and records the assignment in
the course's gradebook. releases/ at the top of the project is a copy of `release/`.

Only notebooks go into source/: nbgrader copies any other file of an assignment verbatim, and no
solution may reach a release.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from grader.engine import registry
from grader.integrations.notebooks import build_notebook, notebook_text

PROJECT = Path(__file__).resolve().parents[2]
SOLUTIONS = PROJECT / "solutions"
RELEASES = PROJECT / "releases"

CONFIG = '''\
# nbgrader configuration of a dlgrade course (written by `dlgrade release`; edit freely).
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "dlgrade"
# Each test cell grades one exercise on many generated inputs: allow it more than nbgrader's 30 s.
c.Execute.timeout = 600
'''


class ReleaseError(RuntimeError):
    pass


def release_topics(solutions: Path = SOLUTIONS) -> list[str]:
    """Every topic of the registry that has its reference solutions."""
    return [t for t in registry.topics() if (solutions / f"{t}.py").is_file()]


def source_notebook(topic: str, solutions: Path = SOLUTIONS) -> str:
    path = solutions / f"{topic}.py"
    exercises = [ex for ex in registry.all_exercises() if ex.topic == topic]
    return notebook_text(build_notebook(topic, path.read_text(), exercises, str(path)))


def write_sources(course: Path, topics: list[str], solutions: Path = SOLUTIONS) -> None:
    for topic in topics:
        folder = course / "source" / topic
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{topic}.ipynb").write_text(source_notebook(topic, solutions))


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


def build_course(course: Path, topics: list[str] | None = None, solutions: Path = SOLUTIONS) -> list[str]:
    """Writes config (unless present), source/ and release/ of every topic; returns the topics."""
    course = Path(course).resolve()
    course.mkdir(parents=True, exist_ok=True)
    topics = release_topics(solutions) if topics is None else topics
    config = course / "nbgrader_config.py"
    if not config.exists():
        config.write_text(CONFIG)
    write_sources(course, topics, solutions)
    every = sorted(p.name for p in (course / "source").iterdir() if p.is_dir())
    if sorted(topics) == every and topics:  # one nbgrader run for all: it takes seconds to start
        generate_assignment(course, "*")
    for topic in [] if sorted(topics) == every else topics:
        generate_assignment(course, topic)
    return topics


def refresh_releases(course: Path, topics: list[str], releases: Path = RELEASES) -> list[str]:
    """Copies the course's release notebooks into releases/, dropping topics that are gone.

    Returns the files that changed."""
    releases.mkdir(exist_ok=True)
    changed = []
    for stale in sorted(p for p in releases.iterdir() if p.is_dir() and p.name not in topics):
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


def release(course: Path | None = None, releases: Path = RELEASES) -> tuple[list[str], list[str]]:
    """Builds the course (in a temporary folder when none is given) and refreshes releases/."""
    if not SOLUTIONS.is_dir():
        raise ReleaseError(f"no solutions/ folder at {PROJECT}: run `dlgrade release` from a dlgrade checkout")
    if course is not None:
        topics = build_course(course)
        return topics, refresh_releases(Path(course).resolve(), topics, releases)
    with tempfile.TemporaryDirectory(prefix="dlgrade-course-") as folder:
        topics = build_course(Path(folder))
        return topics, refresh_releases(Path(folder), topics, releases)
