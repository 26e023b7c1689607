"""The instructor's grading key on disk: where it lives, how it is made, read and checked.

A key file holds the key as hexadecimal digits (a new key has 256 bits; at least 128 are needed)
and nothing else but surrounding whitespace. Where each grading path finds it:
- `autograde DIR` (and --scheduler): --key-file PATH, else $DLGRADE_GRADING_KEY (the digits
  themselves, for CI secrets), else the instructor's config folder (`default_path`), created on
  first use;
- `autograde --course`: the course's private file `.dlgrade/grading-key` (course_path), created on
  first use, never under release/;
- the Gradescope zip: a copy of the key, inside the zip (gradescope.py).
The key is never printed, logged or written into a report: messages name the file, never its
content, and reports carry the key id (inputs.Inputs.key_id).
"""

from __future__ import annotations

import os
import secrets
import string
from collections.abc import Callable
from pathlib import Path

from grader.engine.inputs import KEY_BYTES, MIN_KEY_BYTES, Inputs

VARIABLE = "DLGRADE_GRADING_KEY"
FILE_NAME = "grading-key"
MAX_FILE_BYTES = 4096


class GradingKeyError(Exception):
    """A key that cannot be used: one line for the user, naming where the key came from."""


def default_path() -> Path:
    import platformdirs  # noqa: PLC0415  (only for instructors)

    return Path(platformdirs.user_config_dir("dlgrade")) / FILE_NAME


def course_path(course: Path) -> Path:
    return Path(course) / ".dlgrade" / FILE_NAME


def parse(text: str, where: str) -> Inputs:
    digits = text.strip()
    if not digits:
        raise GradingKeyError(f"the grading key {where} is empty")
    if len(digits) % 2 or len(digits) < 2 * MIN_KEY_BYTES or len(digits) > MAX_FILE_BYTES \
            or any(c not in string.hexdigits for c in digits):
        raise GradingKeyError(f"the grading key {where} is not a dlgrade key (expected {2 * MIN_KEY_BYTES} or more "
                        "hexadecimal digits; `dlgrade` writes a new one where none exists)")
    return Inputs(bytes.fromhex(digits))


def read(path: Path) -> Inputs:
    """The key in `path`; GradingKeyError when it is missing, unreadable, empty or not a key."""
    where = f"file {path}"
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise GradingKeyError(f"the grading key file {path} does not exist") from None
    except IsADirectoryError:
        raise GradingKeyError(f"the grading key file {path} is a folder") from None
    except OSError as exc:
        raise GradingKeyError(f"the grading key file {path} cannot be read: {exc.strerror or exc}") from None
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise GradingKeyError(f"the grading key {where} is not a dlgrade key (not text)") from None
    return parse(text, where)


def create(path: Path) -> Inputs:
    """A new random key written to `path` (0600; its folder made 0700 if new); fails if it exists."""
    key = secrets.token_bytes(KEY_BYTES)
    try:
        if not path.parent.exists():
            path.parent.mkdir(mode=0o700, parents=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as out:
            out.write(key.hex() + "\n")
    except OSError as exc:
        raise GradingKeyError(f"could not create the grading key file {path}: {exc.strerror or exc}") from None
    return Inputs(key)


def read_or_create(path: Path, announce: Callable[[str], None]) -> Inputs:
    """The key in `path`, made first if there is none (then `announce` gets one line naming where)."""
    if not path.exists() and not path.is_symlink():
        inputs = create(path)
        announce(f"Created the grading key {path} (keep it private and keep it: regrades with the same key give "
                 "the same grades)")
        return inputs
    return read(path)


def instructor_inputs(key_file: str | None, announce: Callable[[str], None], *, default: Path | None = None) -> Inputs:
    """The secret inputs of `autograde`: --key-file, else $DLGRADE_GRADING_KEY, else `default` (or the
    instructor's config folder), made there on first use."""
    if key_file:
        return read(Path(key_file))
    if os.environ.get(VARIABLE) is not None:
        return parse(os.environ[VARIABLE], f"in ${VARIABLE}")
    return read_or_create(default or default_path(), announce)
