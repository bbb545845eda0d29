// examples/common/complex_fit.cpp — protocol D's Kronecker fit (complex_fit.hpp), compiled once for
// the examples that use it.
#include "common/complex_fit.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "posenc/encoding/profiles/gaussian.hpp"
#include "posenc/encoding/shifted_basis.hpp"
#include "posenc/nn/optim/adam.hpp"
#include "posenc/nn/solvers/kronecker2d.hpp"

namespace posenc::examples {

namespace {
/// Ny x Nx grid of channel k of `img` at rows r0, r0+2, ... and columns c0, c0+2, ...
Mat<double> subgrid(const Image& img, int k, int r0, int c0) {
    const int ny = (img.height - r0 + 1) / 2, nx = (img.width - c0 + 1) / 2;
    Mat<double> G(ny, nx);
    for (int i = 0; i < ny; ++i)
        for (int j = 0; j < nx; ++j) G(i, j) = img.at(r0 + 2 * i, c0 + 2 * j, k);
    return G;
}
/// Coordinates first/step, first+2/step, ... (n values) as a 1 x n row.
Mat<double> axis_coords(int first, int n, int S) {
    Mat<double> X(1, n);
    for (int i = 0; i < n; ++i) X(0, i) = double(first + 2 * i) / double(S);
    return X;
}
/// PSNR of the clipped prediction against the grids.
double psnr(const std::vector<Mat<double>>& P, const std::vector<Mat<double>>& Y) {
    double se = 0, n = 0;
    for (std::size_t c = 0; c < Y.size(); ++c) {
        se += (P[c].cwiseMax(0.0).cwiseMin(1.0) - Y[c]).squaredNorm();
        n += double(Y[c].size());
    }
    return -10.0 * std::log10(se / n);
}
}  // namespace

// Declared and documented in complex_fit.hpp.
ComplexFitResult complex_fit(const Image& img, const ComplexFitOptions& o,
                             const std::function<void(int, double)>& on_step) {
    detail::require(img.height == img.width, "complex encoding: the image must be square (got " +
                                                 std::to_string(img.height) + " x " + std::to_string(img.width) + ")");
    detail::require(o.dim > 0, "complex encoding: --dim (shifts per axis) must be > 0");
    const int S = img.width, C = img.channels;
    const auto t0 = std::chrono::steady_clock::now();
    const ShiftedBasis<Gaussian, double> basis(Gaussian(o.sigma), o.dim, Domain::Bounded, Scaling::None);
    const Mat<double> px_train = encode(basis, axis_coords(0, (S + 1) / 2, S));  // D x S/2; Py = Px
    std::vector<Mat<double>> Ytr, Yte;
    for (int k = 0; k < C; ++k) {
        Ytr.push_back(subgrid(img, k, 0, 0));
        Yte.push_back(subgrid(img, k, 1, 1));
    }

    ComplexFitResult r;
    KroneckerLinear<double> model(o.dim, o.dim, C);
    double eval_seconds = 0;  // time spent on curve evaluations, not counted in r.seconds
    Mat<double> px_eval;
    auto record = [&](int step) {
        const auto e0 = std::chrono::steady_clock::now();
        if (px_eval.size() == 0) px_eval = encode(basis, axis_coords(1, S / 2, S));
        const double p = psnr(model.predict_grid(px_eval, px_eval), Yte);
        const auto e1 = std::chrono::steady_clock::now();
        eval_seconds += std::chrono::duration<double>(e1 - e0).count();
        const double t = std::chrono::duration<double>(e1 - t0).count() - eval_seconds;
        r.curve.push_back({step, t, p});
    };
    if (o.closed_form) {
        model = fit_kronecker_ridge<double>(px_train, px_train, Ytr, o.lambda);
    } else {
        detail::require(o.steps > 0, "complex encoding: --steps must be > 0");
        AdamOptions ao;
        ao.lr = o.lr;
        Adam<double> adam(ao);
        auto params = model.parameters();
        const double count = double(Ytr[0].size()) * C;
        for (int s = 0; s < o.steps; ++s) {
            const std::vector<Mat<double>> P = model.predict_grid(px_train, px_train);
            std::vector<Mat<double>> dY(static_cast<std::size_t>(C));
            double se = 0;
            for (int k = 0; k < C; ++k) {
                const Mat<double> diff = P[std::size_t(k)] - Ytr[std::size_t(k)];
                se += diff.squaredNorm();
                dY[std::size_t(k)] = (2.0 / count) * diff;
            }
            model.backward_grid(px_train, px_train, dY);
            adam.step(params);
            if (on_step) on_step(s + 1, se / count);
            if (o.eval_every > 0 && ((s + 1) % o.eval_every == 0 || s + 1 == o.steps)) record(s + 1);
        }
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() - eval_seconds;
    r.seconds_per_step = o.closed_form ? 0.0 : r.seconds / o.steps;

    r.train_psnr = psnr(model.predict_grid(px_train, px_train), Ytr);
    const Mat<double> px_test = encode(basis, axis_coords(1, S / 2, S));
    r.test_psnr = psnr(model.predict_grid(px_test, px_test), Yte);

    Mat<double> all(1, S);
    for (int i = 0; i < S; ++i) all(0, i) = double(i) / S;
    const Mat<double> pa = encode(basis, all);
    const std::vector<Mat<double>> full = model.predict_grid(pa, pa);
    r.full.resize(C, Index(S) * S);
    for (int k = 0; k < C; ++k)
        for (int row = 0; row < S; ++row)
            for (int col = 0; col < S; ++col)
                r.full(k, Index(row) * S + col) = float(std::clamp(full[std::size_t(k)](row, col), 0.0, 1.0));
    return r;
}

}  // namespace posenc::examples
