/* CPU / OpenMP facts for rustorch._ext.cpuinfo. */
#ifndef RUSTORCH_CPUINFO_H
#define RUSTORCH_CPUINFO_H

#ifdef _OPENMP
#include <omp.h>
#endif

/* The clone GCC's target_clones("avx512f", "avx2", "default") resolver
 * picks on this CPU (the kernels of elementwise.h / copy.h / reduce.h). */
static const char *ci_isa(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return "avx512f";
    if (__builtin_cpu_supports("avx2")) return "avx2";
    return "default";
#elif defined(__aarch64__) || defined(__ARM_NEON)
    return "neon";
#else
    return "default";
#endif
}

static int ci_openmp(void)
{
#ifdef _OPENMP
    return 1;
#else
    return 0;
#endif
}

static void ci_set_num_threads(int n)
{
#ifdef _OPENMP
    omp_set_num_threads(n);
#else
    (void)n;
#endif
}

static int ci_get_num_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();   /* team size of the next parallel region */
#else
    return 1;
#endif
}

static int ci_num_procs(void)
{
#ifdef _OPENMP
    return omp_get_num_procs();
#else
    return 1;
#endif
}

#endif /* RUSTORCH_CPUINFO_H */
