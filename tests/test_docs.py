"""The docs run and quote the source truthfully.

Every ```python block in README.md and docs/*.md is run: the blocks of one file in order,
in one namespace, as a reader would paste them. Two kinds of block are not run:

- a block whose first line is ``# not run`` (with a reason after it), used sparingly;
- a quote of the source: a block right after the line ``<!-- quoted from PATH -->``.
  Its lines must appear in PATH verbatim, in order and next to each other (leading
  indentation aside); a line ``...`` in the quote skips any number of source lines.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
QUOTE_MARK = re.compile(r"<!--\s*quoted from\s+(\S+)\s*-->")
FENCE = re.compile(r"^```python\s*\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)


def python_blocks(text):
    """(line number, code, the quoted source path or None) for each ```python block of ``text``."""
    blocks = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").splitlines()
        quote = QUOTE_MARK.fullmatch(before[-1].strip()) if before else None
        line = text.count("\n", 0, match.start()) + 1
        blocks.append((line, match.group(1), quote.group(1) if quote else None))
    return blocks


def stripped_lines(text):
    return [line.strip() for line in text.splitlines()]


def quote_is_in_source(quote, source):
    """True when the quote's lines (each segment between ``...`` lines) appear in order in ``source``."""
    lines, start = stripped_lines(source), 0
    segments, current = [], []
    for line in stripped_lines(quote):
        if line == "...":
            segments.append(current)
            current = []
        else:
            current.append(line)
    segments.append(current)
    for segment in segments:
        while segment and not segment[0]:
            segment = segment[1:]
        while segment and not segment[-1]:
            segment = segment[:-1]
        if not segment:
            continue
        for i in range(start, len(lines) - len(segment) + 1):
            if lines[i : i + len(segment)] == segment:
                start = i + len(segment)
                break
        else:
            return False
    return True


def test_the_docs_have_blocks_to_check():
    counts = {path.name: len(python_blocks(path.read_text())) for path in DOC_FILES}
    assert counts["README.md"] >= 2 and counts["how-backward-works.md"] >= 3, counts
    assert "writing-your-own-op.md" in counts and "architecture.md" in counts


@pytest.mark.parametrize("path", DOC_FILES, ids=[p.name for p in DOC_FILES])
def test_every_python_block_runs(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # blocks that save files write here
    namespace = {"__name__": f"doc_{path.stem}"}
    for line, code, quoted in python_blocks(path.read_text()):
        if quoted or code.startswith("# not run"):
            continue
        try:
            exec(compile(code, f"{path.name}, block at line {line}", "exec"), namespace)
        except Exception as error:
            raise AssertionError(f"{path.name}: the block at line {line} fails: {error!r}") from error


QUOTES = [
    (path, line, code, quoted) for path in DOC_FILES for line, code, quoted in python_blocks(path.read_text()) if quoted
]


def test_there_are_quotes_to_check():
    assert len(QUOTES) >= 4


@pytest.mark.parametrize("path,line,code,source", QUOTES, ids=[f"{q[0].name}:{q[1]}" for q in QUOTES])
def test_every_quote_matches_its_source(path, line, code, source):
    file = ROOT / source
    assert file.is_file(), f"{path.name} line {line} quotes {source}, which does not exist"
    assert quote_is_in_source(code, file.read_text()), (
        f"{path.name}, the block at line {line}, is not in {source} as quoted: update the quote"
    )


def test_the_quote_checker_catches_a_changed_line():
    source = "class A:\n    def f(self):\n        return 1\n\n    def g(self):\n        return 2\n"
    assert quote_is_in_source("def f(self):\n    return 1", source)
    assert quote_is_in_source("class A:\n...\ndef g(self):\n    return 2", source)
    assert not quote_is_in_source("def f(self):\n    return 2", source)
    assert not quote_is_in_source("def g(self):\n...\ndef f(self):", source)  # order matters


def test_no_install_command_names_the_package_index():
    """``pip install minigrad`` from the index gets an unrelated project; install from the checkout."""
    bad = re.compile(r"pip install\s+[\"']?minigrad\b")
    offenders = []
    for folder in ("", "docs", "examples", "benchmarks"):
        for file in sorted((ROOT / folder).glob("*")):
            if file.suffix in {".md", ".py", ".ipynb", ".txt", ".cfg", ".toml"} and file.is_file():
                for number, text in enumerate(file.read_text().splitlines(), 1):
                    if bad.search(text):
                        offenders.append(f"{file.relative_to(ROOT)}:{number}: {text.strip()}")
    assert not offenders, offenders


def test_architecture_lists_every_file_of_the_package():
    text = (ROOT / "docs" / "architecture.md").read_text()
    sections = {"": text.split("`minigrad/ops/`")[0]}
    for folder in ("ops", "nn", "optim", "data"):
        sections[folder] = text.split(f"`minigrad/{folder}/`", 1)[1].split("\n\n`minigrad/", 1)[0].split("## ", 1)[0]
    missing = []
    for folder, section in sections.items():
        for file in sorted((ROOT / "minigrad" / folder).glob("*.py")):
            if f"- `{file.name}`:" not in section:
                missing.append(f"minigrad/{folder}/{file.name}".replace("//", "/"))
    assert not missing, f"docs/architecture.md does not list: {missing}"


def test_each_page_of_the_learning_path_links_to_the_next():
    readme = (ROOT / "README.md").read_text()
    assert "## Learning path" in readme
    path = readme.split("## Learning path", 1)[1].split("\n## ", 1)[0]
    order = [
        "docs/cross-entropy.md",
        "examples/cross_entropy_basics.py",
        "docs/how-backward-works.md",
        "examples/backprop_by_hand.py",
        "minigrad/autograd.py",
        "docs/writing-your-own-op.md",
    ]
    positions = [path.find(name) for name in order]
    assert -1 not in positions and positions == sorted(positions), dict(zip(order, positions))
    links = {
        "docs/cross-entropy.md": "how-backward-works.md",
        "docs/how-backward-works.md": "writing-your-own-op.md",
        "docs/writing-your-own-op.md": "architecture.md",
    }
    for page, target in links.items():
        assert target in (ROOT / page).read_text(), f"{page} does not link to {target}"
