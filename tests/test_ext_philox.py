"""rustorch._ext.philox: Philox4x32-10 streams and their documented layouts."""
import numpy as np
import pytest

P = pytest.importorskip("rustorch._ext.philox")
stats = pytest.importorskip("scipy.stats")

M32 = 0xFFFFFFFF


@pytest.mark.parametrize("ctr,key,expected", [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((M32,) * 4, (M32, M32), (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
])
def test_known_answers(ctr, key, expected):
    assert P.philox_block(ctr, key) == expected


def _words(seed, block):
    """The 4 words of a block, straight from the documented stream rule."""
    seed &= (1 << 64) - 1
    block &= (1 << 64) - 1
    return P.philox_block((block & M32, block >> 32, 0, 0), (seed & M32, seed >> 32))


@pytest.mark.parametrize("seed,offset", [(0, 0), (42, 7), ((1 << 64) - 1, (1 << 32) - 2),
                                         (123456789012345, (1 << 64) - 2)])
def test_layouts_match_documentation(seed, offset):
    n = 11
    u32 = np.empty(n, np.uint32)
    assert P.philox_bits(seed, offset, u32) == 3
    u64 = np.empty(n, np.uint64)
    assert P.philox_bits(seed, offset, u64) == 6
    f32 = np.empty(n, np.float32)
    assert P.philox_uniform(seed, offset, f32) == 3
    f64 = np.empty(n, np.float64)
    assert P.philox_uniform(seed, offset, f64) == 6
    n32 = np.empty(n, np.float32)
    assert P.philox_normal(seed, offset, n32) == 3
    n64 = np.empty(n, np.float64)
    assert P.philox_normal(seed, offset, n64) == 6
    for i in range(n):
        w = _words(seed, offset + i // 4)
        assert u32[i] == w[i % 4]
        assert f32[i] == np.float32((w[i % 4] >> 8) * 2.0 ** -24)
        p = (i % 4) // 2
        u1 = np.float32(((w[2 * p] >> 8) + 1) * 2.0 ** -24)
        u2 = np.float32((w[2 * p + 1] >> 8) * 2.0 ** -24)
        r = np.sqrt(-2 * np.log(np.float64(u1)))
        t = 2 * np.pi * np.float64(u2)
        ref = r * (np.cos(t) if i % 2 == 0 else np.sin(t))
        assert abs(n32[i] - ref) <= 2e-6 * max(1.0, abs(ref))   # float32 maths
        w = _words(seed, offset + i // 2)
        j = i % 2
        x = w[2 * j] | (w[2 * j + 1] << 32)
        assert u64[i] == x
        assert f64[i] == (x >> 11) * 2.0 ** -53
        a = w[0] | (w[1] << 32)
        b = w[2] | (w[3] << 32)
        u1 = ((a >> 11) + 1) * 2.0 ** -53
        u2 = (b >> 11) * 2.0 ** -53
        r = np.sqrt(-2 * np.log(u1))
        ref = r * (np.cos(2 * np.pi * u2) if i % 2 == 0 else np.sin(2 * np.pi * u2))
        assert abs(n64[i] - ref) <= 1e-14 * max(1.0, abs(ref))


@pytest.mark.parametrize("fill,dtype", [(P.philox_uniform, np.float32), (P.philox_uniform, np.float64),
                                        (P.philox_normal, np.float32), (P.philox_normal, np.float64),
                                        (P.philox_bits, np.uint32), (P.philox_bits, np.uint64)])
def test_determinism_and_continuation(fill, dtype):
    n = 100_003                                # threaded path, ragged end
    a = np.empty(n, dtype)
    b = np.empty(n, dtype)
    used = fill(5, 3, a)
    assert fill(5, 3, b) == used
    np.testing.assert_array_equal(a, b)
    c = np.empty(n, dtype)
    fill(6, 3, c)
    assert (a != c).mean() > 0.99               # another seed, other numbers
    # Element i depends only on (seed, offset, i): a prefix is a prefix.
    short = np.empty(1000, dtype)
    fill(5, 3, short)
    np.testing.assert_array_equal(short, a[:1000])
    # Continuation: n elements then m at the returned offset == one fill of n + m,
    # when n is a multiple of the elements per block.
    k = 4 if np.dtype(dtype).itemsize == 4 else 2
    first = np.empty(1000 * k, dtype)
    off = 3 + fill(5, 3, first)
    rest = np.empty(n - 1000 * k, dtype)
    fill(5, off, rest)
    np.testing.assert_array_equal(np.concatenate([first, rest]), a)
    # shape does not matter, only C order
    m = np.empty((7, 11), dtype)
    fill(5, 3, m)
    np.testing.assert_array_equal(m.ravel(), a[:77])


def test_thread_split_invariance():
    # 2^20 float32 uniform numbers (threaded) equal 16 separate small fills.
    a = np.empty(1 << 20, np.float32)
    P.philox_uniform(9, 100, a)
    parts = []
    for s in range(16):
        p = np.empty(1 << 16, np.float32)
        P.philox_uniform(9, 100 + s * (1 << 14), p)
        parts.append(p)
    np.testing.assert_array_equal(np.concatenate(parts), a)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_uniform_distribution(dtype):
    a = np.empty(1 << 20, dtype)
    P.philox_uniform(2024, 0, a)
    assert a.min() >= 0 and a.max() < 1
    assert abs(a.mean() - 0.5) < 3e-3
    assert abs(a.var() - 1 / 12) < 1e-3
    assert stats.kstest(a, "uniform").pvalue > 1e-4


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_normal_distribution(dtype):
    a = np.empty(1 << 20, dtype)
    P.philox_normal(2024, 0, a)
    assert np.isfinite(a).all()
    assert abs(a.mean()) < 5e-3
    assert abs(a.var() - 1) < 1e-2
    assert stats.kstest(a, "norm").pvalue > 1e-4
    # even (cos) and odd (sin) elements are each standard normal
    assert stats.kstest(a[::2], "norm").pvalue > 1e-4
    assert stats.kstest(a[1::2], "norm").pvalue > 1e-4


def test_bits_distribution():
    a = np.empty(1 << 18, np.uint32)
    P.philox_bits(1, 0, a)
    bits = np.unpackbits(a.view(np.uint8))
    assert abs(bits.mean() - 0.5) < 2e-3
    b = np.empty(1 << 17, np.uint64)
    P.philox_bits(1, 0, b)
    np.testing.assert_array_equal(b.view(np.uint32), a[: 1 << 18])  # little-endian words


def test_seed_offset_wrap():
    a = np.empty(8, np.float32)
    b = np.empty(8, np.float32)
    P.philox_uniform(-1, -4, a)                 # taken modulo 2^64
    P.philox_uniform((1 << 64) - 1, (1 << 64) - 4, b)
    np.testing.assert_array_equal(a, b)


def test_validation():
    with pytest.raises(TypeError, match="float32 or float64"):
        P.philox_uniform(0, 0, np.empty(4, np.int32))
    with pytest.raises(TypeError, match="uint32 or uint64"):
        P.philox_bits(0, 0, np.empty(4, np.float32))
    with pytest.raises(ValueError, match="C-contiguous"):
        P.philox_normal(0, 0, np.empty(8, np.float32)[::2])
    ro = np.empty(4, np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        P.philox_uniform(0, 0, ro)
    with pytest.raises(TypeError, match="seed must be an integer"):
        P.philox_uniform(1.5, 0, np.empty(4, np.float32))
    with pytest.raises(ValueError):
        P.philox_block((0, 0, 0), (0, 0))
    with pytest.raises(ValueError):
        P.philox_block((0, 0, 0, 1 << 32), (0, 0))
    assert P.philox_uniform(0, 0, np.empty(0, np.float32)) == 0
