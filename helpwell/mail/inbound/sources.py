"""Where `helpwell import-mail` and the benchmark read mail from: .eml files, mbox files and Maildirs."""

import mailbox
from collections.abc import Iterator
from pathlib import Path


def is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


def count_messages(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        if is_maildir(path):
            total += len(mailbox.Maildir(str(path), factory=None, create=False))
        elif path.is_dir():
            total += sum(1 for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".eml", ".box"))
        elif path.suffix.lower() in (".eml", ".box", ".msg"):
            total += 1
        else:
            total += len(mailbox.mbox(str(path), factory=None, create=False))
    return total


def read_messages(paths: list[Path]) -> Iterator[tuple[str, bytes]]:
    """(where, raw bytes) of every message under the given paths."""
    for path in paths:
        if is_maildir(path):
            box = mailbox.Maildir(str(path), factory=None, create=False)
            for key in box.iterkeys():
                yield f"{path}/{key}", box.get_bytes(key)
        elif path.is_dir():
            for file in sorted(path.rglob("*")):
                if file.is_file() and file.suffix.lower() in (".eml", ".box"):
                    yield str(file), file.read_bytes()
        elif path.suffix.lower() in (".eml", ".box", ".msg"):
            yield str(path), path.read_bytes()
        else:
            mbox = mailbox.mbox(str(path), factory=None, create=False)
            for key in mbox.iterkeys():
                yield f"{path}#{key}", mbox.get_bytes(key)
