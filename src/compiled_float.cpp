// src/compiled_float.cpp — posenc::compiled (include/posenc/compiled.hpp): the float instantiations.
// (float and double are two translation units so that a parallel build compiles them side by side.)
#include "posenc/compiled.hpp"

POSENC_COMPILED_SET(template, float)

/// The library's ABI tag (include/posenc/compiled.hpp).
int posenc::detail::POSENC_COMPILED_ABI_FN() { return 0; }
