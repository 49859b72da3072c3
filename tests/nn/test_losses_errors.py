"""Bad calls to the losses fail at the call, with a message that names what was given and
what was expected (API.md: the bad label and the class count; both shapes)."""

import re

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

LOGITS = mg.tensor(np.zeros((4, 3)))
SPATIAL = mg.tensor(np.zeros((2, 3, 2, 2)))
SINGLE = mg.tensor(np.zeros(3))


def shape_pattern(*shapes):
    """A regex that finds every shape, in order, e.g. '\\(3,\\).*\\(4, 3\\)'."""
    return ".*".join(re.escape(str(tuple(s))) for s in shapes)


# --- labels out of range: IndexError naming the label and the class count ----------------------


@pytest.mark.parametrize("loss", [F.cross_entropy, F.nll_loss], ids=["cross_entropy", "nll_loss"])
@pytest.mark.parametrize(
    "input, target, bad",
    [
        (LOGITS, [0, 1, 5, 2], 5),
        (LOGITS, [0, 1, -1, 2], -1),  # negative, and not the ignore_index
        (LOGITS, [0, 3, 1, 2], 3),  # C itself is one too many
        (SPATIAL, np.array([[[0, 1], [2, 7]], [[0, 0], [0, 0]]]), 7),
        (SINGLE, np.array(4), 4),
    ],
)
def test_label_out_of_range_names_the_label_and_the_class_count(loss, input, target, bad):
    with pytest.raises(IndexError, match=rf"label {bad} .*3 classes"):
        loss(input, target)


def test_a_label_equal_to_a_custom_ignore_index_is_not_out_of_range():
    assert F.cross_entropy(LOGITS, [0, 7, 1, 2], ignore_index=7).item() == pytest.approx(np.log(3))
    with pytest.raises(IndexError, match=r"label -100 .*3 classes"):  # -100 is only ignored by default
        F.cross_entropy(LOGITS, [0, -100, 1, 2], ignore_index=7)


# --- targets that do not fit: ValueError naming both shapes -------------------------------------


@pytest.mark.parametrize("loss", [F.cross_entropy, F.nll_loss], ids=["cross_entropy", "nll_loss"])
@pytest.mark.parametrize(
    "input, target",
    [
        (LOGITS, np.zeros(3, dtype=np.int64)),  # N = 3 labels for 4 rows
        (LOGITS, np.zeros((4, 1), dtype=np.int64)),
        (SPATIAL, np.zeros((2, 2), dtype=np.int64)),  # (N, d1) for (N, C, d1, d2)
        (SPATIAL, np.zeros((2, 2, 3), dtype=np.int64)),
        (SINGLE, np.zeros(1, dtype=np.int64)),  # a (C,) input takes one 0-d label
    ],
)
def test_class_index_target_of_the_wrong_shape_names_both_shapes(loss, input, target):
    with pytest.raises(ValueError, match=shape_pattern(target.shape, input.shape)):
        loss(input, target)


@pytest.mark.parametrize(
    "input, target",
    [
        (LOGITS, np.zeros((4, 2))),
        (LOGITS, np.zeros(4)),  # float labels are not class indices
        (LOGITS, np.zeros((3, 3))),
        (SPATIAL, np.zeros((2, 3, 2))),
        (SINGLE, np.zeros((1, 3))),
    ],
)
def test_float_target_of_the_wrong_shape_names_both_shapes(input, target):
    with pytest.raises(ValueError, match=shape_pattern(target.shape, input.shape)):
        F.cross_entropy(input, target)
    with pytest.raises(ValueError, match=shape_pattern(target.shape, input.shape)):
        F.cross_entropy(input, mg.tensor(target, requires_grad=True))


@pytest.mark.parametrize("loss", [F.binary_cross_entropy_with_logits, F.binary_cross_entropy, F.mse_loss])
def test_elementwise_losses_need_a_target_of_the_input_shape(loss):
    probs = mg.tensor(np.full((4, 3), 0.5))
    with pytest.raises(ValueError, match=shape_pattern((4, 1), (4, 3))):  # would broadcast, still refused
        loss(probs, np.zeros((4, 1)))
    with pytest.raises(ValueError, match=shape_pattern((3, 4), (4, 3))):
        loss(probs, np.zeros((3, 4)))


def test_nll_loss_needs_integer_targets():
    with pytest.raises(ValueError, match="integer class indices.*float64"):
        F.nll_loss(LOGITS, np.zeros(4))


def test_bool_target_is_neither_indices_nor_probabilities():
    with pytest.raises(ValueError, match="bool"):
        F.cross_entropy(LOGITS, np.array([True, False, True, True]))
    with pytest.raises(ValueError, match="bool"):
        F.cross_entropy(LOGITS, mg.tensor(np.ones((4, 3), dtype=bool)))


def test_ignore_index_is_refused_with_probability_targets():
    with pytest.raises(ValueError, match=r"ignore_index=0 .*class-index targets"):
        F.cross_entropy(LOGITS, np.full((4, 3), 1 / 3), ignore_index=0)
    # a negative ignore_index (the default -100 and others) is fine, like PyTorch
    assert F.cross_entropy(LOGITS, np.full((4, 3), 1 / 3), ignore_index=-1).item() == pytest.approx(np.log(3))


def test_zero_dimensional_logits_have_no_class_axis():
    with pytest.raises(ValueError, match="class axis"):
        F.cross_entropy(mg.tensor(1.0), np.array(0))
    with pytest.raises(ValueError, match="class axis"):
        F.nll_loss(mg.tensor(1.0), np.array(0))


# --- weights, smoothing, reductions ---------------------------------------------------------------


@pytest.mark.parametrize("loss", [F.cross_entropy, F.nll_loss], ids=["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("weight", [[1.0, 2.0], [1.0, 2.0, 3.0, 4.0], np.ones((3, 1))])
def test_weight_of_the_wrong_length_names_the_expected_and_given_shapes(loss, weight):
    with pytest.raises(ValueError, match=shape_pattern((3,), np.shape(weight))):
        loss(LOGITS, [0, 1, 2, 1], weight=weight)


def test_weight_of_the_wrong_length_with_probability_targets():
    with pytest.raises(ValueError, match=shape_pattern((3,), (2,))):
        F.cross_entropy(LOGITS, np.full((4, 3), 1 / 3), weight=[1.0, 2.0])


@pytest.mark.parametrize(
    "name, options",
    [
        ("pos_weight", dict(pos_weight=[1.0, 2.0])),
        ("weight", dict(weight=np.ones((3, 3)))),
        ("weight", dict(weight=np.ones((2, 4, 3)))),  # broadcasts, but to a bigger shape than the input's
    ],
)
def test_bce_with_logits_weights_must_broadcast_to_the_input(name, options):
    with pytest.raises(ValueError, match=rf"{name} of shape .*{shape_pattern((4, 3))}"):
        F.binary_cross_entropy_with_logits(LOGITS, np.zeros((4, 3)), **options)


def test_bce_weight_must_broadcast_to_the_input():
    with pytest.raises(ValueError, match=rf"weight of shape \(3,\).*{shape_pattern((2,))}"):
        F.binary_cross_entropy(mg.tensor([0.5, 0.5]), [0.0, 1.0], weight=[1.0, 2.0, 3.0])


@pytest.mark.parametrize("label_smoothing", [-0.1, 1.5, float("nan")])
@pytest.mark.parametrize("target", [[0, 1, 2, 1], np.full((4, 3), 1 / 3)], ids=["indices", "probabilities"])
def test_label_smoothing_outside_zero_one(label_smoothing, target):
    with pytest.raises(ValueError, match=rf"label_smoothing must be in \[0, 1\], got {label_smoothing}"):
        F.cross_entropy(LOGITS, target, label_smoothing=label_smoothing)


@pytest.mark.parametrize(
    "call",
    [
        lambda r: F.cross_entropy(LOGITS, [0, 1, 2, 1], reduction=r),
        lambda r: F.cross_entropy(LOGITS, np.full((4, 3), 1 / 3), reduction=r),
        lambda r: F.nll_loss(LOGITS, [0, 1, 2, 1], reduction=r),
        lambda r: F.binary_cross_entropy_with_logits(LOGITS, np.zeros((4, 3)), reduction=r),
        lambda r: F.binary_cross_entropy(mg.tensor([0.5]), [1.0], reduction=r),
        lambda r: F.mse_loss(LOGITS, np.zeros((4, 3)), reduction=r),
    ],
    ids=["ce-indices", "ce-probabilities", "nll", "bce-logits", "bce", "mse"],
)
@pytest.mark.parametrize("reduction", ["avg", "MEAN", None])
def test_unknown_reduction_names_the_choices(call, reduction):
    with pytest.raises(ValueError, match=rf"'mean', 'sum', 'none'.*got {re.escape(repr(reduction))}"):
        call(reduction)


# --- binary cross-entropy takes probabilities -----------------------------------------------------


@pytest.mark.parametrize("bad", [1.5, -0.2, float("nan")])
def test_bce_probabilities_outside_zero_one_name_the_value(bad):
    with pytest.raises(ValueError, match=rf"probabilities in \[0, 1\], got {bad}.*with_logits"):
        F.binary_cross_entropy(mg.tensor([0.5, bad]), [0.0, 1.0])


def test_bce_accepts_the_ends_of_the_range():
    assert F.binary_cross_entropy(mg.tensor([0.0, 1.0]), [0.0, 1.0]).item() == 0.0


# --- the wrong dtypes: float class labels, integer logits -----------------------------------------


@pytest.mark.parametrize(
    "input, labels",
    [(LOGITS, np.array([0.0, 2.0, 1.0, 1.0])), (SPATIAL, np.zeros((2, 2, 2), np.float32))],
    ids=["NC", "NCd"],
)
@pytest.mark.parametrize("wrap", [np.asarray, mg.tensor, lambda a: a.tolist()], ids=["array", "tensor", "list"])
def test_float_class_labels_name_the_dtype_and_ask_for_int64(input, labels, wrap):
    dtype = str(labels.dtype) if wrap in (np.asarray, mg.tensor) else "float64"  # a list of floats is float64
    with pytest.raises(ValueError) as error:
        F.cross_entropy(input, wrap(labels))
    message = str(error.value)
    assert re.search(r"expected integer class indices \(int64\)", message), message
    assert f"got dtype {dtype}" in message and "astype(np.int64)" in message
    assert re.search(shape_pattern(labels.shape, input.shape), message), message
    with pytest.raises(ValueError, match=r"integer class indices \(int64\)"):  # even with an ignore_index
        F.cross_entropy(input, wrap(labels), ignore_index=0)


def test_a_float_target_of_another_shape_names_the_dtype_and_both_expected_shapes():
    with pytest.raises(ValueError) as error:
        F.cross_entropy(LOGITS, np.zeros((4, 2), np.float32))
    message = str(error.value)
    assert "dtype float32" in message and "int64" in message
    assert re.search(shape_pattern((4, 2), (4, 3)) + r".*\(4,\)", message), message


@pytest.mark.parametrize("dtype", [np.int64, np.int32, bool])
@pytest.mark.parametrize("wrap", [mg.tensor, np.asarray], ids=["tensor", "array"])
def test_integer_logits_are_a_type_error_naming_the_dtype(dtype, wrap):
    logits = wrap(np.zeros((4, 3), dtype=dtype))
    with pytest.raises(TypeError, match=rf"floating-point logits, got input of dtype {np.dtype(dtype)} .*\(4, 3\)"):
        F.cross_entropy(logits, np.array([0, 1, 2, 1]))
