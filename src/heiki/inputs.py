"""The one door every input file comes through (blueprints, templates, parameter files, plans,
Terraform files, on-premises and configuration files).

A path that is not a regular file - a directory, a FIFO (which would block forever), a device
such as ``/dev/zero`` (which never ends) - is refused before it is read; a file larger than its
limit is refused without reading it whole; the text is decoded as the tools that write these
files write it: UTF-8 with or without a byte-order mark, and UTF-16 / UTF-32 with a byte-order
mark (what Windows PowerShell 5.1 writes for ``az resource list > file``). Anything else is a
located ``IN003`` / ``IN004``, exit 2 - never a traceback and never a hang.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from heiki import diagnostics as dx
from heiki.diagnostics import Diagnostic, InputError, Severity
from heiki.model.source import SourceLocation

DEFAULT_LIMIT = 256 * 1024 * 1024
"""Bytes: far above any real template or export, far below the machine's memory."""

_limit = [DEFAULT_LIMIT]
"""The size limit of this run (``heiki --max-input-mb``): the door's one setting."""


def set_input_limit(size: int) -> None:
    """The largest input file this run reads, in bytes (``--max-input-mb``)."""
    _limit[0] = size


def input_limit() -> int:
    return _limit[0]


_BOMS = (
    # UTF-32 first: its little-endian mark begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _refuse(code: str, message: str, display: str, line: int | None = None) -> InputError:
    return InputError(Diagnostic(code, Severity.ERROR, message, SourceLocation(display, line)))


def read_input_bytes(path: Path, display: str | None = None, limit: int | None = None) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (by default the run's limit)."""
    shown = display or str(path)
    limit = input_limit() if limit is None else limit
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; the type is checked on the
        # opened descriptor, so the file cannot be swapped between the check and the read
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise _refuse(
            dx.FILE_UNREADABLE, f"cannot read file: {error.strerror or error}", shown
        ) from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            kind = next((n for test, n in _KINDS if test(status.st_mode)), "not a regular file")
            raise _refuse(dx.FILE_UNREADABLE, f"cannot read file: it is {kind}", shown)
        size = status.st_size
        if size > limit:
            raise _refuse(
                dx.FILE_TOO_LARGE,
                f"file is {size} bytes; the limit is {limit} bytes (heiki --max-input-mb)",
                shown,
            )
        chunks: list[bytes] = []
        total = 0
        while True:  # a file that grows while read is still cut at the limit
            chunk = os.read(descriptor, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise _refuse(
                    dx.FILE_TOO_LARGE, f"file is more than {limit} bytes (the limit)", shown
                )
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as error:
        raise _refuse(
            dx.FILE_UNREADABLE, f"cannot read file: {error.strerror or error}", shown
        ) from None
    finally:
        os.close(descriptor)


def decode_input(data: bytes, display: str) -> str:
    """Text of a file as its byte-order mark says, else UTF-8; a located error otherwise."""
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), "utf-8")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1 if encoding == "utf-8" else None
        raise _refuse(
            dx.FILE_UNREADABLE,
            f"cannot read file: not {encoding.upper().replace('-SIG', '')} text (byte "
            f"{data[error.start : error.start + 1].hex() or '?'} at offset {error.start}); "
            "save it as UTF-8",
            display,
            line,
        ) from None


def read_input_text(path: Path, display: str | None = None, limit: int | None = None) -> str:
    """The text of an input file, read through the door (see the module docstring)."""
    shown = display or str(path)
    return decode_input(read_input_bytes(path, shown, limit), shown)


NESTING_LIMIT = 500
"""Where a message about nesting points: no template, plan or blueprint comes near (real ARM
templates nest a few dozen levels), and it is below where the readers' recursion gives out
(about 1,000), so the point named lies inside what could not be read."""


def too_deep_at(text: str, limit: int = NESTING_LIMIT) -> tuple[int, int] | None:
    """Line and column (1-based) of the first ``[`` or ``{`` nested deeper than ``limit``, not
    counting brackets inside double-quoted strings; None if there is none. Called only after a
    reader gave out on nesting, to say where."""
    depth = 0
    line, start = 1, 0
    in_string = escaped = False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            elif char == "\n":
                line, start = line + 1, index + 1
            continue
        if char == '"':
            in_string = True
        elif char in "[{(":
            depth += 1
            if depth > limit:
                return line, index - start + 1
        elif char in "]})":
            depth = max(0, depth - 1)
        elif char == "\n":
            line, start = line + 1, index + 1
    return None


def nesting_message(kind: str, text: str, display: str) -> tuple[str, SourceLocation]:
    """The message and location of input nested too deeply to read."""
    at = too_deep_at(text)
    if at is None:
        return f"{kind} nested too deeply to read", SourceLocation(display)
    return (
        f"{kind} nested too deeply to read (here the nesting passes {NESTING_LIMIT} levels)",
        SourceLocation(display, *at),
    )
