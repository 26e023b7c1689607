"""Similar submissions, for the instructor to look at: never an input to a grade.

Two kinds of evidence:

- **behavioural**: two students whose *wrong* outputs are bit-for-bit identical on the same
  derandomized inputs (the `fingerprint` of a failed check in the JSON report). One shared mistake
  can be a coincidence (the natural buggy line gives the same bits), and a mistake shared by a good
  part of the class is a common one, so a pair is listed only when its rare identical wrong outputs
  show at least `min_shared` independent mistakes;
- **structural**: winnowed fingerprints of the code (copydetect's tokenizer, winnowing and comparison,
  the algorithm of MOSS, with a stable hash of the k-grams). Its tokenizer
  replaces every variable, function and attribute name by one letter and drops comments, so renaming
  variables does not hide a copy; the released stubs (exercises/) are boilerplate, and a file left as
  released is not compared at all.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from grader.isolation.sources import file_size, links_inside, source_paths

# copydetect's winnowing parameters: matches shorter than NOISE characters of tokenized code are
# ignored, matches of GUARANTEE characters or more are always found (its own defaults).
NOISE, GUARANTEE = 25, 30
# What is read of one student for the comparison. A whole CS231n assignment is one or two hundred
# KiB of .py files, none above 50 KiB. copydetect's tokenizer (pygments) takes about 4 s per MiB of
# ordinary code and 20 s per MiB of the densest, and its memory grows with the tokens, so a folder that
# also holds junk (a 48 MB file, thousands of files) must not be read whole.
MAX_FILE_BYTES = 128 * 2**10
MAX_STUDENT_BYTES = 512 * 2**10
MAX_STUDENT_FILES = 1000


@dataclass(frozen=True)
class SimilarPair:
    students: tuple[str, str]
    kind: str  # behavioural or structural
    score: float  # 0..1
    evidence: dict

    def to_dict(self) -> dict:
        return {"students": list(self.students), "kind": self.kind, "score": round(self.score, 3),
                "evidence": self.evidence}


@dataclass
class _WrongOutput:
    checks: list[str]  # "exercise: check" of the failed checks that carry it
    hints: set[str]  # the known mistakes they were recognised as


def _wrong_outputs(report: dict) -> dict[str, dict[str, _WrongOutput]]:
    """Per student: wrong-output fingerprint -> what carries it."""
    found: dict[str, dict[str, _WrongOutput]] = {}
    for sub in report["submissions"]:
        mine: dict[str, _WrongOutput] = {}
        for ex in sub["exercises"]:
            for check in ex["checks"]:
                if not check["passed"] and check.get("fingerprint"):
                    wrong = mine.setdefault(check["fingerprint"], _WrongOutput([], set()))
                    wrong.checks.append(f"{ex['name']}: {check['name']}")
                    wrong.hints.update(check.get("hints", ()))
        found[sub["id"]] = mine
    return found


def behavioural_pairs(report: dict, *, min_shared: int = 2, common_share: float = 0.1) -> list[SimilarPair]:
    """Pairs sharing identical wrong outputs, that at most max(3, common_share of the class) students
    produced, for at least `min_shared` independent mistakes: the wrong outputs recognised as the same
    known mistake (one missing max-subtraction breaks softmax and both losses built on it) count once."""
    wrong = _wrong_outputs(report)
    holders = defaultdict(set)
    for student, prints in wrong.items():
        for fp in prints:
            holders[fp].add(student)
    rare_limit = max(3, int(common_share * len(wrong)))
    pairs = []
    for a, b in combinations(wrong, 2):
        shared = [fp for fp in wrong[a] if fp in wrong[b] and len(holders[fp]) <= rare_limit]
        mistakes = {frozenset(wrong[a][fp].hints) or fp for fp in shared}
        if len(mistakes) < min_shared:
            continue
        smaller = min(len(wrong[a]), len(wrong[b]))
        checks = sorted({c for fp in shared for c in wrong[a][fp].checks} & {c for fp in shared for c in wrong[b][fp].checks})
        pairs.append(SimilarPair((a, b), "behavioural", len(shared) / smaller,
                                 {"identical_wrong_outputs": len(shared), "independent_mistakes": len(mistakes),
                                  "shared_failing_checks": checks}))
    return pairs


@dataclass(frozen=True)
class StudentCode:
    """The code of one student that is compared, and what of it was not (by the bounds below)."""

    text: str  # the .py files that differ from the released stubs, each under a `# file:` header line
    not_compared: tuple[str, ...] = ()


def student_code(folder: Path, stubs: Path | None) -> StudentCode:
    """What of the student's .py files is compared: each file up to MAX_FILE_BYTES, the files in the
    grader's order (shallowest first) until MAX_STUDENT_BYTES are read or MAX_STUDENT_FILES seen. A
    48 MB file of junk, 20,000 files or 200 nested folders cost what a normal submission costs."""
    folder = Path(folder)
    parts, notes, read, seen, over_budget = [], [], 0, 0, []
    for path in source_paths(folder):
        if path.suffix != ".py" or not links_inside(path, folder):
            continue
        seen += 1
        if seen > MAX_STUDENT_FILES:
            notes.append(f"every .py file after the first {MAX_STUDENT_FILES}")
            break
        relative = path.relative_to(folder)
        size = file_size(path)
        if size is None:
            continue
        if size > MAX_FILE_BYTES:
            notes.append(f"{relative} ({size / 2**20:.1f} MiB, more than the {MAX_FILE_BYTES // 2**10} KiB "
                         "compared per file)")
            continue
        if read + size > MAX_STUDENT_BYTES:
            over_budget.append(str(relative))
            continue
        read += size
        try:
            code = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        stub = stubs / relative if stubs else None
        if stub is not None and stub.is_file() and stub.read_text(encoding="utf-8") == code:
            continue
        parts.append(f"# file: {relative}\n{code.rstrip()}\n")
    if over_budget:
        more = f" and {len(over_budget) - 1} more file(s)" if len(over_budget) > 1 else ""
        notes.append(f"{over_budget[0]}{more}, beyond the {MAX_STUDENT_BYTES // 2**10} KiB of code compared "
                     "per student")
    return StudentCode("\n".join(parts), tuple(notes))


def _kgram_hashes(text: str, k: int):
    """A stable 64-bit hash of every k-gram (a polynomial hash of its code points, mixed by
    splitmix64's finalizer), vectorized. copydetect hashes with Python's hash(), which is salted per
    process: the same class would get slightly different matches and scores on every run."""
    import numpy as np  # noqa: PLC0415

    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    count = len(points) - k + 1
    if count <= 0:
        return np.array([], dtype=np.int64)
    hashes = np.zeros(count, dtype=np.uint64)
    for j in range(k):  # unsigned arithmetic wraps modulo 2**64, as a hash should
        hashes = hashes * np.uint64(1_000_003) + points[j:j + count]
    for shift, factor in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB)):
        hashes ^= hashes >> np.uint64(shift)
        hashes *= np.uint64(factor)
    hashes ^= hashes >> np.uint64(31)
    return hashes.view(np.int64)


@dataclass(frozen=True)
class _Fingerprint:
    """What copydetect's compare_files reads of a CodeFingerprint, built with stable hashes."""

    raw_code: str
    filtered_code: str
    offsets: object
    hashes: set
    hash_idx: dict
    k: int
    token_coverage: float


def _tokens(code: str) -> tuple[str, object]:
    from copydetect.utils import filter_code  # noqa: PLC0415 (slow import, only for reports)

    return filter_code(code, "submission.py")


def _fingerprint(code: str, boilerplate: set[int]) -> _Fingerprint:
    import numpy as np  # noqa: PLC0415
    from copydetect.utils import get_token_coverage, winnow  # noqa: PLC0415

    filtered, offsets = _tokens(code)
    hashes, idx = winnow(_kgram_hashes(filtered, NOISE), GUARANTEE - NOISE + 1, remove_duplicates=False) \
        if len(filtered) >= NOISE else (np.array([], dtype=np.int64), np.array([], dtype=int))
    hash_idx: dict[int, list[int]] = defaultdict(list)
    for value, at in zip(hashes.tolist(), idx.tolist()):
        if value not in boilerplate:
            hash_idx[value].append(at)
    return _Fingerprint(code, filtered, offsets, set(hash_idx), dict(hash_idx), NOISE,
                        get_token_coverage(hash_idx, NOISE, len(filtered)))


def _boilerplate_hashes(stubs: Path | None) -> set[int]:
    hashes: set[int] = set()
    for path in sorted(stubs.rglob("*.py")) if stubs and stubs.is_dir() else ():
        hashes.update(_kgram_hashes(_tokens(path.read_text(encoding="utf-8"))[0], NOISE).tolist())
    return hashes


def _spans(slices) -> list[list[int]]:
    """copydetect's [starts, ends] arrays as [start, end] character spans."""
    return [[int(s), int(e)] for s, e in zip(*slices)] if len(slices) and len(slices[0]) else []


def compared_code(folders: dict[str, Path], stubs: Path | None) -> dict[str, StudentCode]:
    return {student: student_code(Path(folder), stubs) for student, folder in folders.items()}


def structural_pairs(folders: dict[str, Path], stubs: Path | None, *, threshold: float = 0.6,
                     min_tokens: int = 120, codes: dict[str, StudentCode] | None = None) -> list[SimilarPair]:
    """Pairs whose changed code overlaps for at least `threshold` of the smaller one's fingerprinted
    tokens and at least `min_tokens` characters of tokenized code (short answers converge honestly).
    `codes` is compared_code(folders, stubs) when already read."""
    from copydetect import compare_files  # noqa: PLC0415

    boilerplate = _boilerplate_hashes(stubs)
    codes = compared_code(folders, stubs) if codes is None else codes
    prints = {student: _fingerprint(code.text, boilerplate) for student, code in codes.items() if code.text}
    pairs = []
    for a, b in combinations(prints, 2):
        overlap, (sim_a, sim_b), (slices_a, slices_b) = compare_files(prints[a], prints[b])
        score = max(sim_a, sim_b)
        if overlap < min_tokens or score < threshold:
            continue
        pairs.append(SimilarPair((a, b), "structural", float(score), {
            "similarity": [round(float(sim_a), 3), round(float(sim_b), 3)], "matched_tokens": int(overlap),
            "code": [prints[a].raw_code, prints[b].raw_code],
            "matches": [_spans(slices_a), _spans(slices_b)]}))
    return pairs


def similar_pairs(report: dict, *, folders: dict[str, Path], stubs: Path | None,
                  codes: dict[str, StudentCode] | None = None) -> list[SimilarPair]:
    """Every flagged pair, the strongest first."""
    pairs = behavioural_pairs(report) + structural_pairs(folders, stubs, codes=codes)
    return sorted(pairs, key=lambda p: (-p.score, p.kind, p.students))
