"""rustorch.utils.data.DataLoader with worker processes: the same batches as in the main process, seeding and
get_worker_info, sharded iterable datasets (against torch's order), errors from workers, dead workers,
timeouts, persistent workers, start methods, and that no worker outlives its loader."""
import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import torch
import torch.utils.data as td

import rustorch
import rustorch.utils.data as rd

pytestmark = pytest.mark.filterwarnings("ignore:This DataLoader will create")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def running(pid):
    """Whether process ``pid`` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def gone(pids, within=3.0):
    """Whether every process in ``pids`` has exited within ``within`` seconds."""
    deadline = time.monotonic() + within
    while any(running(p) for p in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def to_lists(batches):
    if isinstance(batches, (rustorch.Tensor, torch.Tensor)):
        return batches.tolist()
    if isinstance(batches, dict):
        return {k: to_lists(v) for k, v in batches.items()}
    if isinstance(batches, (list, tuple)):
        return [to_lists(b) for b in batches]
    return batches


class Records(rd.Dataset):
    """Map-style samples of several kinds; ``fail_at`` index raises ``error`` (a class) and ``mode`` makes the
    worker die ("exit", "kill") or stall ("sleep") there."""

    def __init__(self, n=23, fail_at=None, error=ValueError, mode=None):
        self.n, self.fail_at, self.error, self.mode = n, fail_at, error, mode

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i == self.fail_at:
            if self.mode == "exit":
                os._exit(7)
            if self.mode == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if self.mode == "sleep":
                time.sleep(1.0)
                return {"i": i, "x": np.zeros(2, np.float32), "name": "late"}
            raise self.error(f"bad sample {i}")
        return {"i": i, "x": np.full(2, i, np.float32), "name": f"s{i}"}


def test_workers_give_the_same_batches_as_the_main_process():
    ds = rd.TensorDataset(rustorch.arange(40).float().view(20, 2), rustorch.arange(20))
    cases = [
        (ds, {"batch_size": 3}),
        (ds, {"batch_size": 4, "drop_last": True, "prefetch_factor": 1}),
        (ds, {"batch_size": 5, "shuffle": True}),  # generator below: same order with and without workers
        (ds, {"batch_sampler": [[3, 1], [0], [19, 18, 17]]}),
        (Records(), {"batch_size": 4, "prefetch_factor": 3}),
        (Records(), {"batch_size": None}),
    ]
    for dataset, kwargs in cases:
        single = rd.DataLoader(dataset, generator=rustorch.Generator().manual_seed(3),
                               **{k: v for k, v in kwargs.items() if k != "prefetch_factor"})
        multi = rd.DataLoader(dataset, num_workers=2, generator=rustorch.Generator().manual_seed(3), **kwargs)
        assert to_lists(list(multi)) == to_lists(list(single)), kwargs
        assert len(multi) == len(single)


class Images(rd.Dataset):
    """Samples large enough to travel through shared memory, of several dtypes, with a small one beside."""

    def __len__(self):
        return 12

    def __getitem__(self, i):
        return {"img": rustorch.full((3, 128, 128), float(i)), "bf16": rustorch.full((256, 256), i + 0.5).bfloat16(),
                "t": rustorch.arange(4096, dtype=rustorch.int64).view(64, 64).t() + i, "small": rustorch.tensor(i)}


def shm_files(pids):
    return [f for f in os.listdir("/dev/shm") if any(f.startswith(f"rustorch_dataloader_{p}_") for p in pids)]


@pytest.mark.skipif(not rd._utils.shared_memory.available(), reason="no /dev/shm")
def test_large_batches_through_shared_memory():
    expected = to_lists(list(rd.DataLoader(Images(), batch_size=4)))
    it = iter(rd.DataLoader(Images(), batch_size=4, num_workers=2))
    pids = [w.pid for w in it._workers]
    batches = list(it)
    assert to_lists(batches) == expected
    assert batches[0]["bf16"].dtype is rustorch.bfloat16 and batches[0]["t"].dtype is rustorch.int64
    batches[0]["img"].add_(1)  # the mapped storage is the tensor's own, writable
    assert batches[0]["img"][0, 0, 0, 0].item() == 1.0
    assert not shm_files(pids)  # every file was unlinked as it arrived
    it = iter(rd.DataLoader(Images(), batch_size=2, num_workers=2, prefetch_factor=4))
    next(it)
    pids = [w.pid for w in it._workers]
    time.sleep(0.2)  # let the workers send what they prefetch
    del it
    assert gone(pids) and not shm_files(pids)  # batches in flight at shutdown leave nothing behind


def test_in_order_false_returns_every_batch():
    loader = rd.DataLoader(range(30), batch_size=4, num_workers=2, in_order=False)
    batches = to_lists(list(loader))
    assert sorted(map(tuple, batches)) == [tuple(range(i, min(i + 4, 30))) for i in range(0, 30, 4)]


class WhoAmI(rd.Dataset):
    """Each sample says which worker made it, with what seed, and what the worker's RNGs draw."""

    tag = "main"

    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = rd.get_worker_info()
        return {"i": i, "id": info.id, "num_workers": info.num_workers, "seed": info.seed,
                "own_copy": info.dataset is not self or self.tag, "tag": self.tag, "pid": os.getpid(),
                "threads": rustorch.get_num_threads(), "rt": rustorch.rand(1).item(), "py": random.random(),
                "np": float(np.random.rand())}


def tag_worker(worker_id):
    info = rd.get_worker_info()
    assert info.id == worker_id
    info.dataset.tag = f"worker{worker_id}"  # this worker's own copy of the dataset


def base_seed(seed):
    """The base seed a loader with a generator seeded ``seed`` gives its workers: its first int64 draw."""
    return rustorch.empty((), dtype=rustorch.int64).random_(generator=rustorch.Generator().manual_seed(seed)).item()


def test_worker_info_seeds_and_worker_init_fn():
    assert rd.get_worker_info() is None
    loader = rd.DataLoader(WhoAmI(), batch_size=None, num_workers=2, worker_init_fn=tag_worker,
                           generator=rustorch.Generator().manual_seed(21))
    samples = list(loader)
    assert [s["i"] for s in samples] == list(range(8))
    assert [s["id"] for s in samples] == [0, 1] * 4  # tasks go round-robin
    assert {s["num_workers"] for s in samples} == {2} and {s["threads"] for s in samples} == {1}
    assert [s["seed"] for s in samples[:2]] == [base_seed(21), base_seed(21) + 1]  # base_seed + worker id
    assert [s["tag"] for s in samples[:2]] == ["worker0", "worker1"] and WhoAmI.tag == "main"
    assert len({s["pid"] for s in samples}) == 2 and os.getpid() not in {s["pid"] for s in samples}
    for rng in ("rt", "py", "np"):
        assert samples[0][rng] != samples[1][rng]  # each worker's RNGs are seeded differently
    again = list(rd.DataLoader(WhoAmI(), batch_size=None, num_workers=2, worker_init_fn=tag_worker,
                               generator=rustorch.Generator().manual_seed(21)))
    assert [(s["rt"], s["py"], s["np"]) for s in again] == [(s["rt"], s["py"], s["np"]) for s in samples]
    next_epoch = list(loader)  # a new base seed each epoch
    assert next_epoch[0]["seed"] != samples[0]["seed"] and next_epoch[0]["rt"] != samples[0]["rt"]


def test_worker_exception_is_reraised_with_its_traceback():
    it = iter(rd.DataLoader(Records(n=8, fail_at=3), batch_size=2, num_workers=2))
    assert to_lists(next(it)["i"]) == [0, 1]
    with pytest.raises(ValueError) as err:
        next(it)
    msg = str(err.value)
    assert msg.startswith("Caught ValueError in DataLoader worker process 1.\nOriginal Traceback")
    assert "in __getitem__" in msg and "ValueError: bad sample 3" in msg
    # as torch, the loader goes on with the next batches
    assert [to_lists(b["i"]) for b in it] == [[4, 5], [6, 7]]

    with pytest.raises(KeyError) as err:  # KeyError's message keeps its line breaks
        list(rd.DataLoader(Records(n=4, fail_at=0, error=KeyError), num_workers=1))
    assert "\nOriginal Traceback" in str(err.value)

    # an exception type that cannot be rebuilt from one message, or looked up by name, arrives as RuntimeError
    class Local(Exception):
        pass

    for error in (NeedsTwoArgs, Local):
        def raise_it(batch):
            raise error(1, 2)
        with pytest.raises(RuntimeError, match=f"Caught {error.__name__} in DataLoader worker process 0"):
            list(rd.DataLoader(range(4), num_workers=1, collate_fn=raise_it))


class NeedsTwoArgs(Exception):
    def __init__(self, a, b):
        super().__init__(a, b)


def failing_init(worker_id):
    raise ZeroDivisionError(f"init of worker {worker_id}")


def test_worker_init_fn_exception_and_unpicklable_batch():
    with pytest.raises(ZeroDivisionError, match=r"(?s)worker process 0.*init of worker 0"):
        list(rd.DataLoader(range(4), num_workers=1, worker_init_fn=failing_init))
    # a batch that cannot be sent back is an error, not a batch lost and a main process waiting forever
    with pytest.raises(Exception, match=r"(?s)sending the batch.*pickle"):
        list(rd.DataLoader(range(4), num_workers=1, collate_fn=lambda b: (lambda: b), timeout=20))


@pytest.mark.parametrize("mode, code", [("exit", "exit code 7"), ("kill", "exit code -9")])
def test_dead_worker_raises_instead_of_hanging(mode, code):
    it = iter(rd.DataLoader(Records(n=12, fail_at=5, mode=mode), batch_size=2, num_workers=2))
    pids = [w.pid for w in it._workers]
    start = time.monotonic()
    with pytest.raises(rustorch.errors.DataLoaderError, match=f"worker exited unexpectedly.*{code}"):
        list(it)
    assert time.monotonic() - start < 3
    assert gone(pids)  # the surviving worker is stopped too
    with pytest.raises(RuntimeError, match="exited unexpectedly"):  # and it stays an error
        next(it)


def test_timeout():
    it = iter(rd.DataLoader(Records(n=4, fail_at=0, mode="sleep"), num_workers=1, timeout=0.3))
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.3 seconds"):
        next(it)
    assert time.monotonic() - start < 0.9
    time.sleep(1.0)
    assert next(it)["name"] == ["late"]  # a timeout leaves the loader usable, as torch


def test_persistent_workers():
    loader = rd.DataLoader(WhoAmI(), batch_size=2, num_workers=2, persistent_workers=True, shuffle=True)
    epochs = [list(loader) for _ in range(3)]
    orders = [[i for b in e for i in b["i"].tolist()] for e in epochs]
    assert all(sorted(o) == list(range(8)) for o in orders) and orders[0] != orders[1]
    pids = {p for e in epochs for b in e for p in b["pid"].tolist()}
    assert len(pids) == 2  # the same two workers served every epoch
    # an abandoned epoch: its batches still in flight are dropped, and the next epoch is whole
    it = iter(loader)
    next(it)
    assert sorted(i for b in loader for i in b["i"].tolist()) == list(range(8))
    iterator = loader._iterator
    del it, loader
    iterator._shutdown_workers()
    assert gone(pids)

    stream = rd.DataLoader(Sharded(0, 9), batch_size=2, num_workers=2, persistent_workers=True)
    assert to_lists(list(stream)) == to_lists(list(stream)) == [[0, 1], [5, 6], [2, 3], [7, 8], [4]]


class DiesOnce(rd.Dataset):
    """The first worker to fetch index 2 exits; later workers serve every index."""

    def __init__(self, marker):
        self.marker = marker

    def __len__(self):
        return 6

    def __getitem__(self, i):
        if i == 2 and not os.path.exists(self.marker):
            open(self.marker, "w").close()
            os._exit(1)
        return i


def test_persistent_workers_restart_after_a_worker_died(tmp_path):
    loader = rd.DataLoader(DiesOnce(str(tmp_path / "died")), batch_size=2, num_workers=2, persistent_workers=True)
    with pytest.raises(rustorch.errors.DataLoaderError, match="exited unexpectedly"):
        list(loader)
    assert to_lists(list(loader)) == [[0, 1], [2, 3], [4, 5]]  # the next epoch starts new workers


class Sharded(rd.IterableDataset):
    """range(start, end), each worker taking its contiguous share (torch's documentation example)."""

    def __init__(self, start, end):
        self.start, self.end = start, end

    def __iter__(self):
        info = rd.get_worker_info()
        if info is None:
            return iter(range(self.start, self.end))
        per_worker = -(-(self.end - self.start) // info.num_workers)
        lo = self.start + info.id * per_worker
        return iter(range(lo, min(lo + per_worker, self.end)))


class TorchSharded(td.IterableDataset):
    def __init__(self, start, end):
        self.start, self.end = start, end

    def __iter__(self):
        info = td.get_worker_info()
        if info is None:
            return iter(range(self.start, self.end))
        per_worker = -(-(self.end - self.start) // info.num_workers)
        lo = self.start + info.id * per_worker
        return iter(range(lo, min(lo + per_worker, self.end)))


class Plain(rd.IterableDataset):
    def __init__(self, start, end):
        self.start, self.end = start, end

    def __iter__(self):
        return iter(range(self.start, self.end))


class TorchPlain(td.IterableDataset):
    def __init__(self, start, end):
        self.start, self.end = start, end

    def __iter__(self):
        return iter(range(self.start, self.end))


def shard_in_init(lib):
    def init(worker_id):
        info = lib.get_worker_info()
        ds = info.dataset
        per_worker = -(-(ds.end - ds.start) // info.num_workers)
        ds.start, ds.end = ds.start + worker_id * per_worker, min(ds.start + (worker_id + 1) * per_worker, ds.end)
    return init


@pytest.mark.parametrize("case", ["sharded", "sharded-batches", "sharded-drop-last", "duplicated", "init-fn"])
def test_iterable_dataset_workers_match_torch(case):
    plain = case in ("duplicated", "init-fn")
    rt_ds, th_ds = (Plain(3, 10), TorchPlain(3, 10)) if plain else (Sharded(3, 10), TorchSharded(3, 10))
    kwargs = {"num_workers": 2, "batch_size": 2 if "batches" in case or "drop" in case else None,
              "drop_last": "drop" in case}
    rt = rd.DataLoader(rt_ds, worker_init_fn=shard_in_init(rd) if case == "init-fn" else None, **kwargs)
    th = td.DataLoader(th_ds, worker_init_fn=shard_in_init(td) if case == "init-fn" else None, **kwargs)
    assert to_lists(list(rt)) == to_lists(list(th))


def test_workers_stop_with_their_iterator():
    loader = rd.DataLoader(range(100), batch_size=2, num_workers=2)
    it = iter(loader)
    next(it)
    pids = [w.pid for w in it._workers]
    del it  # garbage-collected mid-epoch
    assert gone(pids)
    it = iter(loader)
    pids = [w.pid for w in it._workers]
    assert len(list(it)) == 50  # the end of an epoch stops the workers
    assert gone(pids)


def test_no_hang_or_leftover_workers_at_interpreter_exit():
    script = textwrap.dedent("""
        import time
        import rustorch
        from rustorch.utils.data import DataLoader, Dataset

        class Slow(Dataset):
            def __len__(self):
                return 100
            def __getitem__(self, i):
                if i >= 10:
                    time.sleep(60)  # a worker busy when the interpreter exits
                return i

        persistent = DataLoader(range(50), batch_size=5, num_workers=2, persistent_workers=True)
        list(persistent)
        it = iter(persistent)
        next(it)
        busy = iter(DataLoader(Slow(), batch_size=5, num_workers=2))
        next(busy)
        print(*[w.pid for w in it._workers + busy._workers], flush=True)
    """)
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30,
                         env={**os.environ, "PYTHONPATH": REPO})
    assert out.returncode == 0, out.stderr
    assert time.monotonic() - start < 15
    pids = [int(p) for p in out.stdout.split()]
    assert len(pids) == 4 and gone(pids)


def test_workers_exit_when_the_main_process_is_killed():
    script = textwrap.dedent("""
        import time
        import rustorch
        from rustorch.utils.data import DataLoader

        it = iter(DataLoader(range(50), batch_size=5, num_workers=2))
        next(it)
        print(*[w.pid for w in it._workers], flush=True)
        time.sleep(60)
    """)
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                          env={**os.environ, "PYTHONPATH": REPO}) as proc:
        try:
            pids = [int(p) for p in proc.stdout.readline().split()]
        finally:
            proc.kill()
    assert len(pids) == 2 and gone(pids)  # orphaned workers notice and exit


def big_op(i):
    x = rustorch.full((1 << 20,), float(i))
    return (x * 2 + 1).sum().item()  # large enough for the OpenMP kernels


def test_fork_after_openmp_in_the_parent():
    rustorch.set_num_threads(2)
    expected = [big_op(i) for i in range(4)]  # the parent runs multi-threaded OpenMP kernels first
    loader = rd.DataLoader(range(4), batch_size=None, num_workers=2, collate_fn=big_op, timeout=30)
    assert list(loader) == expected


def two_threads(worker_id):
    rustorch.set_num_threads(2)


def test_more_threads_in_a_forked_worker_is_an_error_not_a_hang():
    rustorch.set_num_threads(2)
    big_op(0)
    with pytest.raises(rustorch.errors.DataLoaderError, match="forkserver"):
        list(rd.DataLoader(range(2), num_workers=1, worker_init_fn=two_threads, multiprocessing_context="fork",
                           timeout=30))


def test_spawn_start_method():
    ds = rd.TensorDataset(rustorch.arange(10), rustorch.arange(10) * 2)
    loader = rd.DataLoader(ds, batch_size=4, num_workers=1, multiprocessing_context="spawn", timeout=60)
    assert to_lists(list(loader)) == to_lists(list(rd.DataLoader(ds, batch_size=4)))
