"""Plain-data wire format for messages from a worker to the grading process.

The worker runs student code, so everything it sends is untrusted: the parent must never unpickle
it. A message is a JSON header followed by the raw bytes of any arrays; decoding builds only
dicts, lists, strings, numbers, None and numeric numpy arrays, and rejects anything malformed.
"""

from __future__ import annotations

import json
import struct

import numpy as np

# Array dtypes that may cross the boundary: bool, integers, floats, complex. Object arrays never do.
_SAFE_KINDS = frozenset("biufc")
_HEADER = struct.Struct("<Q")


class Unsupported:
    """Stands for a value the worker could not send as plain data (a function, a custom object...)."""

    __slots__ = ("type_name",)

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"

    def __eq__(self, other) -> bool:
        return isinstance(other, Unsupported) and other.type_name == self.type_name


class ArraySubclass:
    """An ndarray subclass (np.matrix, a masked array...) returned where a plain ndarray is due."""

    __slots__ = ("type_name", "array")

    def __init__(self, type_name: str, array: np.ndarray):
        self.type_name = type_name
        self.array = array

    def __repr__(self) -> str:
        return f"<{self.type_name} of shape {self.array.shape}>"


class NumpyScalar:
    """A numpy scalar (np.float64(1.5)...), kept apart from 0-d arrays so contracts can tell them."""

    __slots__ = ("value",)

    def __init__(self, value: np.ndarray):
        self.value = value

    def __repr__(self) -> str:
        return f"np.{self.value.dtype.name}({self.value.item()!r})"


class DecodeError(ValueError):
    """The bytes are not a well-formed message."""


def _type_name(obj) -> str:
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}" if cls.__module__ != "builtins" else cls.__qualname__


def _encode(obj, buffers: list[bytes], depth: int):
    if depth > 64:
        return {"u": "deeply nested data"}
    if isinstance(obj, np.generic):  # before float and int: np.float64 is a float subclass
        if obj.dtype.kind not in _SAFE_KINDS:
            return {"u": _type_name(obj)}
        return {"s": _encode(np.asarray(obj), buffers, depth + 1)}
    if obj is None or type(obj) in (bool, str):
        return obj
    if type(obj) is int:
        return {"i": str(obj)} if abs(obj) >= 2**53 else obj
    if type(obj) is float:
        return {"f": repr(obj)}
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in _SAFE_KINDS or obj.dtype.fields is not None:
            return {"u": f"numpy array of dtype {obj.dtype}"}
        plain = np.array(obj, copy=True, order="C", subok=False)  # ascontiguousarray would make 0-d into 1-d
        buffers.append(plain.tobytes())
        header = {"a": len(buffers) - 1, "dtype": plain.dtype.str, "shape": list(plain.shape)}
        if type(obj) is not np.ndarray:
            header["sub"] = _type_name(obj)
        return header
    if isinstance(obj, (tuple, list)):
        return {"t" if isinstance(obj, tuple) else "l": [_encode(x, buffers, depth + 1) for x in obj]}
    if isinstance(obj, dict):
        items = [[_encode(k, buffers, depth + 1), _encode(v, buffers, depth + 1)] for k, v in obj.items()]
        return {"d": items}
    return {"u": _type_name(obj)}


def encode(obj) -> bytes:
    """Serialize plain data; anything else becomes a marker naming its type."""
    buffers: list[bytes] = []
    try:
        tree = _encode(obj, buffers, 0)
    except Exception as exc:  # a hostile __eq__/__len__ must not kill the worker's reply
        tree, buffers = {"u": f"unencodable value ({type(exc).__name__})"}, []
    header = json.dumps({"tree": tree, "sizes": [len(b) for b in buffers]}).encode()
    return b"".join([_HEADER.pack(len(header)), header, *buffers])


def _decode(node, buffers: list[memoryview]):
    if node is None or isinstance(node, (bool, str, int)):
        return node
    if isinstance(node, list):
        raise DecodeError("bare list in message")
    if not isinstance(node, dict) or len(node) == 0:
        raise DecodeError("bad node")
    if "f" in node:
        return float(node["f"])
    if "i" in node:
        return int(node["i"])
    if "u" in node:
        return Unsupported(str(node["u"]))
    if "s" in node:
        array = _decode(node["s"], buffers)
        if not isinstance(array, np.ndarray) or array.ndim != 0:
            raise DecodeError("bad scalar")
        return NumpyScalar(array)
    if "a" in node:
        return _decode_array(node, buffers)
    if "t" in node or "l" in node:
        items = node.get("t", node.get("l"))
        if not isinstance(items, list):
            raise DecodeError("bad sequence")
        values = [_decode(x, buffers) for x in items]
        return tuple(values) if "t" in node else values
    if "d" in node:
        out = {}
        for pair in node["d"]:
            if not isinstance(pair, list) or len(pair) != 2:
                raise DecodeError("bad dict item")
            key = _decode(pair[0], buffers)
            if not isinstance(key, (str, int, float, bool, tuple)) and key is not None:
                raise DecodeError("unhashable dict key")
            out[key] = _decode(pair[1], buffers)
        return out
    raise DecodeError("unknown node")


def _decode_array(node: dict, buffers: list[memoryview]):
    index, shape = node["a"], node.get("shape")
    if not isinstance(index, int) or not 0 <= index < len(buffers):
        raise DecodeError("bad buffer index")
    if not isinstance(shape, list) or not all(isinstance(s, int) and s >= 0 for s in shape):
        raise DecodeError("bad shape")
    dtype = np.dtype(str(node.get("dtype")))
    if dtype.kind not in _SAFE_KINDS or dtype.fields is not None:
        raise DecodeError(f"unsafe dtype {dtype}")
    count = int(np.prod(shape, dtype=np.int64)) if shape else 1
    raw = buffers[index]
    if count * dtype.itemsize != len(raw):
        raise DecodeError("array size does not match its buffer")
    array = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    if "sub" in node:
        return ArraySubclass(str(node["sub"]), array)
    return array


def decode(data: bytes):
    """Parse a message made by `encode`; raises DecodeError on anything else."""
    try:
        (length,) = _HEADER.unpack_from(data, 0)
        start = _HEADER.size
        header = json.loads(bytes(data[start:start + length]))
        sizes = header["sizes"]
        view = memoryview(data)[start + length:]
        buffers, offset = [], 0
        for size in sizes:
            if not isinstance(size, int) or size < 0 or offset + size > len(view):
                raise DecodeError("truncated buffers")
            buffers.append(view[offset:offset + size])
            offset += size
        if offset != len(view):
            raise DecodeError("trailing bytes")
        return _decode(header["tree"], buffers)
    except DecodeError:
        raise
    except (ValueError, KeyError, TypeError, struct.error, RecursionError, OverflowError) as exc:
        raise DecodeError(f"malformed message ({type(exc).__name__})") from None
