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
}  // namespace posenc
