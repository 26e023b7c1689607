"""The wire format from the worker: hostile bytes never make the decoder raise anything but its own
DecodeError, and decoding never builds anything but plain data (no pickle, no object arrays)."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.isolation.codec import ArraySubclass, DecodeError, NumpyScalar, Unsupported, decode, encode

PLAIN = (type(None), bool, int, float, str, list, tuple, dict, np.ndarray, Unsupported, ArraySubclass, NumpyScalar)


def _only_plain(value) -> bool:
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "biufc" and value.dtype.fields is None
    if isinstance(value, (list, tuple)):
        return all(_only_plain(v) for v in value)
    if isinstance(value, dict):
        return all(_only_plain(k) and _only_plain(v) for k, v in value.items())
    return type(value) in PLAIN


def _decode_or_reject(data: bytes):
    try:
        value = decode(data)
    except DecodeError:
        return None
    assert _only_plain(value), value
    return value


def _message(tree, buffers=(), sizes=None) -> bytes:
    header = json.dumps({"tree": tree, "sizes": [len(b) for b in buffers] if sizes is None else sizes}).encode()
    return struct.pack("<Q", len(header)) + header + b"".join(buffers)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                        st.sampled_from(["tree", "sizes", "a", "d", "t", "l", "s", "u", "f", "i", "dtype", "shape",
                                         "sub"]), inner, max_size=4), max_leaves=12)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.binary(max_size=200))
def test_random_bytes_are_rejected_cleanly(data):
    _decode_or_reject(data)


@SETTINGS
@given(JSON, st.lists(st.binary(max_size=24), max_size=3))
def test_hostile_trees_are_rejected_cleanly(tree, buffers):
    _decode_or_reject(_message(tree, buffers))


@SETTINGS
@given(st.sampled_from(["O", "V8", "<U3", "M8[s]", "m8[s]", "S4", "[('a', '<f8')]", "object", "not a dtype", "f8"]),
       st.lists(st.integers(-2, 4), max_size=3), st.binary(max_size=32))
def test_arrays_of_unsafe_dtypes_or_lying_shapes_are_rejected(dtype, shape, raw):
    value = _decode_or_reject(_message({"a": 0, "dtype": dtype, "shape": shape}, [raw]))
    if value is not None:
        assert value.dtype == np.dtype("f8") and value.nbytes == len(raw)


@SETTINGS
@given(st.binary(max_size=64), st.integers(0, 2**64 - 1))
def test_lying_lengths_are_rejected(rest, length):
    _decode_or_reject(struct.pack("<Q", length) + rest)


def test_pickles_and_object_arrays_are_never_built():
    import pickle

    for data in (pickle.dumps({"reply": 1}), pickle.dumps(np.array([object()], dtype=object), protocol=4)):
        with pytest.raises(DecodeError):
            decode(data)
    assert isinstance(decode(encode(np.array([object()], dtype=object))), Unsupported)
    with pytest.raises(DecodeError):
        decode(_message({"a": 0, "dtype": "|O", "shape": [1]}, [b"\0" * 8]))


def test_deep_nesting_is_rejected_not_a_crash():
    depth = 100_000
    header = ('{"sizes": [], "tree": ' + '{"l": [' * depth + "null" + "]}" * depth + "}").encode()
    with pytest.raises(DecodeError):
        decode(struct.pack("<Q", len(header)) + header)


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                    max_leaves=10))
@settings(max_examples=100, deadline=None)
def test_plain_data_round_trips(value):
    assert decode(encode(value)) == value
