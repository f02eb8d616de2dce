/* OS-level memory for the CPU caching allocator (pool.pyx) and its size
 * classes.  The free lists, the lock and the statistics live in pool.pyx.
 *
 * Size classes:
 *   0                 -> 0 (no memory; a static aligned address)
 *   1 .. 512          -> 512
 *   513 .. 1 MiB      -> next power of two (1 KiB, 2 KiB, ..., 1 MiB)
 *   > 1 MiB           -> next multiple of 2 MiB (a 64 MiB tensor is exactly
 *                        one class, so it is reused without waste)
 * Small classes come from posix_memalign(64); large ones are mmap'd on a
 * 2 MiB boundary and marked MADV_HUGEPAGE, so their first touch faults
 * 2 MiB at a time and they use few TLB entries.
 */
#ifndef RUSTORCH_POOL_H
#define RUSTORCH_POOL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#define RT_POOL_MMAP 1
#elif defined(_WIN32)
#include <malloc.h>
#endif

#define RT_POOL_ALIGN 64
#define RT_SMALL_MIN ((size_t)512)
#define RT_SMALL_MAX ((size_t)1 << 20)
#define RT_LARGE_UNIT ((size_t)2 << 20)
#define RT_NSMALL 12   /* 512 B .. 1 MiB: 2^9 .. 2^20 */

/* Size class of a request; 0 for 0 bytes; (size_t)-1 when it overflows. */
static size_t rt_pool_class(size_t n)
{
    if (n == 0) return 0;
    if (n <= RT_SMALL_MIN) return RT_SMALL_MIN;
    if (n <= RT_SMALL_MAX) {
        size_t c = RT_SMALL_MIN;
        while (c < n) c <<= 1;
        return c;
    }
    if (n > SIZE_MAX - RT_LARGE_UNIT) return (size_t)-1;
    return (n + RT_LARGE_UNIT - 1) / RT_LARGE_UNIT * RT_LARGE_UNIT;
}

/* Index of a small class in the bin array (c is 512 .. 1 MiB, a power of 2). */
static int rt_pool_bin(size_t c)
{
    int b = 0;
    while ((RT_SMALL_MIN << b) < c) b++;
    return b;
}

/* Fresh memory of class size c (c > 0) from the OS, 64-byte aligned; NULL on
 * failure.  Not zeroed (mmap'd memory happens to be, until reused). */
static void *rt_os_alloc(size_t c)
{
#ifdef RT_POOL_MMAP
    if (c > RT_SMALL_MAX) {
        /* Over-allocate by one unit, then cut the mapping down to a 2 MiB
         * aligned range so transparent huge pages can back it. */
        size_t len = c + RT_LARGE_UNIT;
        char *p = (char *)mmap(NULL, len, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == (char *)MAP_FAILED) return NULL;
        uintptr_t a = ((uintptr_t)p + RT_LARGE_UNIT - 1) & ~(uintptr_t)(RT_LARGE_UNIT - 1);
        size_t head = (size_t)(a - (uintptr_t)p), tail = len - head - c;
        if (head) munmap(p, head);
        if (tail) munmap((char *)a + c, tail);
#ifdef MADV_HUGEPAGE
        madvise((void *)a, c, MADV_HUGEPAGE);
#endif
        return (void *)a;
    }
#endif
#ifdef _WIN32
    return _aligned_malloc(c, RT_POOL_ALIGN);
#else
    void *p = NULL;
    if (posix_memalign(&p, RT_POOL_ALIGN, c) != 0) return NULL;
    return p;
#endif
}

static void rt_os_free(void *p, size_t c)
{
#ifdef RT_POOL_MMAP
    if (c > RT_SMALL_MAX) { munmap(p, c); return; }
#endif
#ifdef _WIN32
    _aligned_free(p);
#else
    free(p);
#endif
}

/* A cached block stores its free-list link in its own first bytes. */
typedef struct rt_fnode {
    struct rt_fnode *next;
    size_t size;
} rt_fnode;

#endif /* RUSTORCH_POOL_H */
