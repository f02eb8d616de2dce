"""Workloads shared by ``rustorch.benchmarks.compare`` and the asv suite in ``asv_bench/``.

Each function takes the library as ``lib`` (the ``rustorch`` or the ``torch`` module) and runs the same code in
either, so both benchmark harnesses time the same work.
"""
import numpy as np


def softmax_composed(lib, x):
    """Softmax along dim 1 composed from max, sub, exp, sum and div (no fused kernel).

    >>> import rustorch
    >>> softmax_composed(rustorch, rustorch.zeros(2, 4)).sum(dim=1).tolist()
    [1.0, 1.0]
    """
    e = (x - x.max(dim=1, keepdim=True).values).exp()
    return e / e.sum(dim=1, keepdim=True)


def op_chain(lib, x, b, steps=333):
    """Forward and backward of 3 * steps tiny ops: per-op overhead of recording and of the engine.

    >>> import rustorch
    >>> x = rustorch.zeros(3, requires_grad=True)
    >>> op_chain(rustorch, x, rustorch.zeros(3), steps=2); [round(g, 6) for g in x.grad.tolist()]
    [0.998001, 0.998001, 0.998001]
    """
    y = x
    for _ in range(steps):
        y = (y * 0.999 + b).tanh()
    y.backward(lib.ones_like(y))


def mlp_step(lib, x, weights):
    """Forward and backward of an MLP composed from matmul, add and relu; ``weights`` is [(w, bias), ...].

    >>> import rustorch
    >>> w, b = rustorch.ones(2, 2, requires_grad=True), rustorch.zeros(2, requires_grad=True)
    >>> mlp_step(rustorch, rustorch.ones(1, 2), [(w, b)]); w.grad.tolist()
    [[1.0, 1.0], [1.0, 1.0]]
    """
    h = x
    for i, (w, bias) in enumerate(weights):
        h = h @ w + bias
        if i < len(weights) - 1:
            h = h.relu()
    h.sum().backward()


def fwd_bwd(layer, x, grad):
    """A layer's forward and backward with a fixed grad_output; for a layer returning a tuple (an RNN's
    output and state) the first item is differentiated.

    >>> import rustorch
    >>> x = rustorch.ones(2, requires_grad=True)
    >>> fwd_bwd(rustorch.nn.ReLU(), x, rustorch.ones(2)); x.grad.tolist()
    [1.0, 1.0]
    """
    y = layer(x)
    (y[0] if isinstance(y, tuple) else y).backward(grad)


def train_step(lib, model, optimizer, images, labels):
    """One training step: forward, cross-entropy, zero_grad, backward, optimizer step.

    >>> import rustorch
    >>> model = rustorch.nn.Linear(4, 3)
    >>> opt = rustorch.optim.SGD(model.parameters(), lr=0.1)
    >>> train_step(rustorch, model, opt, rustorch.ones(2, 4), rustorch.tensor([0, 2]))
    """
    loss = lib.nn.functional.cross_entropy(model(images), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


def parameters_with_grads(lib, arrays, grads, device=None):
    """Parameters holding ``arrays`` with ``grads`` as their .grad: what an optimizer step reads.

    >>> import numpy as np, rustorch
    >>> [p] = parameters_with_grads(rustorch, [np.zeros(2, np.float32)], [np.ones(2, np.float32)])
    >>> p.grad.tolist()
    [1.0, 1.0]
    """
    params = []
    for a, g in zip(arrays, grads):
        p = lib.nn.Parameter(lib.tensor(a, device=device))
        p.grad = lib.tensor(g, device=device)
        params.append(p)
    return params


def allocate_and_write(lib, n, step=1024, device=None):
    """Allocate ``n`` float32 values, write every ``step``-th (by default one per 4 KiB page) and free them: what a
    caching allocator saves is the fresh pages' faults.

    >>> import rustorch
    >>> allocate_and_write(rustorch, 1 << 20)
    """
    lib.empty(n, device=device)[::step].fill_(1.0)


def epoch(loader, device=None):
    """Iterate over a DataLoader once, moving each batch to ``device`` when one is given.

    >>> import rustorch
    >>> from rustorch.utils.data import DataLoader, TensorDataset
    >>> epoch(DataLoader(TensorDataset(rustorch.zeros(4, 2)), batch_size=2))
    """
    for batch in loader:
        if device is not None:
            batch = [t.to(device) for t in batch]


class ImageArrays:
    """A map-style dataset of NumPy (3, side, side) float32 images with int labels, as image datasets return them.

    >>> len(ImageArrays(5, 8)), ImageArrays(5, 8)[1][0].shape
    (5, (3, 8, 8))
    """

    def __init__(self, n, side):
        self.x = np.random.default_rng(4).random((n, 3, side, side), dtype=np.float32)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], i
