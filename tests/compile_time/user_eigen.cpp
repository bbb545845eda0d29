// tests/compile_time/user_eigen.cpp — the hand-written plain-Eigen baseline of the compile-time
// report (tests/compile_time.cmake): the job of user_posenc.cpp (Gaussian shifted basis, D = 2000,
// unit norm at x = 0.5, one linear layer, MSE, 500 full-batch Adam steps, PSNR).
#include <Eigen/Core>

#include <cmath>
#include <cstdio>

int main() {
    using Mat = Eigen::MatrixXf;
    const int N = 256, D = 2000;
    const float sigma = 0.005f;
    Mat X(1, N), Y(1, N);
    for (int i = 0; i < N; ++i) {
        X(0, i) = float(i) / N;
        Y(0, i) = 0.5f + 0.4f * std::sin(40.0f * X(0, i)) * (X(0, i) > 0.5f ? 1.0f : 0.3f);
    }
    auto psi = [&](float u) { return std::exp(-u * u / (2 * sigma * sigma)); };
    double sq = 0;
    for (int d = 0; d < D; ++d) sq += double(psi(0.5f - float(d) / D)) * psi(0.5f - float(d) / D);
    const float s = float(1 / std::sqrt(sq));
    Mat P(D, N);
    for (int i = 0; i < N; ++i)
        for (int d = 0; d < D; ++d) P(d, i) = s * psi(X(0, i) - float(d) / D);
    Mat W = Mat::Random(1, D) * std::sqrt(1.0f / D), mW = Mat::Zero(1, D), vW = Mat::Zero(1, D);
    float b = 0, mb = 0, vb = 0;
    const float lr = 1e-2f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
    for (int t = 1; t <= 500; ++t) {
        const Mat out = (W * P).array() + b;
        const Mat dY = 2.0f / N * (out - Y);
        const Mat dW = dY * P.transpose();
        const float db = dY.sum();
        mW = b1 * mW + (1 - b1) * dW;
        vW = b2 * vW + (1 - b2) * dW.cwiseProduct(dW);
        mb = b1 * mb + (1 - b1) * db;
        vb = b2 * vb + (1 - b2) * db * db;
        const float c1 = 1 - std::pow(b1, float(t)), c2 = 1 - std::pow(b2, float(t));
        W.array() -= lr * (mW.array() / c1) / ((vW.array() / c2).sqrt() + eps);
        b -= lr * (mb / c1) / (std::sqrt(vb / c2) + eps);
    }
    const float mse = ((W * P).array() + b - Y.array()).square().mean();
    std::printf("final loss %g, PSNR %.1f dB\n", mse, 10 * std::log10(1 / mse));
}
