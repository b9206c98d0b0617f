"""The streaming masker: every form of every value, whatever the read boundaries."""

from __future__ import annotations

import base64
import json
import random
import secrets
from urllib.parse import quote

import pytest

from secretguard.vault.masking import MASK, Masker


def _value() -> str:
    return "p@ss/" + secrets.token_urlsafe(15) + "+&\"x\\y"


def _stream(masker: Masker, data: bytes, sizes: list[int]) -> bytes:
    out, pos = b"", 0
    for size in sizes:
        out += masker.feed(data[pos:pos + size])
        pos += size
    return out + masker.feed(data[pos:]) + masker.flush()


@pytest.mark.parametrize("encode", [
    lambda v: v.encode(),
    lambda v: base64.b64encode(v.encode()),
    lambda v: base64.b64encode(v.encode()).rstrip(b"="),
    lambda v: base64.urlsafe_b64encode(v.encode()),
    lambda v: quote(v, safe="").encode(),
    lambda v: json.dumps(v)[1:-1].encode(),
])
def test_every_form_is_masked_across_every_split(encode) -> None:  # noqa: ANN001
    value = _value()
    form = encode(value)
    data = b"before " + form + b" middle " + form + b"\nafter"
    for cut in range(1, len(data)):
        out = _stream(Masker([value]), data, [cut])
        assert form not in out and value.encode() not in out
        assert out.count(MASK) == 2 and out.startswith(b"before ") and out.endswith(b"\nafter")


def test_byte_at_a_time_and_random_chunks() -> None:
    values = [_value(), _value(), "short-but-ok"]
    data = b"".join(random.choice([v.encode() for v in values] + [b"noise ", b"\x00\xff", b"p@ss"])
                    for _ in range(300))
    expected = _stream(Masker(values), data, [])
    assert _stream(Masker(values), data, [1] * len(data)) == expected
    rng = random.Random(7)
    sizes = [rng.randint(1, 40) for _ in range(200)]
    assert _stream(Masker(values), data, sizes) == expected
    for v in values:
        assert v.encode() not in expected


def test_output_is_not_held_back_without_reason() -> None:
    masker = Masker([_value()])
    assert masker.feed(b"progress 10%\n") == b"progress 10%\n"
    assert masker.feed(b"ends with p@s") == b"ends with "  # could be the start of the value
    assert masker.flush() == b"p@s"


def test_no_values_pass_through() -> None:
    assert Masker([]).feed(b"anything") == b"anything"
