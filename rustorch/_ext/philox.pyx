# cython: language_level=3
"""Philox4x32-10 random numbers: the one stream layout every backend shares.

The generator
-------------
Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy
as 1, 2, 3", SC'11; Random123's ``philox4x32`` with 10 rounds).  A block maps
a 128-bit counter (c0, c1, c2, c3) and a 64-bit key (k0, k1) to four 32-bit
words w0..w3.  One round::

    (hi0, lo0) = 0xD2511F53 * c0        (32x32 -> 64-bit product)
    (hi1, lo1) = 0xCD9E8D57 * c2
    c = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)

and before rounds 2..10 the key is bumped: k0 += 0x9E3779B9, k1 += 0xBB67AE85
(mod 2^32).  ``philox_block(ctr, key)`` runs one block, for known-answer tests.

Streams
-------
For a seed ``s`` (uint64) and an offset ``o`` (uint64, counted in blocks):

* key = (s & 0xffffffff, s >> 32)
* block ``b`` of a fill uses counter c = o + b (mod 2^64):
  (c & 0xffffffff, c >> 32, 0, 0)

Each fill returns the number of blocks it consumed, ceil(n / K) with K the
elements per block below; the caller adds it to its offset.  Element ``i`` of
a fill depends only on (s, o, i), so any backend may compute elements in any
order or in parallel.  A fill of n elements then one of m elements at the
returned offset equals one fill of n + m elements when n is a multiple of K
(otherwise the unused words of the first fill's last block are skipped).

Layouts (w0..w3 are the words of block o + i // K; ``u64(a, b)`` is
``w_a | w_b << 32``, i.e. the lower-numbered word is the low half)

=====================  ===  ==================================================
fill                   K    element i
=====================  ===  ==================================================
uniform float32        4    (w[i%4] >> 8) * 2^-24                  in [0, 1)
uniform float64        2    (u64(2j, 2j+1) >> 11) * 2^-53, j = i%2 in [0, 1)
normal float32         4    pair p = (i%4) // 2:
                            u1 = ((w[2p] >> 8) + 1) * 2^-24        in (0, 1]
                            u2 = (w[2p+1] >> 8) * 2^-24            in [0, 1)
                            r = sqrt(-2 log u1), t = 2 pi u2  (float32 maths)
                            i even: r cos t;  i odd: r sin t
normal float64         2    u1 = ((u64(0, 1) >> 11) + 1) * 2^-53  in (0, 1]
                            u2 = (u64(2, 3) >> 11) * 2^-53        in [0, 1)
                            r = sqrt(-2 log u1), t = 2 pi u2  (float64 maths)
                            i even: r cos t;  i odd: r sin t
bits uint32            4    w[i%4]
bits uint64            2    u64(2j, 2j+1), j = i%2
=====================  ===  ==================================================

Uniforms and bits are bit-exact on every backend.  Normals go through log,
cos and sin, whose implementations differ between libraries (here glibc's
libmvec, within 4 ulp), so backends agree to a few ulp, not bit for bit.

API
---
``philox_block(ctr, key) -> (w0, w1, w2, w3)``
``philox_uniform(seed, offset, out) -> blocks``  (out float32 or float64)
``philox_normal(seed, offset, out) -> blocks``   (out float32 or float64)
``philox_bits(seed, offset, out) -> blocks``     (out uint32 or uint64)

``out`` is any C-contiguous, aligned, writable array of that dtype (any
shape; it is filled in C order).  seed and offset are taken modulo 2^64.

Example::

    >>> import numpy as np
    >>> from rustorch._ext.philox import philox_uniform
    >>> a = np.empty(10, np.float32)
    >>> philox_uniform(42, 0, a)        # 10 floats use 3 blocks
    3
"""
import operator

import numpy as np
cimport numpy as cnp
from libc.stdint cimport int64_t, uint32_t, uint64_t

from rustorch._ext.arraycheck cimport check_contiguous

cnp.import_array()

cdef extern from "philox.h" nogil:
    void rt_philox4x32_10(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                          uint32_t k0, uint32_t k1, uint32_t w[4])
    void rt_philox_uniform_f32(uint64_t seed, uint64_t offset, int64_t n, float *out)
    void rt_philox_uniform_f64(uint64_t seed, uint64_t offset, int64_t n, double *out)
    void rt_philox_normal_f32(uint64_t seed, uint64_t offset, int64_t n, float *out)
    void rt_philox_normal_f64(uint64_t seed, uint64_t offset, int64_t n, double *out)
    void rt_philox_bits_u32(uint64_t seed, uint64_t offset, int64_t n, uint32_t *out)
    void rt_philox_bits_u64(uint64_t seed, uint64_t offset, int64_t n, uint64_t *out)

cdef object _MASK64 = (1 << 64) - 1
cdef object _MASK32 = (1 << 32) - 1
cdef object _F32 = np.dtype(np.float32)
cdef object _F64 = np.dtype(np.float64)
cdef object _U32 = np.dtype(np.uint32)
cdef object _U64 = np.dtype(np.uint64)


def philox_block(ctr, key):
    """One Philox4x32-10 block: ctr (4 uint32), key (2 uint32) -> 4 uint32.

    Example (Random123 known answer)::

        >>> [hex(w) for w in philox_block((0, 0, 0, 0), (0, 0))]
        ['0x6627e8d5', '0xe169c58d', '0xbc57ac4c', '0x9b00dbd8']
    """
    c = [operator.index(v) for v in ctr]
    k = [operator.index(v) for v in key]
    if len(c) != 4 or len(k) != 2:
        raise ValueError(f"philox_block: ctr needs 4 words and key 2, got {len(c)} and {len(k)}")
    for v in c + k:
        if v < 0 or v > _MASK32:
            raise ValueError(f"philox_block: words must be uint32, got {v}")
    cdef uint32_t w[4]
    rt_philox4x32_10(c[0], c[1], c[2], c[3], k[0], k[1], w)
    return (w[0], w[1], w[2], w[3])


cdef inline uint64_t _u64(str fn, str name, v) except? 0:
    try:
        return operator.index(v) & _MASK64
    except TypeError:
        raise TypeError(f"{fn}: {name} must be an integer, got {type(v).__name__}") from None


cdef enum _Kind:
    _UNIFORM
    _NORMAL
    _BITS


cdef inline void _run(_Kind kind, bint wide, uint64_t s, uint64_t o, int64_t n,
                      void *p) noexcept nogil:
    if kind == _UNIFORM:
        if wide:
            rt_philox_uniform_f64(s, o, n, <double *>p)
        else:
            rt_philox_uniform_f32(s, o, n, <float *>p)
    elif kind == _NORMAL:
        if wide:
            rt_philox_normal_f64(s, o, n, <double *>p)
        else:
            rt_philox_normal_f32(s, o, n, <float *>p)
    else:
        if wide:
            rt_philox_bits_u64(s, o, n, <uint64_t *>p)
        else:
            rt_philox_bits_u32(s, o, n, <uint32_t *>p)


cdef object _fill(str fn, _Kind kind, seed, offset, cnp.ndarray out):
    """The body of philox_uniform/normal/bits: check, fill, return blocks used.
    A 4-byte dtype takes 4 elements per block, an 8-byte one 2."""
    cdef uint64_t s = _u64(fn, "seed", seed), o = _u64(fn, "offset", offset)
    check_contiguous(fn, "out", out, True)
    cdef int64_t n = cnp.PyArray_SIZE(out)
    cdef void *p = cnp.PyArray_DATA(out)
    cdef bint wide
    dt = out.dtype
    if kind == _BITS:
        narrow_dt, wide_dt, expected = _U32, _U64, "uint32 or uint64"
    else:
        narrow_dt, wide_dt, expected = _F32, _F64, "float32 or float64"
    if dt == narrow_dt:
        wide = False
    elif dt == wide_dt:
        wide = True
    else:
        raise TypeError(f"{fn}: out must be {expected} (native byte order), got {dt}")
    with nogil:
        _run(kind, wide, s, o, n, p)
    return (n + 1) // 2 if wide else (n + 3) // 4


def philox_uniform(seed, offset, cnp.ndarray out not None):
    """Fill out (float32/float64) with uniforms in [0, 1); return blocks used.

    Example::

        >>> a = np.empty(4, np.float64); philox_uniform(0, 0, a)
        2
    """
    return _fill("philox_uniform", _UNIFORM, seed, offset, out)


def philox_normal(seed, offset, cnp.ndarray out not None):
    """Fill out (float32/float64) with standard normals; return blocks used.

    Example::

        >>> a = np.empty(8, np.float32); philox_normal(0, 0, a)
        2
    """
    return _fill("philox_normal", _NORMAL, seed, offset, out)


def philox_bits(seed, offset, cnp.ndarray out not None):
    """Fill out (uint32/uint64) with random words; return blocks used.

    Example::

        >>> a = np.empty(3, np.uint64); philox_bits(7, 0, a)
        2
    """
    return _fill("philox_bits", _BITS, seed, offset, out)
