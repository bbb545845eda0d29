// examples/common/complex_fit.hpp — protocol D (docs/protocols.md): fit an image with the Kronecker
// ("complex") encoding and a depth-0 model, by the separable closed form or by Adam on the separable
// gradient (used by fit_2d and complex_vs_mlp). Defined in complex_fit.cpp (posenc_examples_lib).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "common/image.hpp"
#include "posenc/core/types.hpp"

namespace posenc::examples {

/// Settings of a Kronecker fit.
struct ComplexFitOptions {
    double sigma = 0;          ///< Gaussian width of the per-axis basis
    Index dim = 0;             ///< D, shifts per axis (t_d = d / D, bounded, not rescaled)
    bool closed_form = true;   ///< separable ridge closed form; false = Adam on W
    double lambda = 0.1;       ///< ridge penalty of the closed form
    int steps = 500;           ///< Adam steps (closed_form = false)
    double lr = 1e-3;          ///< Adam learning rate
    int eval_every = 0;        ///< Adam: record the test PSNR every this many steps (0 = never)
};

/// One point of an Adam run's test-PSNR curve.
struct ComplexCurvePoint {
    int step = 0;          ///< Adam updates applied
    double seconds = 0;    ///< fit time so far, excluding the time spent on these evaluations
    double test_psnr = 0;  ///< PSNR (dB) of the clipped test prediction at that point
};

/// What a Kronecker fit produced.
struct ComplexFitResult {
    double train_psnr = 0, test_psnr = 0;  ///< PSNR (dB) of predictions clipped to [0, 1]
    double seconds = 0;                    ///< wall time: bases + fit (+ nothing else)
    double seconds_per_step = 0;           ///< 0 for the closed form
    Mat<float> full;                       ///< prediction at every pixel (C x S*S, column r*S + c), clipped
    std::vector<ComplexCurvePoint> curve;  ///< Adam with eval_every > 0: test PSNR during the fit
};

/// Protocol D on an S x S image (train: even rows and columns, test: odd rows and columns; pixel (r, c) at
/// (x, y) = (c / S, r / S)): per-axis Gaussian bases Px, Py and the model Y_c = Py^T W_c Px.
ComplexFitResult complex_fit(const Image& img, const ComplexFitOptions& o,
                             const std::function<void(int, double)>& on_step = {});

}  // namespace posenc::examples
