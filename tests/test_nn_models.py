"""Whole models defined once for both libraries: state_dict keys and shapes equal torch's, and a torch state_dict
loads with strict=True and reproduces torch's outputs and gradients."""
import numpy as np
import pytest
import torch

import rustorch
from conftest import check_module


def small_cnn(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Dropout(0.0), nn.Linear(16, 10), nn.LogSoftmax(dim=1),
    )


def lstm_tagger(lib):
    nn = lib.nn

    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(20, 8, padding_idx=0)
            self.lstm = nn.LSTM(8, 12, num_layers=2, batch_first=True, bidirectional=True)
            self.out = nn.Linear(24, 5)

        def forward(self, tokens):
            hidden, _ = self.lstm(self.embed(tokens))
            return self.out(hidden).log_softmax(-1)

    return Tagger()


def transformer_encoder(lib):
    nn = lib.nn
    layer = nn.TransformerEncoderLayer(d_model=16, nhead=4, dim_feedforward=32, dropout=0.0, batch_first=True)
    return nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)


MODELS = {
    "cnn": (small_cnn, lambda rng: [rng.standard_normal((4, 1, 12, 12)).astype(np.float32)]),
    "lstm_tagger": (lstm_tagger, lambda rng: [rng.integers(0, 20, (3, 7))]),
    "transformer_encoder": (transformer_encoder, lambda rng: [rng.standard_normal((2, 5, 16)).astype(np.float32)]),
}


@pytest.mark.parametrize("name", MODELS)
def test_state_dict_keys_and_shapes_equal_torch(name):
    build, _ = MODELS[name]
    ours, theirs = build(rustorch).state_dict(), build(torch).state_dict()
    assert list(ours) == list(theirs)
    assert [tuple(v.shape) for v in ours.values()] == [tuple(v.shape) for v in theirs.values()]


@pytest.mark.parametrize("train", [False, True])
@pytest.mark.parametrize("name", MODELS)
def test_torch_weights_reproduce_torch(name, train, device):
    build, inputs = MODELS[name]
    torch.manual_seed(0)
    check_module(build(rustorch), build(torch), *inputs(np.random.default_rng(0)), device=device, rtol=1e-4, atol=1e-5,
                 train=train)
