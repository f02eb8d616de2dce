"""Training steps of whole models: the digits CNN of rustorch.examples.train_digits, an LSTM and a Transformer
encoder layer."""
import numpy as np

from rustorch.benchmarks.workloads import fwd_bwd, train_step
from rustorch.examples.train_digits import make_model

from . import common
from .common import Benchmark, array, tensor


class DigitsCNN(Benchmark):
    """One Adam training step (forward, cross-entropy, backward, step) of train_digits' CNN on a batch of ``size``
    8x8 grey images."""

    sizes = (64, 256)

    def make(self, lib, device, n):
        model = make_model(lib).to(device)
        optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)
        images = tensor(lib, device, array(0, n, 1, 8, 8))
        labels = tensor(lib, device, np.random.default_rng(1).integers(0, 10, n))
        return lambda: train_step(lib, model, optimizer, images, labels)

    def time_train_step(self, *params):
        self.run()


class LSTM(Benchmark):
    """LSTM(size, size), one layer, forward and backward over 50 steps of a batch of 32."""

    sizes = (128, 256)

    def make(self, lib, device, n):
        layer = lib.nn.LSTM(n, n).to(device)
        x = tensor(lib, device, array(0, 50, 32, n), requires_grad=True)
        grad = tensor(lib, device, array(1, 50, 32, n))
        return lambda: fwd_bwd(layer, x, grad)

    def time_lstm_fwd_bwd(self, *params):
        self.run()

    def peakmem_lstm_fwd_bwd(self, *params):
        self.run()


class TransformerEncoderLayer(Benchmark):
    """TransformerEncoderLayer(256, 8 heads, feed-forward 1024, dropout 0, batch_first), forward and backward on a
    batch of 16 sequences of ``size`` tokens."""

    sizes = (64, 128)

    def make(self, lib, device, n):
        layer = lib.nn.TransformerEncoderLayer(256, 8, dim_feedforward=1024, dropout=0.0, batch_first=True)
        layer = layer.to(device)
        x = tensor(lib, device, array(0, 16, n, 256), requires_grad=True)
        grad = tensor(lib, device, array(1, 16, n, 256))
        return lambda: fwd_bwd(layer, x, grad)

    def time_transformer_fwd_bwd(self, *params):
        self.run()

    def peakmem_transformer_fwd_bwd(self, *params):
        self.run()


class RatioVsTorch(common.RatioVsTorch):
    benchmarks = (DigitsCNN, LSTM, TransformerEncoderLayer)
