"""Short, readable renderings of inputs and values for feedback."""

from __future__ import annotations

import numpy as np

_MAX_ELEMENTS = 24


def number(x, digits: int = 6) -> str:
    """Floats to 6 significant digits, always recognisable as floats (0.0, not 0)."""
    if isinstance(x, (float, np.floating)):
        return repr(float(f"{x:.{digits}g}"))
    return repr(x)


def distinct_numbers(expected: float, got: float) -> tuple[str, str]:
    """Both numbers with the fewest digits (6 at least) that show they differ: 18.0 and 18.0 become
    18.00002 and 18.0."""
    for digits in range(6, 18):
        shown = number(expected, digits), number(got, digits)
        if shown[0] != shown[1]:
            return shown
    return number(expected, 17), number(got, 17)


def value(x) -> str:
    """A value as a student would type it when small, a summary when large."""
    if isinstance(x, np.ndarray):
        if x.size <= _MAX_ELEMENTS:
            body = np.array2string(x, precision=6, separator=", ", threshold=_MAX_ELEMENTS, max_line_width=100)
            return f"array({body})" if x.dtype.kind == "f" else f"array({body}, dtype={x.dtype})"
        finite = x[np.isfinite(x)] if x.dtype.kind in "fc" else x
        span = f", values in [{number(finite.min())}, {number(finite.max())}]" if finite.size else ""
        return f"<array of shape {x.shape}, dtype {x.dtype}{span}>"
    if isinstance(x, float):
        return number(x)
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {value(v)}" for k, v in x.items()) + "}"
    if isinstance(x, (list, tuple)) and len(x) <= _MAX_ELEMENTS:
        inner = ", ".join(value(v) for v in x)
        return f"[{inner}]" if isinstance(x, list) else f"({inner}{',' if len(x) == 1 else ''})"
    return repr(x)


def example(inputs: dict) -> str:
    """`name = value` lines for every input, indented for a feedback block."""
    lines = []
    for name, v in inputs.items():
        lead = f"    {name} = "
        lines.append(lead + value(v).replace("\n", "\n" + " " * len(lead)))
    return "\n".join(lines)


def index(idx) -> str:
    return "[" + ", ".join(str(int(i)) for i in idx) + "]" if idx else ""
