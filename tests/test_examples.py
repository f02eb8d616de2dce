"""The main job, ``python -m rustorch.examples.train_digits``, for one and two epochs."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import rustorch
from rustorch.examples import train_digits


def _run_example(*args, cwd=None):
    # rustorch importable from any working directory, installed or not
    root = str(Path(rustorch.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "rustorch.examples.train_digits", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=120)


def test_one_epoch_trains_and_saves_a_checkpoint_torch_reads(tmp_path, capsys):
    path = tmp_path / "digits.pt"
    accuracy = train_digits.main(["--epochs", "1", "--save", str(path), "--quiet"])
    assert accuracy > 0.8  # one epoch from scratch; 20 epochs reach 0.97 and more
    assert "test accuracy" in capsys.readouterr().out

    # torch's own loader (weights_only=True) reads the file, and torch's copy of the model predicts as ours did
    state = torch.load(path)
    model = train_digits.make_model(torch)
    model.load_state_dict(state, strict=True)
    _, _, x_test, y_test = train_digits.load_digits_split()
    with torch.no_grad():
        predicted = model(torch.from_numpy(x_test)).argmax(dim=1).numpy()
    assert float((predicted == y_test).mean()) == pytest.approx(accuracy, abs=1 / 360)


def test_compare_torch_trains_the_same_model_on_the_same_batches(capsys):
    train_digits.main(["--epochs", "2", "--save", "", "--quiet", "--compare-torch"])
    out = capsys.readouterr().out
    accuracies = [float(line.split("test accuracy")[1].split()[0]) for line in out.splitlines()
                  if "test accuracy" in line]
    assert len(accuracies) == 2
    # the same start, batches and schedule: float rounding is the only difference between the two runs
    assert abs(accuracies[0] - accuracies[1]) <= 3 / 360
    assert "wall time rustorch / torch:" in out


def test_command_line_shows_progress_and_rejects_bad_options(tmp_path):
    run = _run_example("--epochs", "1", "--save", "", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "epoch 1/1" in run.stdout and "it/s" in run.stdout  # the tqdm bar and the epoch line
    assert not list(tmp_path.iterdir())  # --save '' writes nothing
    bad = _run_example("--epochs", "0")
    assert bad.returncode == 2 and "--epochs" in bad.stderr


def test_digits_split_is_fixed_and_stratified():
    x_train, y_train, x_test, y_test = train_digits.load_digits_split()
    assert x_train.shape == (1437, 1, 8, 8) and x_test.shape == (360, 1, 8, 8)
    assert x_train.dtype == np.float32 and 0 <= x_train.min() and x_train.max() <= 1
    assert np.array_equal(y_test, train_digits.load_digits_split()[3])
    assert np.bincount(y_test).min() >= 35  # every digit is in the test set
