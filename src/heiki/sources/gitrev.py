"""The base side of ``heiki diff --base-ref REF``: the working repository's files at REF.

The tree at REF is written into a temporary folder with ``git ls-tree`` and ``git cat-file``:
nothing is checked out, the working tree and index are untouched, and relative references
(linked templates, ``../modules``) resolve as they did at REF. Symbolic links and submodules are
not written (a link could point outside the folder); the total is bounded by the input limit.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from heiki import diagnostics as dx
from heiki.diagnostics import Diagnostic, InputError, Severity
from heiki.inputs import input_limit

GIT_TIMEOUT = 120
_REGULAR_FILES = ("100644", "100755")


@dataclass(frozen=True)
class Revision:
    """A repository tree written out: ``root`` holds the files of ``ref`` (its top level)."""

    ref: str
    commit: str
    repository: Path
    root: Path

    def path_at(self, path: str) -> str | None:
        """The written-out twin of a working-tree ``path``; ``None`` if it did not exist at
        REF. Paths that are not files or folders (a built-in design's name) pass unchanged."""
        given = Path(path)
        if not given.exists():
            return path
        try:
            relative = given.resolve().relative_to(self.repository)
        except ValueError:
            raise _refuse(f"{path} is outside the repository {self.repository}") from None
        twin = self.root / relative
        return str(twin) if twin.exists() else None

    def display(self, path: str) -> str:
        """``REF:relative/path`` for a written-out path, for messages and reports."""
        prefix = str(self.root) + "/"
        return f"{self.ref}:{path[len(prefix) :]}" if path.startswith(prefix) else path


def _refuse(message: str) -> InputError:
    return InputError(Diagnostic(dx.GIT_REVISION, Severity.ERROR, message))


def _git(repository: Path, *arguments: str, data: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(repository), *arguments],
            input=data,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise _refuse("--base-ref needs git, and no git command was found") from None
    except subprocess.TimeoutExpired:
        raise _refuse(f"git {arguments[0]} took more than {GIT_TIMEOUT} s") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise _refuse(f"git {' '.join(arguments[:2])} failed: {reason[-1] if reason else '?'}")
    return done.stdout


def repository_of(start: Path) -> Path:
    where = start if start.is_dir() else start.parent
    try:
        top = _git(where, "rev-parse", "--show-toplevel")
    except InputError:
        raise _refuse(
            f"{start} is not inside a git work tree (--base-ref reads its history)"
        ) from None
    return Path(top.decode("utf-8").strip()).resolve()


def write_revision(repository: Path, ref: str, into: Path) -> Revision:
    """Write the files of ``ref`` under ``into`` (an empty folder)."""
    if ref.startswith("-") or not ref.strip():
        raise _refuse(f"not a revision: {ref!r}")
    try:
        commit = _git(repository, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except InputError:
        raise _refuse(f"{ref!r} is not a commit of {repository}") from None
    sha = commit.decode().strip()
    listing = _git(repository, "ls-tree", "-r", "-z", "-l", "--full-tree", sha)
    entries: list[tuple[str, PurePosixPath]] = []
    total = 0
    limit = input_limit()
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        mode, kind, blob, length = meta.decode().split()
        if kind != "blob" or mode not in _REGULAR_FILES:
            continue  # symbolic links and submodules are not written
        total += int(length)
        if total > limit:
            raise _refuse(f"the tree at {ref} is larger than the input limit ({limit} bytes)")
        path = PurePosixPath(name.decode("utf-8", "surrogateescape"))
        if path.is_absolute() or ".." in path.parts:
            continue
        entries.append((blob, path))
    if entries:
        batch = _git(
            repository, "cat-file", "--batch", data="".join(f"{b}\n" for b, _ in entries).encode()
        )
        offset = 0
        for _, path in entries:
            header_end = batch.index(b"\n", offset)
            size = int(batch[offset:header_end].split()[2])
            start = header_end + 1
            target = into.joinpath(*path.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(batch[start : start + size])
            offset = start + size + 1
    return Revision(ref, sha, repository, into.resolve())
