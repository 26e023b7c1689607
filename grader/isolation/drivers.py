"""Drivers: how a scenario runs the student's code on one input. They run inside the worker.

A driver is `driver(student, exercise, example, call) -> dict`: `student(name)` returns the student's
object of that name, `example` is the worker's own copy of the input, `call` the scenario's options.
The reply holds the student's return value under "result" and, under "after", the inputs as they are
after the call (for the inputs-not-modified checks).
"""

from __future__ import annotations


def positional(example: dict, call: dict, key: str = "args") -> list:
    return [example[name] for name in call.get(key, ()) if name in example]


def keywords(example: dict, call: dict, key: str = "kwargs") -> dict:
    return {name: example[name] for name in call.get(key, ()) if name in example}


def call_function(student, exercise, example, call):
    """Calls the exercise with the inputs named in call["args"] (positionally) and call["kwargs"]."""
    result = student(exercise)(*positional(example, call), **keywords(example, call))
    return {"result": result, "after": example}


class ForwardFailed(Exception):
    """The student's forward raised while a backward was graded; the worker reports it as "your
    <forward> raised <the forward's error>", so the student looks at the right function."""

    def __init__(self, forward: str):
        super().__init__(f"your {forward} raised")
        self.forward = forward


def forward_then_backward(student, exercise, example, call):
    """Runs the student's own forward (call["forward"]) and feeds its opaque cache to the exercise.

    The forward's return must be `(out, cache)`, or the tuple named by call["forward_returns"] (such
    as ("next_h", "next_c", "cache")), the cache last. The backward is called as
    `exercise(*upstream, cache)`, the upstream gradients named by call["upstream"] (default ("dout",)).
    """
    forward = student(call["forward"])
    parts = tuple(call.get("forward_returns", ("out", "cache")))
    try:
        returned = forward(*positional(example, call), **keywords(example, call))
    except Exception as exc:  # the student's forward: blamed on it by name
        raise ForwardFailed(call["forward"]) from exc
    if not isinstance(returned, tuple) or len(returned) != len(parts):
        got = f"{len(returned)} values" if isinstance(returned, tuple) else type(returned).__name__
        raise TypeError(f"your {call['forward']} must return a tuple ({', '.join(parts)}), got {got}")
    upstream = [example[name] for name in call.get("upstream", ("dout",))]
    result = student(exercise)(*upstream, returned[-1])
    return {"result": result, "forward_out": returned[0], "after": example}


def call_expecting_error(student, exercise, example, call):
    """Calls the exercise where the contract says it raises: the exception's class names (its MRO,
    so subclasses count) and message come back under "raised", or the return value if none was raised."""
    try:
        result = student(exercise)(*positional(example, call), **keywords(example, call))
    except Exception as exc:  # the check decides which exceptions are right
        return {"raised": [cls.__name__ for cls in type(exc).__mro__], "message": str(exc)[:300], "after": example}
    return {"raised": None, "result": result, "after": example}
