"""``uniqueString()`` and ``guid()`` exactly as Azure computes them.

uniqueString: the arguments joined with ``-``, UTF-8, Microsoft's MurmurHash64 (two 32-bit lanes
with the MurmurHash3 x86 constants, seed 0), 13 base-32 characters most significant first.
guid: a version-5 UUID of the joined arguments in namespace 11fb06fb-712d-4ddd-98c7-e71bbd588830.
Both follow the MIT-licensed port in Microsoft's PolicyLinter (ExpressionBuiltInFunctions.cs) and
the azapi provider's Go port; the test vectors were captured from real deployments
(shared/reference/arm-details.md section 1).
"""

from __future__ import annotations

import struct
import uuid

_MASK = 0xFFFFFFFF
_C1 = 0x239B961B
_C2 = 0xAB0E9789
_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
GUID_NAMESPACE = uuid.UUID("11fb06fb-712d-4ddd-98c7-e71bbd588830")


def _rotl(value: int, bits: int) -> int:
    return ((value << bits) | (value >> (32 - bits))) & _MASK


def _fmix(value: int) -> int:
    value ^= value >> 16
    value = (value * 0x85EBCA6B) & _MASK
    value ^= value >> 13
    value = (value * 0xC2B2AE35) & _MASK
    return value ^ (value >> 16)


def murmur_hash64(data: bytes) -> int:
    """Microsoft's MurmurHash64 (ComputeHash.MurmurHash64), seed 0."""
    h1 = h2 = 0
    length = len(data)
    blocks = length // 8
    for k1, k2 in struct.iter_unpack("<II", data[: blocks * 8]):
        k1 = (_rotl((k1 * _C1) & _MASK, 15) * _C2) & _MASK
        h1 = (((_rotl(h1 ^ k1, 19) + h2) & _MASK) * 5 + 0x561CCD1B) & _MASK
        k2 = (_rotl((k2 * _C2) & _MASK, 17) * _C1) & _MASK
        h2 = (((_rotl(h2 ^ k2, 13) + h1) & _MASK) * 5 + 0x0BCAA747) & _MASK
    tail = data[blocks * 8 :]
    if tail:
        k1 = int.from_bytes(tail[:4], "little")
        h1 ^= (_rotl((k1 * _C1) & _MASK, 15) * _C2) & _MASK
        if len(tail) > 4:
            k2 = int.from_bytes(tail[4:], "little")
            h2 ^= (_rotl((k2 * _C2) & _MASK, 17) * _C1) & _MASK
    h1 ^= length
    h2 ^= length
    h1 = (h1 + h2) & _MASK
    h2 = (h2 + h1) & _MASK
    h1 = _fmix(h1)
    h2 = _fmix(h2)
    h1 = (h1 + h2) & _MASK
    h2 = (h2 + h1) & _MASK
    return (h2 << 32) | h1


def unique_string(*parts: str) -> str:
    value = murmur_hash64("-".join(parts).encode("utf-8"))
    characters = []
    for _ in range(13):
        characters.append(_ALPHABET[value >> 59])
        value = (value << 5) & 0xFFFFFFFFFFFFFFFF
    return "".join(characters)


def arm_guid(*parts: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, "-".join(parts)))
