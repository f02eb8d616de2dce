"""rustorch._ext.pool: the CPU caching allocator."""
import gc
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

pool = pytest.importorskip("rustorch._ext.pool")

MiB = 1 << 20
KEYS = {"allocated_bytes", "reserved_bytes", "peak_allocated_bytes", "cached_bytes",
        "num_allocs", "num_frees", "cache_hits", "cache_misses"}


@pytest.fixture(autouse=True)
def clean_pool():
    limit = pool.cache_limit()
    gc.collect()
    pool.empty_cache()
    yield
    pool.set_cache_limit(limit)
    gc.collect()
    pool.empty_cache()


def test_size_classes():
    assert pool.size_class(0) == 0
    assert pool.size_class(1) == 512
    assert pool.size_class(512) == 512
    assert pool.size_class(513) == 1024
    assert pool.size_class(MiB) == MiB
    assert pool.size_class(MiB + 1) == 2 * MiB
    assert pool.size_class(64 * MiB) == 64 * MiB
    assert pool.size_class(64 * MiB + 1) == 66 * MiB
    with pytest.raises(ValueError):
        pool.size_class(-1)


def test_stats_and_reuse():
    s0 = pool.stats()
    assert set(s0) == KEYS
    b = pool.alloc(1000)
    s1 = pool.stats()
    assert s1["allocated_bytes"] - s0["allocated_bytes"] == 1024
    assert s1["num_allocs"] == s0["num_allocs"] + 1
    assert s1["cache_misses"] == s0["cache_misses"] + 1
    addr = b.address
    del b
    s2 = pool.stats()
    assert s2["num_frees"] == s1["num_frees"] + 1
    assert s2["cached_bytes"] == s1["cached_bytes"] + 1024
    assert s2["allocated_bytes"] == s0["allocated_bytes"]
    assert s2["reserved_bytes"] == s2["allocated_bytes"] + s2["cached_bytes"]
    c = pool.alloc(700)                      # same class: same memory comes back
    assert c.address == addr
    s3 = pool.stats()
    assert s3["cache_hits"] == s2["cache_hits"] + 1
    assert s3["cached_bytes"] == s2["cached_bytes"] - 1024


def test_large_reuse_exact_and_peak():
    pool.reset_peak_stats()
    base = pool.stats()["allocated_bytes"]
    a = pool.alloc(64 * MiB)
    addr = a.address
    assert pool.stats()["peak_allocated_bytes"] == base + 64 * MiB
    del a
    b = pool.alloc(64 * MiB - 100)           # rounds to the same 64 MiB class
    assert b.address == addr
    c = pool.alloc(4 * MiB)                  # a different class: fresh memory
    assert c.address != addr
    assert pool.stats()["peak_allocated_bytes"] == base + 68 * MiB
    del b, c
    pool.reset_peak_stats()
    assert pool.stats()["peak_allocated_bytes"] == pool.stats()["allocated_bytes"]


@pytest.mark.parametrize("n", [0, 1, 63, 64, 511, 512, 4097, MiB - 3, MiB + 5, 5 * MiB])
def test_alignment_and_buffer(n):
    b = pool.alloc(n)
    assert b.nbytes == n and len(b) == n
    assert b.address % 64 == 0
    m = memoryview(b)
    assert m.format == "B" and m.ndim == 1 and m.shape == (n,) and not m.readonly
    a = np.frombuffer(b, dtype=np.uint8)
    assert a.shape == (n,) and a.flags.writeable
    if n:
        assert a.ctypes.data == b.address
        a[:] = 7
        a[-1] = 9
        assert a[-1] == 9 and (n == 1 or a[0] == 7)


def test_numpy_view_keeps_block_alive():
    b = pool.alloc(4096)
    addr = b.address
    a = np.frombuffer(b, dtype=np.float64)
    a[:] = np.arange(512)
    frees = pool.stats()["num_frees"]
    del b
    gc.collect()
    assert pool.stats()["num_frees"] == frees        # the array still holds it
    other = pool.alloc(4096)                         # must not get the live block
    assert other.address != addr
    np.testing.assert_array_equal(a, np.arange(512))
    v = a[10:20].reshape(2, 5)
    del a
    gc.collect()
    assert pool.stats()["num_frees"] == frees
    assert v[0, 0] == 10
    del v
    gc.collect()
    assert pool.stats()["num_frees"] == frees + 1


def test_zero_bytes():
    z = pool.alloc(0)
    assert z.nbytes == 0 and z.address % 64 == 0
    assert np.frombuffer(z, np.uint8).size == 0
    s = pool.stats()
    del z
    assert pool.stats()["num_frees"] == s["num_frees"] + 1


def test_cache_cap():
    pool.set_cache_limit(3 * MiB)
    blocks = [pool.alloc(2 * MiB) for _ in range(3)]
    del blocks                                   # only one 2 MiB block fits the cap
    s = pool.stats()
    assert s["cached_bytes"] == 2 * MiB
    small = [pool.alloc(1000) for _ in range(4)]
    del small
    assert pool.stats()["cached_bytes"] == 2 * MiB + 4 * 1024
    pool.set_cache_limit(1000)                   # below what is cached: emptied
    assert pool.stats()["cached_bytes"] == 0
    pool.set_cache_limit(0)
    b = pool.alloc(100)
    del b
    assert pool.stats()["cached_bytes"] == 0
    with pytest.raises(ValueError):
        pool.set_cache_limit(-1)


def test_env_cache_limit():
    code = ("from rustorch._ext import pool; print(pool.cache_limit()); "
            "b = pool.alloc(3 << 20); del b; print(pool.stats()['cached_bytes'])")
    env = dict(os.environ, RUSTORCH_CPU_CACHE_LIMIT=str(1 << 20))
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    assert out == [str(1 << 20), "0"]
    env.pop("RUSTORCH_CPU_CACHE_LIMIT")
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    assert out == [str(4 << 30), str(4 << 20)]


def test_empty_cache():
    blocks = [pool.alloc(n) for n in (100, 5000, 3 * MiB, 3 * MiB)]
    del blocks
    s = pool.stats()
    assert s["cached_bytes"] == 512 + 8192 + 8 * MiB
    pool.empty_cache()
    s = pool.stats()
    assert s["cached_bytes"] == 0
    assert s["reserved_bytes"] == s["allocated_bytes"]
    b = pool.alloc(3 * MiB)
    assert pool.stats()["cache_misses"] == s["cache_misses"] + 1


def test_threads():
    errors = []
    s0 = pool.stats()
    sizes = [64, 1000, 4096, 70_000, MiB, 3 * MiB]

    def work(seed):
        try:
            rng = np.random.default_rng(seed)
            live = []
            for it in range(300):
                n = sizes[rng.integers(len(sizes))]
                b = pool.alloc(n)
                a = np.frombuffer(b, np.uint8)
                a[0] = a[-1] = seed           # each live block is ours alone
                live.append((a, seed))
                if len(live) > 8:
                    a, s = live.pop(rng.integers(len(live)))
                    assert a[0] == s and a[-1] == s
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors
    gc.collect()
    s = pool.stats()
    assert s["allocated_bytes"] == s0["allocated_bytes"]
    assert s["num_allocs"] - s0["num_allocs"] == 8 * 300
    assert s["num_frees"] - s0["num_frees"] == 8 * 300
    assert s["cache_hits"] + s["cache_misses"] - s0["cache_hits"] - s0["cache_misses"] == 8 * 300


def test_errors():
    with pytest.raises(ValueError, match="-5"):
        pool.alloc(-5)
    with pytest.raises(MemoryError, match=str(1 << 62)):
        pool.alloc(1 << 62)
    with pytest.raises(TypeError):
        pool.Block()
