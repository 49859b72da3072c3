"""trace(model=...) names leaves by parameter name and shows small gradients' values;
to_dot(show_values=True) writes each small node's data and gradient, like micrograd's pictures."""

import minigrad as mg


def test_trace_names_leaves_from_the_model_and_shows_small_values():
    model = mg.nn.Linear(2, 1)
    with mg.autograd.trace(model=model) as t:
        model(mg.tensor([[1.0, 2.0]])).sum().backward()
    assert [leaf.name for leaf in t.leaves] == ["weight", "bias"]
    text = str(t)
    assert "leaf weight; = [1, 2]" in text  # d sum(x @ wᵀ + b) / dw = x
    assert "bias    (1,)         1  [1]" in text


def test_to_dot_show_values_writes_data_and_gradients_of_small_nodes():
    x = mg.tensor([1.0, -2.0], requires_grad=True)
    w = mg.tensor([0.5, 3.0], requires_grad=True)
    loss = (x * w).relu().sum()  # x*w = [0.5, -6]: relu passes the first only
    dot = mg.viz.to_dot(loss, show_values=True, names={"x": x, "w": w})
    assert "Mul\\n(2,) float32\\ndata [0.5, -6]\\ngrad [1, 0]" in dot
    assert "x\\n(2,) float32\\ndata [1, -2]\\nrequires_grad\\ngrad [0.5, 0]" in dot
    assert x.grad is None  # the gradients shown come from a traced backward that leaves .grad alone
    big = mg.tensor([1.0] * 5, requires_grad=True)
    assert "data [" not in mg.viz.to_dot((big * 2).sum(), show_values=True).split("Mul")[1].split("];")[0]
