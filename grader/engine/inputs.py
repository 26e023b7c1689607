"""Which inputs a plan draws: the public ones every student holds, or the secret ones of a grading key.

Both are drawn by the same strategies, scenarios and numbers of examples; only the seed of each
scenario differs. Public seeds are a hash of the exercise and scenario names, so the self-check, the
released notebooks and the shipped plans agree with no secret at all. Secret seeds are an HMAC of
those names under the instructor's grading key: a student who records every public input and its
answer holds nothing about the secret ones, and the same key draws the same inputs (and so the
same grades) on every run and machine with the same pinned versions.

Only seeds leave this object: a plan sent to Dask workers carries each scenario's seed, from which
the key cannot be recovered, and the key never appears in a repr, a report or a log.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

KEY_BYTES = 32       # what a new key has
MIN_KEY_BYTES = 16   # 128 bits: the least a key file may hold


@dataclass(frozen=True)
class Inputs:
    """The public inputs (no key), or the secret inputs of `key`."""

    key: bytes | None = field(default=None, repr=False)

    def __post_init__(self):
        if self.key is not None and len(self.key) < MIN_KEY_BYTES:
            raise ValueError(f"a grading key needs at least {MIN_KEY_BYTES * 8} bits")

    @property
    def kind(self) -> str:
        return "public" if self.key is None else "secret"

    @property
    def key_id(self) -> str | None:
        """A short name of the key for reports and cache folders: a hash prefix, not the key."""
        if self.key is None:
            return None
        return hashlib.sha256(b"dlgrade grading key id\0" + self.key).hexdigest()[:12]

    @property
    def label(self) -> str:
        """What a report or journal records: `public`, or `secret` with the key id."""
        return self.kind if self.key is None else f"secret {self.key_id}"

    def seed(self, exercise: str, scenario: str) -> int:
        name = f"{exercise}/{scenario}".encode()
        if self.key is None:
            digest = hashlib.sha256(name).digest()
        else:
            digest = hmac.new(self.key, b"dlgrade scenario seed\0" + name, hashlib.sha256).digest()
        return int.from_bytes(digest[:8], "little")


PUBLIC = Inputs()


def report_fields(label: str) -> dict:
    """The fields of a JSON report that say what it was graded on: {"inputs": "public"}, or
    {"inputs": "secret", "key_id": ...} (from Inputs.label)."""
    kind, _, key_id = label.partition(" ")
    return {"inputs": kind, "key_id": key_id} if key_id else {"inputs": kind}
