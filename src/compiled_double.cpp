// src/compiled_double.cpp — posenc::compiled (include/posenc/compiled.hpp): the double instantiations.
#include "posenc/compiled.hpp"

POSENC_COMPILED_SET(template, double)
