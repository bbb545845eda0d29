// posenc/nn/callbacks.hpp — composable training callbacks (ensmallen style), one per file since
// 2026-12-02: nn/train/callback.hpp (the protocol), progress.hpp, early_stop.hpp, nan_guard.hpp, and
// result.hpp (StepInfo, TrainResult). This header includes them all.
#pragma once
#include "posenc/nn/train/callback.hpp"
#include "posenc/nn/train/early_stop.hpp"
#include "posenc/nn/train/nan_guard.hpp"
#include "posenc/nn/train/progress.hpp"
#include "posenc/nn/train/result.hpp"
