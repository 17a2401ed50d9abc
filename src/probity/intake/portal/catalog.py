"""The Spanish message catalogue: compiled here in pure Python, so no gettext is needed to run.

`locale/es/LC_MESSAGES/django.mo` is committed beside its `.po`. It is compiled by this module
rather than by GNU `msgfmt`, so the bytes depend only on the `.po` and a test can prove the
committed `.mo` is up to date (`is_up_to_date()`) on a machine without gettext, such as CI.

    python -m probity.intake.portal.catalog update    # extract (needs xgettext), merge, compile
    python -m probity.intake.portal.catalog compile   # .po -> .mo only
    python -m probity.intake.portal.catalog check     # exit 1 if the .mo is stale or entries lack Spanish

Only the portal's files are extracted (`SOURCES`): staff pages are English-only for now, and a
catalogue full of untranslated staff strings would hide which portal strings still need Spanish.
"""

from __future__ import annotations

import ast
import os
import shutil
import struct
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[2]  # src/probity
LOCALE_DIR = PACKAGE_DIR / "locale"
PO_PATH = LOCALE_DIR / "es" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# Relative to src/probity: every file whose strings the public sees.
SOURCES = (
    "intake/portal",
    "intake/templates/intake/portal",
    "intake/services/portal.py",
)


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False
    obsolete: bool = False
    references: list[str] = field(default_factory=list)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values()) and not self.fuzzy


def _unquote(text: str) -> str:
    value = ast.literal_eval(text)
    if not isinstance(value, str):
        raise ValueError(f"not a string: {text!r}")
    return value


class _Reader:
    """Reads a `.po` file line by line into entries."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.entry = Entry()
        self.target: tuple[str, int] | None = None
        self.started = False

    def finish(self) -> None:
        if self.started:
            self.entries.append(self.entry)
        self.entry, self.target, self.started = Entry(), None, False

    def comment(self, line: str) -> None:
        if self.started and self.target is not None:
            self.finish()
        if line.startswith("#,") and "fuzzy" in line:
            self.entry.fuzzy = True
        elif line.startswith("#:"):
            self.entry.references.extend(line[2:].split())

    def continuation(self, line: str) -> None:
        if self.target is None:
            raise ValueError(f"continuation line without a keyword: {line!r}")
        name, index = self.target
        if name == "msgstr":
            self.entry.msgstr[index] += _unquote(line)
        else:
            setattr(self.entry, name, (getattr(self.entry, name) or "") + _unquote(line))

    def keyword(self, line: str) -> None:
        keyword, _, rest = line.partition(" ")
        if keyword in {"msgctxt", "msgid"} and self.started and self.target and self.target[0] == "msgstr":
            self.finish()
        self.started = True
        if keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
            self.entry.msgstr[index] = _unquote(rest)
            self.target = ("msgstr", index)
        elif keyword in {"msgid", "msgid_plural", "msgctxt"}:
            setattr(self.entry, keyword, _unquote(rest))
            self.target = (keyword, 0)
        else:
            raise ValueError(f"unknown line in the catalogue: {line!r}")

    def feed(self, raw: str) -> None:
        line = raw.strip()
        if line.startswith("#~"):
            self.entry.obsolete = True
            line = line[2:].strip()
        elif line.startswith("#"):
            self.comment(line)
            return
        if not line:
            if not raw.strip():
                self.finish()
        elif line.startswith('"'):
            self.continuation(line)
        else:
            self.keyword(line)


def parse_po(text: str) -> list[Entry]:
    """The entries of a `.po` file (header included, obsolete `#~` entries marked)."""
    reader = _Reader()
    for raw in text.splitlines():
        reader.feed(raw)
    reader.finish()
    return reader.entries


def compile_mo(entries: list[Entry]) -> bytes:
    """GNU `.mo` bytes for the translated, non-obsolete entries (and the header), sorted by key."""
    pairs: dict[bytes, bytes] = {}
    for entry in entries:
        if entry.obsolete or (entry.msgid and not entry.translated):
            continue
        key = entry.msgid
        if entry.msgid_plural is not None:
            key += "\0" + entry.msgid_plural
        if entry.msgctxt is not None:
            key = entry.msgctxt + "\x04" + key
        value = "\0".join(entry.msgstr[i] for i in sorted(entry.msgstr))
        if not entry.msgid:
            # As msgfmt does: the extraction time is no part of the translation.
            value = "".join(line for line in value.splitlines(keepends=True) if not line.startswith("POT-"))
        pairs[key.encode()] = value.encode()
    keys = sorted(pairs)
    count = len(keys)
    header_size = 7 * 4
    originals_at = header_size
    translations_at = originals_at + count * 8
    data_at = translations_at + count * 8
    tables, data = [], b""
    for table in (keys, [pairs[k] for k in keys]):
        rows = []
        for item in table:
            rows.append((len(item), data_at + len(data)))
            data += item + b"\0"
        tables.append(rows)
    header = struct.pack("<7I", 0x950412DE, 0, count, originals_at, translations_at, 0, data_at)
    body = b"".join(struct.pack("<2I", *row) for rows in tables for row in rows)
    return header + body + data


def entries() -> list[Entry]:
    return parse_po(PO_PATH.read_text(encoding="utf-8"))


def untranslated() -> list[str]:
    """Portal entries without Spanish (or marked fuzzy)."""
    return [e.msgid for e in entries() if e.msgid and not e.obsolete and not e.translated]


def is_up_to_date() -> bool:
    return MO_PATH.exists() and MO_PATH.read_bytes() == compile_mo(entries())


def write_mo() -> None:
    MO_PATH.write_bytes(compile_mo(entries()))


def extract() -> str:
    """A fresh `.pot`-like catalogue of the portal's strings (needs GNU gettext's xgettext)."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        raise SystemExit("extracting needs GNU gettext (xgettext, msgmerge): apt-get install gettext")
    with tempfile.TemporaryDirectory(prefix="probity-messages-") as scratch:
        root = Path(scratch) / "probity"
        for source in SOURCES:
            origin = PACKAGE_DIR / source
            target = root / source
            if origin.is_dir():
                shutil.copytree(origin, target, ignore=shutil.ignore_patterns("__pycache__", "catalog.py"))
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, target)
        (root / "locale").mkdir()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "probity.settings"}
        subprocess.run(
            [sys.executable, "-m", "django", "makemessages", "-l", "es", "--no-obsolete", "--no-wrap"],
            cwd=root,
            env=env,
            check=True,
        )
        return (root / "locale" / "es" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")


def update() -> None:
    """Extract the portal's strings, merge them into the `.po` (keeping translations), compile."""
    fresh = extract()
    if not PO_PATH.exists():
        PO_PATH.parent.mkdir(parents=True, exist_ok=True)
        PO_PATH.write_text(fresh, encoding="utf-8")
        write_mo()
        return
    with tempfile.NamedTemporaryFile("w", suffix=".po", delete=False, encoding="utf-8") as pot:
        pot.write(fresh)
    try:
        subprocess.run(  # noqa: S603
            [  # noqa: S607  (gettext's msgmerge, from PATH)
                "msgmerge",
                "--quiet",
                "--no-wrap",
                "--update",
                "--backup=none",
                "--no-fuzzy-matching",
                str(PO_PATH),
                pot.name,
            ],
            check=True,
        )
    finally:
        Path(pot.name).unlink()
    write_mo()


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        update()
    elif command == "compile":
        write_mo()
    elif command == "check":
        missing = untranslated()
        for msgid in missing:
            print(f"no Spanish for: {msgid!r}", file=sys.stderr)
        if not is_up_to_date():
            print(
                f"{MO_PATH} is stale: run `python -m probity.intake.portal.catalog compile`", file=sys.stderr
            )
            return 1
        return 1 if missing else 0
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
