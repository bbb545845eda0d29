// posenc/nn/param.hpp — kept so existing includes work: Param<T> lives in posenc/core/param.hpp
// (since 2026-12-02), where encodings, which may own trainable parameters, can reach it.
#pragma once
#include "posenc/core/param.hpp"
