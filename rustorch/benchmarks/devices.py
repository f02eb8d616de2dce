"""Time a GPU backend of rustorch against a reference: ``python -m rustorch.benchmarks.devices --backend opencl``.

The reference is torch on CUDA where torch sees a CUDA GPU (the GPU host: the same H100 that NVIDIA's OpenCL
drives), else rustorch's own CPU backend (PoCL, which runs OpenCL on the CPU). Both sides run the same work on
the same float32 data; every timing waits for the device's queue; samples are interleaved and the figure is
median(reference) / median(backend), a throughput ratio: above 1.0 the backend is faster.

Options: --backend (opencl), --repeat N (7), --only SUBSTRING, --small (small sizes, for a CPU device).
"""
import argparse
import statistics
import time

import numpy as np

import rustorch
from rustorch.benchmarks.workloads import fwd_bwd, train_step


def _reference():
    """(library, device, synchronize, name) of the reference side."""
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None and torch.cuda.is_available():
        torch.backends.cuda.matmul.allow_tf32 = False  # cuBLAS float32, as rustorch computes
        torch.backends.cudnn.allow_tf32 = False
        return torch, torch.device("cuda"), torch.cuda.synchronize, f"torch CUDA ({torch.cuda.get_device_name()})"
    return rustorch, rustorch.device("cpu"), lambda: None, "rustorch CPU backend"


def _median_seconds(fn, sync, samples):
    fn()
    sync()
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _digits_step(lib, device):
    """One training step of the digits CNN (rustorch/examples/train_digits.py) on a batch of 64."""
    from rustorch.examples.train_digits import make_model

    lib.manual_seed(0)
    model = make_model(lib).to(device)
    optimizer = lib.optim.Adam(model.parameters(), lr=3e-3)
    rng = np.random.default_rng(0)
    images = lib.tensor(rng.standard_normal((64, 1, 8, 8), dtype=np.float32), device=device)
    labels = lib.tensor(rng.integers(0, 10, 64), device=device)
    return lambda: train_step(lib, model, optimizer, images, labels)


def cases(small):
    """name -> (make(lib, device) -> callable, work units per call, unit) for each benchmark."""
    n_add = 1 << (20 if small else 28)
    gemm_sizes = (256, 512) if small else (4096, 8192)
    conv_batch = 8 if small else 64
    rng = np.random.default_rng(0)

    def data(*shape):
        return rng.standard_normal(shape, dtype=np.float32)

    def add(lib, device):
        a, b = lib.tensor(data(n_add), device=device), lib.tensor(data(n_add), device=device)
        return lambda: a + b

    def reduce_all(lib, device):
        a = lib.tensor(data(n_add), device=device)
        return lambda: a.sum()

    def reduce_rows(lib, device):
        a = lib.tensor(data(n_add >> 12, 4096), device=device)
        return lambda: a.sum(dim=1)

    def gemm(n):
        def make(lib, device):
            a, b = lib.tensor(data(n, n), device=device), lib.tensor(data(n, n), device=device)
            return lambda: a @ b
        return make

    def conv(lib, device):
        layer = lib.nn.Conv2d(64, 64, 3, padding=1).to(device)
        x = lib.tensor(data(conv_batch, 64, 32, 32), device=device, requires_grad=True)
        grad = lib.tensor(data(conv_batch, 64, 32, 32), device=device)
        return lambda: fwd_bwd(layer, x, grad)

    table = {
        f"add 2^{n_add.bit_length() - 1} float32": (add, 3 * 4 * n_add / 1e9, "GB/s"),
        f"sum of 2^{n_add.bit_length() - 1} float32": (reduce_all, 4 * n_add / 1e9, "GB/s"),
        f"row sums ({n_add >> 12}, 4096)": (reduce_rows, 4 * n_add / 1e9, "GB/s"),
    }
    for n in gemm_sizes:
        table[f"sgemm {n}^3"] = (gemm(n), 2 * n ** 3 / 1e12, "TFLOP/s")
    table[f"Conv2d 64->64 3x3 ({conv_batch},64,32,32) forward+backward"] = (conv, None, "")
    table["digits CNN training step (batch 64)"] = (_digits_step, None, "")
    return table


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="opencl")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", default="")
    parser.add_argument("--small", action="store_true")
    args = parser.parse_args(argv)

    device = rustorch.device(args.backend)
    backend = rustorch.backends.get_backend(args.backend)
    ref_lib, ref_device, ref_sync, ref_name = _reference()
    sync = lambda: backend.synchronize(device)  # noqa: E731
    print(f"rustorch {args.backend} ({backend.capabilities()['devices'][backend._device(device).index]['name']}) "
          f"vs {ref_name}; median of {args.repeat} interleaved samples")
    print(f"| case | rustorch {args.backend} | reference | throughput ratio |")
    print("|---|---|---|---|")
    for name, (make, work, unit) in cases(args.small).items():
        if args.only not in name:
            continue
        fn, ref_fn = make(rustorch, device), make(ref_lib, ref_device)
        mine, ref = [], []
        for _ in range(args.repeat):
            mine.append(_median_seconds(fn, sync, 3))
            ref.append(_median_seconds(ref_fn, ref_sync, 3))
        t, r = statistics.median(mine), statistics.median(ref)

        def show(seconds):
            return f"{seconds * 1e3:.3f} ms" + (f" ({work / seconds:.1f} {unit})" if work else "")

        print(f"| {name} | {show(t)} | {show(r)} | {r / t:.2f} |", flush=True)


if __name__ == "__main__":
    main()
