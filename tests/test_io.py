"""save / load: readable JSON, exact round trips, clear errors for what cannot be saved or read."""
import json

import numpy as np
import pytest

from autograd.nn import ACTIVATIONS, MLP, load, predict, save

X = np.random.default_rng(7).normal(size=(25, 2))


@pytest.mark.parametrize("activation", [name for name in ACTIVATIONS if name != "maxout"])
def test_round_trip_for_every_activation(tmp_path, activation):
    model = MLP(2, [3, 2], activation=activation, output="identity", bias_init="normal", seed=3)
    again = load(model.save(tmp_path / "net.json"))
    assert [ACTIVATIONS[activation]] * 3 == [unit.activation for unit in again.layers[0].neurons]
    assert np.array_equal(predict(again, X, mode="eager"), predict(model, X, mode="eager"))  # bit for bit


def test_round_trip_of_maxout_dropout_and_softmax(tmp_path):
    model = MLP(2, [4, 4, 3], activation="maxout", pieces=3, output="softmax", dropout=0.25, seed=1)
    path = save(model, tmp_path / "net.json")
    again = load(path)
    assert str(again) == str(model) and again.output == "softmax"
    assert [d.p for d in again.dropouts] == [0.25, 0.25]
    for a, b in zip(again.get_weights()[0], model.get_weights()[0]):
        assert a.shape == b.shape and np.array_equal(a, b)
    assert np.array_equal(predict(again, X, mode="eager"), predict(model, X, mode="eager"))


def test_the_file_is_readable_json_with_a_format_version(tmp_path):
    model = MLP(2, [2, 1], activation="sigmoid", seed=0)
    text = save(model, tmp_path / "net.json").read_text()
    document = json.loads(text)
    assert document["format"] == "chainrule.mlp" and document["version"] == 1
    assert document["architecture"] == {"nin": 2, "sizes": [2, 1], "activations": ["sigmoid", "sigmoid"],
                                        "output": None, "dropout": [0.0], "pieces": None}
    W1 = model.get_weights()[0][0]
    assert f"[{float(W1[0, 0])!r}, {float(W1[0, 1])!r}]" in text  # a matrix row per line, each number as Python's repr


def test_a_custom_activation_is_named_in_the_error_or_saved_by_its_registered_name(tmp_path):
    def swish(v):
        return v * v.sigmoid()

    model = MLP(2, [2, 1], activation=swish, output="sigmoid", seed=0)
    with pytest.raises(ValueError, match=r"activation swish is a custom function.*ACTIVATIONS\['swish'\] = swish"):
        save(model, tmp_path / "net.json")
    assert not (tmp_path / "net.json").exists()
    ACTIVATIONS["swish"] = swish
    try:
        again = load(save(model, tmp_path / "net.json"))
        assert np.array_equal(predict(again, X, mode="eager"), predict(model, X, mode="eager"))
    finally:
        del ACTIVATIONS["swish"]


def test_nan_weights_are_refused(tmp_path):
    model = MLP(2, [2, 1], seed=0)
    model.layers[0].neurons[1].w[0].data = float("nan")
    with pytest.raises(ValueError, match="layer1's weights: it holds nan"):
        save(model, tmp_path / "net.json")


def _broken(tmp_path, change):
    model = MLP(2, [3, 1], seed=0)
    path = save(model, tmp_path / "net.json")
    path.write_text(change(path.read_text()))
    return path


@pytest.mark.parametrize("change, problem", [
    (lambda text: text[:len(text) // 2], r"not valid JSON at line \d+, column \d+: .*truncated"),
    (lambda text: "not json", "not valid JSON at line 1, column 1"),
    (lambda text: text.replace('"version": 1', '"version": 2'), "format version 2 is not supported"),
    (lambda text: text.replace("chainrule.mlp", "keras"), "not a chainrule model file"),
    (lambda text: text.replace('"sizes": [3, 1]', '"sizes": [4, 1]'), r"layers\[0\].W has shape \(2, 3\), expected \(2, 4\)"),
    (lambda text: text.replace('"sigmoid"', '"softplus"', 1), "unknown activation 'softplus'"),
    (lambda text: text.replace('"b": [0.0, 0.0, 0.0]', '"b": [0.0, NaN, 0.0]'), "NaN, which is not a number"),
    (lambda text: text.replace('"nin": 2,', ""), "architecture has no 'nin'"),
])
def test_a_broken_file_is_a_value_error_naming_file_and_problem(tmp_path, change, problem):
    path = _broken(tmp_path, change)
    with pytest.raises(ValueError, match=problem) as error:
        load(path)
    assert str(error.value).startswith(f"{path}: ")


def test_a_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nothing.json")
