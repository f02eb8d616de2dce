"""Time rustorch against torch in one process: ``python -m rustorch.benchmarks.compare``.

For each case both libraries run the same op on the same float32 data with the
same thread count; runs are interleaved (rustorch, torch, rustorch, ...) and the
ratio printed is median(rustorch) / median(torch): below 1.0 rustorch is faster.
torch is only a reference here; rustorch itself never imports it.

Options: --repeat N (default 21), --threads N (default: rustorch's thread count),
--only SUBSTRING (run the cases whose name contains it).
"""
import argparse
import statistics
import sys
import time

import numpy as np

import rustorch
from rustorch.benchmarks.workloads import (ImageArrays, allocate_and_write, epoch, fwd_bwd, mlp_step, op_chain,
                                           parameters_with_grads, softmax_composed)


def _timer(fn, min_seconds=0.02):
    """A callable timing ``fn``: seconds per call, looping enough calls to last ``min_seconds``."""
    fn()
    start = time.perf_counter()
    fn()
    once = time.perf_counter() - start
    loops = max(1, int(min_seconds / max(once, 1e-9)))

    def run():
        t0 = time.perf_counter()
        for _ in range(loops):
            fn()
        return (time.perf_counter() - t0) / loops

    return run


def autograd_cases(torch):
    """The autograd issue's cases: a chain of 999 ops on 10 elements, and an MLP step (batch 256, width 1024)."""
    rng = np.random.default_rng(1)

    def leaves(*shape):
        a = rng.standard_normal(shape, dtype=np.float32) * 0.03
        return (rustorch.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True))

    (rx, tx), (rb, tb) = leaves(10), leaves(10)
    out = [("autograd chain of 999 ops (10 elements)", lambda: op_chain(rustorch, rx, rb),
            lambda: op_chain(torch, tx, tb))]
    x = rng.standard_normal((256, 1024), dtype=np.float32)
    rw, tw = [], []
    for _ in range(3):
        (w_rt, w_th), (b_rt, b_th) = leaves(1024, 1024), leaves(1024)
        rw.append((w_rt, b_rt))
        tw.append((w_th, b_th))
    rx_mlp, tx_mlp = rustorch.tensor(x), torch.tensor(x)
    out.append(("autograd MLP fwd+bwd (256x1024, 3 layers)", lambda: mlp_step(rustorch, rx_mlp, rw),
                lambda: mlp_step(torch, tx_mlp, tw)))
    return out


def nn_cases(torch):
    """The nn issue's cases (forward and backward of layers), appended by family."""
    rng = np.random.default_rng(2)
    out = []
    out += _norm_cases(torch, rng)
    out += _transformer_cases(torch, rng)
    out += _rnn_cases(torch, rng)
    out += _conv_pool_cases(torch, rng)
    out += _vision_cases(torch, rng)
    out += _activation_loss_cases(torch, rng)
    return out


def _conv_pool_cases(torch, rng):
    """Conv2d(64, 64, 3, padding=1) and MaxPool2d(2, 2) forward and backward on (32, 64, 32, 32), rustorch holding
    torch's weights, with a fixed grad_output."""
    x = rng.standard_normal((32, 64, 32, 32), dtype=np.float32)
    cases = []
    for name, make, out_shape in (("Conv2d(64,64,3,pad=1) fwd+bwd (32,64,32,32)",
                                   lambda lib: lib.nn.Conv2d(64, 64, 3, padding=1), (32, 64, 32, 32)),
                                  ("MaxPool2d(2,2) fwd+bwd (32,64,32,32)", lambda lib: lib.nn.MaxPool2d(2, 2),
                                   (32, 64, 16, 16))):
        g = rng.standard_normal(out_shape, dtype=np.float32)
        pair = []
        for lib in (torch, rustorch):
            layer = make(lib)
            if lib is torch:
                weights = {k: v.detach().numpy() for k, v in layer.state_dict().items()}
            else:
                layer.load_state_dict(weights)
            xt, gt = lib.tensor(x, requires_grad=True), lib.tensor(g)
            pair.insert(0, lambda layer=layer, xt=xt, gt=gt: fwd_bwd(layer, xt, gt))
        cases.append((name, *pair))
    return cases


def _rnn_cases(torch, rng):
    """LSTM (seq 50, batch 32, input and hidden 256, 1 layer) forward and backward, rustorch holding torch's
    weights, with a fixed grad_output."""
    x = rng.standard_normal((50, 32, 256), dtype=np.float32)
    g = rng.standard_normal((50, 32, 256), dtype=np.float32)
    pair = []
    for lib in (torch, rustorch):
        layer = lib.nn.LSTM(256, 256)
        if lib is torch:
            weights = {k: v.detach().numpy() for k, v in layer.state_dict().items()}
        else:
            layer.load_state_dict(weights)
        xt, gt = lib.tensor(x, requires_grad=True), lib.tensor(g)
        pair.insert(0, lambda layer=layer, xt=xt, gt=gt: fwd_bwd(layer, xt, gt))
    return [("LSTM fwd+bwd (seq 50, batch 32, 256->256)", *pair)]


def _transformer_cases(torch, rng):
    """TransformerEncoderLayer (d_model 256, 8 heads, feed-forward 1024, dropout 0, batch_first) forward and
    backward on (16, 128, 256), rustorch holding torch's weights."""
    x = rng.standard_normal((16, 128, 256), dtype=np.float32)
    g = rng.standard_normal((16, 128, 256), dtype=np.float32)
    pair = []
    for lib in (torch, rustorch):
        layer = lib.nn.TransformerEncoderLayer(256, 8, dim_feedforward=1024, dropout=0.0, batch_first=True)
        if lib is torch:
            weights = {k: v.detach().numpy() for k, v in layer.state_dict().items()}
        else:
            layer.load_state_dict(weights)
        xt, gt = lib.tensor(x, requires_grad=True), lib.tensor(g)
        pair.insert(0, lambda layer=layer, xt=xt, gt=gt: fwd_bwd(layer, xt, gt))
    return [("TransformerEncoderLayer fwd+bwd (16,128,256)", *pair)]


def _activation_loss_cases(torch, rng):
    """cross_entropy on (256, 1000) logits and log_softmax on (4096, 1024), forward and backward."""
    cases = []
    x, target = rng.standard_normal((256, 1000), dtype=np.float32), rng.integers(0, 1000, 256)
    pair = []
    for lib in (rustorch, torch):
        xt, tt = lib.tensor(x, requires_grad=True), lib.tensor(target)
        pair.append(lambda lib=lib, xt=xt, tt=tt: lib.nn.functional.cross_entropy(xt, tt).backward())
    cases.append(("cross_entropy fwd+bwd (256,1000)", *pair))
    x, g = rng.standard_normal((4096, 1024), dtype=np.float32), rng.standard_normal((4096, 1024), dtype=np.float32)
    pair = []
    for lib in (rustorch, torch):
        xt, gt = lib.tensor(x, requires_grad=True), lib.tensor(g)
        pair.append(lambda lib=lib, xt=xt, gt=gt: lib.nn.functional.log_softmax(xt, 1).backward(gt))
    cases.append(("log_softmax fwd+bwd (4096,1024)", *pair))
    return cases


def _norm_cases(torch, rng):
    """BatchNorm2d (training) and LayerNorm, forward and backward with a fixed grad_output."""
    cases = []
    for name, shape, make in (("BatchNorm2d(64) train fwd+bwd (32,64,32,32)", (32, 64, 32, 32),
                               lambda lib: lib.nn.BatchNorm2d(64)),
                              ("LayerNorm(256) fwd+bwd (16,128,256)", (16, 128, 256), lambda lib: lib.nn.LayerNorm(256))):
        x = rng.standard_normal(shape, dtype=np.float32)
        g = rng.standard_normal(shape, dtype=np.float32)
        pair = []
        for lib in (rustorch, torch):
            layer, xt, gt = make(lib), lib.tensor(x, requires_grad=True), lib.tensor(g)
            pair.append(lambda layer=layer, xt=xt, gt=gt: fwd_bwd(layer, xt, gt))
        cases.append((name, *pair))
    return cases


def _vision_cases(torch, rng):
    """Padding, interpolation, unfold/fold, grid_sample, pixel_shuffle and distances: forward and backward with a
    fixed grad_output, on the same float32 data in both libraries."""
    image = rng.standard_normal((8, 32, 64, 64), dtype=np.float32)
    cols = rng.standard_normal((8, 32 * 9, 64 * 64), dtype=np.float32)
    grid = rng.standard_normal((8, 64, 64, 2), dtype=np.float32)
    rows = rng.standard_normal((4096, 256), dtype=np.float32)
    points = rng.standard_normal((512, 64), dtype=np.float32)
    specs = [
        ("F.pad constant (1,1,1,1) fwd+bwd (8,32,64,64)", lambda F, x: F.pad(x, (1, 1, 1, 1)), (image,)),
        ("F.pad reflect (2,2,2,2) fwd+bwd (8,32,64,64)", lambda F, x: F.pad(x, (2, 2, 2, 2), mode="reflect"), (image,)),
        ("interpolate nearest x2 fwd+bwd (8,32,64,64)", lambda F, x: F.interpolate(x, scale_factor=2), (image,)),
        ("interpolate bilinear x2 fwd+bwd (8,32,64,64)",
         lambda F, x: F.interpolate(x, scale_factor=2, mode="bilinear"), (image,)),
        ("interpolate bicubic x2 fwd+bwd (8,32,64,64)",
         lambda F, x: F.interpolate(x, scale_factor=2, mode="bicubic"), (image,)),
        ("interpolate bilinear aa /2 fwd+bwd (8,32,64,64)",
         lambda F, x: F.interpolate(x, scale_factor=0.5, mode="bilinear", antialias=True), (image,)),
        ("F.unfold k3 p1 fwd+bwd (8,32,64,64)", lambda F, x: F.unfold(x, 3, padding=1), (image,)),
        ("F.fold k3 p1 fwd+bwd (8,288,4096)", lambda F, x: F.fold(x, (64, 64), 3, padding=1), (cols,)),
        ("grid_sample bilinear fwd+bwd (8,32,64,64)",
         lambda F, x, g: F.grid_sample(x, g, align_corners=False), (image, grid)),
        ("pixel_shuffle 2 fwd+bwd (8,32,64,64)", lambda F, x: F.pixel_shuffle(x, 2), (image,)),
        ("cosine_similarity fwd+bwd (4096,256)", lambda F, a, b: F.cosine_similarity(a, b), (rows, rows[::-1].copy())),
        ("pdist fwd+bwd (512,64)", lambda F, x: F.pdist(x), (points,)),
    ]
    cases = []
    for name, fn, arrays in specs:
        shape = tuple(fn(torch.nn.functional, *(torch.tensor(a) for a in arrays)).shape)
        g = rng.standard_normal(shape, dtype=np.float32)
        pair = []
        for lib in (rustorch, torch):
            inputs = [lib.tensor(a, requires_grad=True) for a in arrays]
            pair.append(lambda lib=lib, inputs=inputs, gt=lib.tensor(g), fn=fn: fn(lib.nn.functional, *inputs).backward(gt))
        cases.append((name, *pair))
    return cases


def _optimizer_pair(torch, sizes, rng):
    """The same float32 parameters with fixed gradients in both libraries: (rustorch list, torch list)."""
    arrays = [rng.standard_normal(n, dtype=np.float32) for n in sizes]
    grads = [rng.standard_normal(n, dtype=np.float32) for n in sizes]
    return parameters_with_grads(rustorch, arrays, grads), parameters_with_grads(torch, arrays, grads)


def optim_cases(torch):
    """Optimizer steps over 10M float32 parameters: rustorch's default (one fused kernel call per group) against
    torch's foreach=True. The state is made by the first (untimed) step."""
    rng = np.random.default_rng(3)
    rt_even, th_even = _optimizer_pair(torch, [1 << 20] * 10, rng)
    # 100 tensors of geometrically growing sizes (700 to 700K values), as the layers of a model: 10M in all
    mixed = np.geomspace(1, 1000, 100)
    rt_mixed, th_mixed = _optimizer_pair(torch, np.round(mixed * 10_000_000 / mixed.sum()).astype(int), rng)
    out = []
    for name, make, rt_params, th_params in (
            ("Adam step foreach 10M params (10 x 1M)", lambda lib, ps, **kw: lib.optim.Adam(ps, lr=1e-4, **kw),
             rt_even, th_even),
            ("Adam step foreach 10M (100 mixed sizes)",
             lambda lib, ps, **kw: lib.optim.Adam(ps, lr=1e-4, **kw), rt_mixed, th_mixed),
            ("AdamW amsgrad step foreach 10M (10 x 1M)",
             lambda lib, ps, **kw: lib.optim.AdamW(ps, lr=1e-4, amsgrad=True, **kw), rt_even, th_even),
            ("SGD momentum step foreach 10M (10 x 1M)",
             lambda lib, ps, **kw: lib.optim.SGD(ps, lr=1e-4, momentum=0.9, **kw), rt_even, th_even)):
        rt_opt, th_opt = make(rustorch, rt_params), make(torch, th_params, foreach=True)
        out.append((name, rt_opt.step, th_opt.step))
    return out


def data_cases(torch):
    """One epoch of a DataLoader (its workers started and stopped within it, as each epoch does)."""
    import torch.utils.data as td

    import rustorch.utils.data as rd

    x = np.random.default_rng(5).standard_normal((10_000, 32), dtype=np.float32)
    small, big = ImageArrays(10_000, 32), ImageArrays(512, 224)
    out = []
    for name, make in (
            ("DataLoader epoch TensorDataset(10000x32) bs64 shuffle",
             lambda lib, d: d.DataLoader(d.TensorDataset(lib.tensor(x), lib.arange(10_000)), batch_size=64,
                                         shuffle=True)),
            ("DataLoader epoch numpy (10000,3,32,32) bs64", lambda lib, d: d.DataLoader(small, batch_size=64)),
            ("DataLoader epoch numpy (10000,3,32,32) bs64 2 workers",
             lambda lib, d: d.DataLoader(small, batch_size=64, num_workers=2)),
            ("DataLoader epoch numpy (512,3,224,224) bs32 2 workers",
             lambda lib, d: d.DataLoader(big, batch_size=32, num_workers=2))):
        rt_loader, th_loader = make(rustorch, rd), make(torch, td)
        out.append((name, lambda rt_loader=rt_loader: epoch(rt_loader), lambda th_loader=th_loader: epoch(th_loader)))
    return out


def cases(torch):
    """(name, rustorch callable, torch callable) for every case of the issue's table."""
    rng = np.random.default_rng(0)

    def pair(*shape):
        a = rng.standard_normal(shape, dtype=np.float32)
        return rustorch.from_numpy(a.copy()), torch.from_numpy(a.copy())

    out = []
    for n, label in ((1 << 20, "1M"), (1 << 24, "16M")):
        (ra, ta), (rb, tb) = pair(n), pair(n)
        out.append((f"add {label}", lambda ra=ra, rb=rb: ra + rb, lambda ta=ta, tb=tb: ta + tb))
        out.append((f"mul {label}", lambda ra=ra, rb=rb: ra * rb, lambda ta=ta, tb=tb: ta * tb))
    rx, tx = pair(1 << 22)
    out.append(("exp 4M", lambda: rx.exp(), lambda: tx.exp()))
    out.append(("tanh 4M", lambda: rx.tanh(), lambda: tx.tanh()))
    rm, tm = pair(4096, 4096)
    out.append(("sum dim=-1 (4096,4096)", lambda: rm.sum(dim=-1), lambda: tm.sum(dim=-1)))
    out.append(("sum all (4096,4096)", lambda: rm.sum(), lambda: tm.sum()))
    out.append(("max dim=1 (4096,4096)", lambda: rm.max(dim=1), lambda: tm.max(dim=1)))
    rs, ts = pair(4096, 1024)
    out.append(("softmax composed (4096,1024)", lambda: softmax_composed(rustorch, rs),
                lambda: softmax_composed(torch, ts)))
    out.append(("softmax composed vs torch.softmax", lambda: softmax_composed(rustorch, rs),
                lambda: torch.softmax(ts, dim=1)))
    for n in (256, 1024, 2048):
        (ra, ta), (rb, tb) = pair(n, n), pair(n, n)
        out.append((f"matmul {n}", lambda ra=ra, rb=rb: ra @ rb, lambda ta=ta, tb=tb: ta @ tb))
    out.append(("copy of transposed (4096,4096)", lambda: rm.t().contiguous(), lambda: tm.t().contiguous()))
    return out + autograd_cases(torch) + nn_cases(torch) + optim_cases(torch) + data_cases(torch)


# Both libraries keep worker threads spinning for a while after a parallel op; on a
# 2-core machine the spinning pool of one slows the other down. A pause before each
# sample lets them go idle, so neither library is timed against the other's threads.
SETTLE_SECONDS = 0.15


def measure(rt_fn, torch_fn, repeat):
    rt_run, torch_run = _timer(rt_fn), _timer(torch_fn)
    rt_times, torch_times = [], []
    for _ in range(repeat):
        time.sleep(SETTLE_SECONDS)
        rt_times.append(rt_run())
        time.sleep(SETTLE_SECONDS)
        torch_times.append(torch_run())
    return statistics.median(rt_times), statistics.median(torch_times)


def pool_cases(repeat):
    """What the caching allocator saves on a 64 MiB tensor (allocate, write, free): cache on vs off."""
    from rustorch._ext import pool

    n = 16 << 20
    page = 4096 // 4
    cases = {
        "touch one float per 4 KiB page": lambda: allocate_and_write(rustorch, n, page),
        "fill every element": lambda: allocate_and_write(rustorch, n, 1),
    }
    limit = pool.cache_limit()
    results = {}
    for name, fn in cases.items():
        with_cache, without_cache = [], []
        for _ in range(repeat):
            pool.set_cache_limit(limit)
            with_cache.append(_timer(fn)())
            pool.set_cache_limit(0)  # every freed block goes straight back to the OS
            without_cache.append(_timer(fn)())
        pool.set_cache_limit(limit)
        results[name] = statistics.median(with_cache), statistics.median(without_cache)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--only", default="")
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        sys.exit("rustorch.benchmarks.compare needs torch as the reference: pip install torch")
    threads = args.threads or rustorch.get_num_threads()
    rustorch.set_num_threads(threads)
    torch.set_num_threads(threads)
    caps = rustorch.backends.cpu.capabilities()
    print(f"rustorch {rustorch.__version__} vs torch {torch.__version__}; {threads} threads; ISA {caps['isa']}; "
          f"median of {args.repeat} interleaved runs; float32")
    print(f"{'case':<44} {'rustorch ms':>12} {'torch ms':>10} {'ratio':>7}")
    for name, rt_fn, torch_fn in cases(torch):
        if args.only not in name:
            continue
        rt, tt = measure(rt_fn, torch_fn, args.repeat)
        print(f"{name:<44} {rt * 1e3:>12.3f} {tt * 1e3:>10.3f} {rt / tt:>7.2f}", flush=True)
    if args.only in "memory pool":
        print("\nmemory pool, a 64 MiB float32 tensor allocated, written and freed: cache on vs off")
        for name, (cached, uncached) in pool_cases(args.repeat).items():
            print(f"  {name:<32} {cached * 1e3:>8.3f} ms vs {uncached * 1e3:>8.3f} ms  ratio {cached / uncached:.2f}")


if __name__ == "__main__":
    main()
