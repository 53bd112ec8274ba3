"""The interface speaks Simplified Chinese first: every string is translated, the compiled
catalogue matches its source, and a page greets an English browser in Chinese."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

import salesdesk

PO_PATH = Path(salesdesk.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# %(name)s / %(n)d, bare %s / %d, and {{ name }} as written by blocktranslate.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\{\s*[\w.]+\s*\}\}")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def _unquote(text: str) -> str:
    # A .po string is a C string in double quotes; Python's literal rules read it the same way.
    return ast.literal_eval(text)


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader: enough for what makemessages writes (polib is not a dependency)."""
    entries: list[Entry] = []
    current: Entry | None = None
    flags: set[str] = set()
    target: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            flags = set()
            continue
        if line.startswith("#~"):  # obsolete entry: not used at run time
            continue
        if line.startswith("#,"):
            finish()
            flags = {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            assert current is not None and target is not None, f"{path}:{number}: stray string"
            name, index = target
        elif keyword in {"msgctxt", "msgid"} and (current is None or current.msgstr):
            finish()
            current = Entry(flags=flags, line=number)
            flags = set()
            name, index, line = keyword, None, rest
        elif keyword.startswith("msgstr["):
            name, index, line = "msgstr", int(keyword[7:-1]), rest
        elif keyword in {"msgctxt", "msgid", "msgid_plural", "msgstr"}:
            name, index, line = keyword, (0 if keyword == "msgstr" else None), rest
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
        assert current is not None
        target = (name, index)
        text = _unquote(line)
        if name == "msgstr":
            current.msgstr[index] = current.msgstr.get(index, "") + text
        elif name == "msgid_plural":
            current.msgid_plural = (current.msgid_plural or "") + text
        elif name == "msgctxt":
            current.msgctxt = (current.msgctxt or "") + text
        else:
            current.msgid += text
    finish()
    return entries


@pytest.fixture(scope="module")
def header_and_entries() -> tuple[Entry, list[Entry]]:
    parsed = parse_po(PO_PATH)
    assert parsed and parsed[0].msgid == "", "the .po must start with its header entry"
    return parsed[0], parsed[1:]


@pytest.fixture(scope="module")
def entries(header_and_entries) -> list[Entry]:
    return header_and_entries[1]


def where(entry: Entry) -> str:
    return f"{PO_PATH.name}:{entry.line} {entry.msgid!r}"


def test_the_catalogue_is_read_whole(entries):
    assert len(entries) > 400
    assert len({(e.msgctxt, e.msgid) for e in entries}) == len(entries), "duplicate msgids"


def test_the_header_declares_chinese_with_one_plural_form(header_and_entries):
    header, _ = header_and_entries
    meta = header.msgstr[0]
    assert "fuzzy" not in header.flags
    assert "Content-Type: text/plain; charset=UTF-8" in meta
    assert "Plural-Forms: nplurals=1; plural=0;" in meta


def test_every_entry_is_translated_and_none_is_fuzzy(entries):
    untranslated = [
        where(e) for e in entries if not e.msgstr or not all(s.strip() for s in e.msgstr.values())
    ]
    fuzzy = [where(e) for e in entries if "fuzzy" in e.flags]
    assert not untranslated, "untranslated:\n" + "\n".join(untranslated)
    assert not fuzzy, "fuzzy:\n" + "\n".join(fuzzy)


def test_plural_entries_have_the_one_chinese_form(entries):
    plural = [e for e in entries if e.msgid_plural is not None]
    assert plural, "the catalogue has plural entries"
    assert all(set(e.msgstr) == {0} for e in plural), [where(e) for e in plural if set(e.msgstr) != {0}]


def test_english_left_in_a_translation_is_only_a_name_or_a_technical_term(entries):
    # A translation is Chinese; Latin letters are allowed for codes and names (GS00, Excel,
    # Idempotency-Key, Tab), never as a whole untranslated sentence.
    han = re.compile(r"[\u4e00-\u9fff]")
    english = [where(e) for e in entries for s in e.msgstr.values() if not han.search(s)]
    assert not english, "\n".join(english)


def test_placeholders_in_each_translation_match_its_msgid(entries):
    wrong = []
    for e in entries:
        wanted = set(PLACEHOLDER.findall(e.msgid))
        if e.msgid_plural is not None:
            wanted |= set(PLACEHOLDER.findall(e.msgid_plural))
        for text in e.msgstr.values():
            found = set(PLACEHOLDER.findall(text))
            if found != wanted:
                wrong.append(f"{where(e)}: msgid has {sorted(wanted)}, msgstr has {sorted(found)}")
    assert not wrong, "\n".join(wrong)


def test_python_format_translations_format_without_error(entries):
    for e in entries:
        if "python-format" not in e.flags:
            continue
        names = set(re.findall(r"%\((\w+)\)", e.msgid + (e.msgid_plural or "")))
        values = dict.fromkeys(names, 1)
        for text in e.msgstr.values():
            text % values if names else text % ()  # raises on a stray or broken %


# The names under which makemessages (xgettext) finds strings in Python code.
EXTRACTED_NAMES = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}


def strings_wrapped_under_other_names() -> list[tuple[str, int, str]]:
    """Literal strings passed to a gettext function imported under a name makemessages does not
    know (e.g. ``gettext_lazy as _lazy``): makemessages drops them, so they must be kept by hand."""
    package = Path(salesdesk.__file__).parent
    found = []
    for path in sorted(package.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {
            name.asname: name.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
            for name in node.names
            if name.asname and name.asname not in EXTRACTED_NAMES
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in aliases:
                first = node.args[1 if aliases[node.func.id].startswith(("pgettext", "npgettext")) else 0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.append((str(path.relative_to(package)), node.lineno, first.value))
    return found


def test_strings_makemessages_cannot_see_are_still_in_the_catalogue(entries):
    # `_lazy("…")` is translated at run time but not extracted; a plain makemessages run would
    # silently turn these entries obsolete and the screens back to English.
    msgids = {e.msgid for e in entries}
    lost = [
        f"{path}:{line} {text!r}"
        for path, line, text in strings_wrapped_under_other_names()
        if text not in msgids
    ]
    assert not lost, "add these to django.po (makemessages does not extract them):\n" + "\n".join(lost)


def translate(entry: Entry, n: int = 1) -> str:
    if entry.msgid_plural is not None:
        if entry.msgctxt is not None:
            return translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
        return translation.ngettext(entry.msgid, entry.msgid_plural, n)
    if entry.msgctxt is not None:
        return translation.pgettext(entry.msgctxt, entry.msgid)
    return translation.gettext(entry.msgid)


def test_the_compiled_catalogue_agrees_with_the_po(entries):
    assert MO_PATH.exists(), "run compilemessages and commit django.mo"
    stale = []
    with translation.override("zh-hans"):
        for e in entries:
            for n in (1, 5) if e.msgid_plural is not None else (1,):
                got = translate(e, n)
                if got != e.msgstr[0]:
                    stale.append(f"{where(e)}: .mo gives {got!r}, .po says {e.msgstr[0]!r}")
    assert not stale, "django.mo is out of date; run compilemessages:\n" + "\n".join(stale)


@pytest.mark.django_db
def test_the_login_page_is_chinese_even_for_an_english_browser_until_english_is_chosen(client):
    login = reverse("login")

    page = client.get(login, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="zh-hans"' in html
    assert "登录" in html
    assert "Log in" not in html

    chosen = client.post(reverse("set_language"), {"language": "en", "next": login})
    assert chosen.status_code == 302

    page = client.get(login, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    html = page.content.decode()
    assert '<html lang="en"' in html
    assert "Log in" in html
    assert "登录" not in html
