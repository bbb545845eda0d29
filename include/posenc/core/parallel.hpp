// posenc/core/parallel.hpp — OpenMP pragmas that vanish (without warnings) when OpenMP is off.
#pragma once

#if defined(_OPENMP)
#include <omp.h>
#define POSENC_PRAGMA(x) _Pragma(#x)
#define POSENC_OMP(x) POSENC_PRAGMA(omp x)
#else
#define POSENC_OMP(x)
#endif

namespace posenc {
/// Number of threads posenc's own parallel loops use (OpenMP's setting; 1 without OpenMP).
inline int num_threads() {
#if defined(_OPENMP)
    return omp_get_max_threads();
#else
    return 1;
#endif
}
/// Inside a parallel region: the calling thread's number in its team, 0 .. team_size() - 1 (0 without
/// OpenMP or outside a region). Loops split work as [N t / n, N (t + 1) / n).
inline int thread_index() {
#if defined(_OPENMP)
    return omp_get_thread_num();
#else
    return 0;
#endif
}
/// Inside a parallel region: the number of threads in the team (1 without OpenMP or outside a region).
inline int team_size() {
#if defined(_OPENMP)
    return omp_get_num_threads();
#else
    return 1;
#endif
}
}  // namespace posenc
