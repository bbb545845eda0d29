// tests/compile_time/user_posenc.cpp — the user's program of the compile-time report
// (tests/compile_time.cmake): a Gaussian shifted basis, a depth-0 Model<float>, Adam, train().
// Same job as user_eigen.cpp, written against posenc.
#include <posenc/posenc.hpp>

#include <cmath>
#include <cstdio>

int main() {
    using namespace posenc;
    const Index N = 256;
    Mat<float> X(1, N), Y(1, N);
    for (Index i = 0; i < N; ++i) {
        X(0, i) = float(i) / N;
        Y(0, i) = 0.5f + 0.4f * std::sin(40.0f * X(0, i)) * (X(0, i) > 0.5f ? 1.0f : 0.3f);
    }
    ShiftedBasis<Gaussian, float> basis(Gaussian(0.005), 2000);
    Model<float> model(AnyEncoder<float>(basis), MlpConfig{.input_dim = 1, .output_dim = 1, .depth = 0});
    Adam<float> adam(AdamOptions{.lr = 1e-2});
    const TrainResult r = train(model, X, Y, adam, TrainOptions{.steps = 500});
    std::printf("final loss %g, PSNR %.1f dB\n", r.final_loss, metrics::psnr(model.predict(X), Y));
}
