"""examples/walkthrough.ipynb: every code cell runs in order in one namespace (no Jupyter needed),
and the saved outputs of the first two cells (H(P, Q) = 0.7803 and its gradient Q - P = (0.2, -0.2))
are what the cells print when run again."""

import contextlib
import io
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "examples" / "walkthrough.ipynb"


def load_notebook():
    with open(NOTEBOOK, encoding="utf-8") as f:
        return json.load(f)


def code_cells(notebook):
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def saved_stdout(cell):
    return "".join(
        "".join(output["text"])
        for output in cell["outputs"]
        if output["output_type"] == "stream" and output["name"] == "stdout"
    )


def run_cells(cells):
    """Run each cell's source in one shared namespace; return what each printed."""
    namespace = {"__name__": "__main__"}
    printed = []
    for number, cell in enumerate(cells, start=1):
        captured = io.StringIO()
        with contextlib.redirect_stdout(captured):
            exec(compile("".join(cell["source"]), f"<walkthrough cell {number}>", "exec"), namespace)
        printed.append(captured.getvalue())
    return printed


@pytest.fixture(scope="module")
def notebook_run():
    notebook = load_notebook()
    cells = code_cells(notebook)
    return notebook, cells, run_cells(cells)


def numbers_after(label, text):
    line = next(line for line in text.splitlines() if line.startswith(label))
    return [float(x) for x in re.findall(r"-?\d+\.\d+(?:e-?\d+)?|-?\d+", line.split("=", 1)[1])]


def test_notebook_is_nbformat_4_with_saved_outputs_in_execution_order():
    notebook = load_notebook()
    assert notebook["nbformat"] == 4
    cells = code_cells(notebook)
    assert len(cells) >= 5
    assert [cell["execution_count"] for cell in cells] == list(range(1, len(cells) + 1))
    for cell in cells:
        assert saved_stdout(cell), "every code cell has its printed output saved in the file"


def test_markdown_links_to_the_docs_it_names():
    notebook = load_notebook()
    markdown = "".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown")
    for page in ("cross-entropy.md", "how-backward-works.md"):
        assert f"(../docs/{page})" in markdown
        assert (ROOT / "docs" / page).is_file()


def test_worked_example_value_is_saved_and_reproduced(notebook_run):
    _, cells, printed = notebook_run
    saved, fresh = saved_stdout(cells[0]), printed[0]
    # by hand and by mg.metrics.cross_entropy: -(0.5 ln 0.7 + 0.5 ln 0.3) = 0.7803 nats
    assert saved.count("= 0.7803 nats") == 2
    assert saved == fresh


def test_gradient_q_minus_p_is_saved_and_reproduced(notebook_run):
    _, cells, printed = notebook_run
    saved, fresh = saved_stdout(cells[1]), printed[1]
    for text in (saved, fresh):
        assert numbers_after("logits z = log Q", text) == [-0.3567, -1.204]  # (ln 0.7, ln 0.3)
        assert numbers_after("softmax(z)", text) == [0.7, 0.3]
        assert numbers_after("F.cross_entropy(z, P)", text) == [0.7803]
        assert numbers_after("dH/dz", text) == [0.2, -0.2]  # Q - P
    assert saved == fresh


def test_training_trace_and_graph_cells_print_what_they_describe(notebook_run):
    _, cells, printed = notebook_run
    training, trace, graph = printed[2], printed[3], printed[4]
    assert re.search(r"epoch 1: loss \d\.\d{4}, accuracy", training)
    final_accuracy = float(re.findall(r"accuracy (\d\.\d+)", training)[-1])
    assert final_accuracy > 0.8  # two moons with noise 0.1; a line gets about 0.86
    assert "backward trace" in trace
    for name in ("0.weight", "0.bias", "2.weight", "2.bias"):
        assert f"leaf {name}" in trace
    assert graph.startswith("digraph") and "CrossEntropyWithIndices" in graph and "0.weight" in graph
