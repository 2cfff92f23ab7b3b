"""Checks on the frontend's files themselves (no browser needed): no code path can turn text
into markup or code, nothing is loaded from elsewhere. (The size budget, counted as a phone
downloads the files, is in tests/test_static_files.py.)"""

import re
from pathlib import Path

FRONTEND = Path(__file__).resolve().parent.parent.parent / "frontend"

# innerHTML and friends parse markup; eval and friends run strings as code (and the CSP would
# refuse them anyway). `lib/dom.js` names the HTML ones only to refuse them.
DANGEROUS = re.compile(
    r"\.(innerHTML|outerHTML)\s*[+]?=|insertAdjacentHTML\(|document\.write|\beval\(|new Function\(|"
    r"setTimeout\(\s*['\"`]|\.setAttribute\(\s*['\"]on|\.setAttribute\(\s*['\"]style"
)

EXTERNAL = re.compile(r"""(src|href|import|url)\s*[=(]?\s*['"(]\s*(https?:)?//""")


def sources(*suffixes: str) -> list[Path]:
    return sorted(p for p in FRONTEND.rglob("*") if p.suffix in suffixes)


def test_no_markup_or_code_from_strings() -> None:
    found = [
        f"{path.relative_to(FRONTEND)}:{number}: {line.strip()}"
        for path in sources(".js")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if DANGEROUS.search(line)
    ]
    assert not found, "\n".join(found)


def test_nothing_loaded_from_elsewhere() -> None:
    for path in sources(".js", ".css", ".html"):
        text = path.read_text()
        assert not EXTERNAL.search(text), f"{path}: loads something from another site"
        assert "style=" not in text, f"{path}: inline style (the CSP refuses it)"
    index = (FRONTEND / "index.html").read_text()
    assert len(re.findall(r"<script\b", index)) == 1
    assert '<script type="module" src="/static/app.js"></script>' in index


def test_the_service_worker_keeps_every_module_for_offline_use() -> None:
    text = (FRONTEND / "sw.js").read_text()
    found = re.search(r"MODULES = `([^`]*)`", text)
    assert found, "sw.js lists the modules to keep in MODULES"
    on_disk = {
        str(path.relative_to(FRONTEND).with_suffix(""))
        for path in sources(".js")
        if path.name != "sw.js"
    }
    assert set(found.group(1).split()) == on_disk
