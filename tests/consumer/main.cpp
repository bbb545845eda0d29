// posenc_consumer: a user program built against posenc (installed package, add_subdirectory or
// FetchContent; see CMakeLists.txt). Encodes three points with a Gaussian shifted basis, prints the
// codes, checks a few properties, builds the same encoder by name through the runtime factory and
// compares. With POSENC_CONSUMER_FULL (the default) it also fits a tiny encoder + MLP model with Adam
// and round-trips it through the model-file format, through the umbrella header: every public header
// must then compile warning-free (-Werror) without OpenMP. Prints "posenc_consumer: OK" on success.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>

#if POSENC_CONSUMER_FULL
#include <posenc/io/model_file.hpp>
#include <posenc/posenc.hpp>
#else
#include <posenc/encoding/factory.hpp>
#include <posenc/encoding/profiles/gaussian.hpp>
#include <posenc/encoding/shifted_basis.hpp>
#endif

namespace {
int failures = 0;
void expect(bool ok, const char* what) {
    if (!ok) {
        std::cerr << "posenc_consumer: FAILED: " << what << "\n";
        ++failures;
    }
}
}  // namespace

int main() {
    const posenc::Index D = 16;
    const posenc::ShiftedBasis<posenc::Gaussian, double> enc(posenc::Gaussian(0.05), D);
    posenc::Mat<double> X(1, 3);
    X << 0.0, 0.5, 1.0;
    const posenc::Mat<double> codes = posenc::encode(enc, X);

    std::cout << "Gaussian shifted basis, sigma 0.05, D " << D << ", points 0, 0.5, 1 (one per row):\n";
    std::cout << codes.transpose().format(Eigen::IOFormat(4)) << "\n";

    expect(codes.rows() == D && codes.cols() == 3, "codes are D x N");
    expect(std::abs(codes.col(1).norm() - 1.0) < 1e-12, "the code of x = 0.5 has unit norm");
    for (posenc::Index n = 0; n < 3; ++n) {
        posenc::Index peak = 0;
        codes.col(n).maxCoeff(&peak);
        // Shifts are t_d = d / D: the largest entry is at the shift nearest to x (clamped to D - 1).
        const auto nearest = std::min<posenc::Index>(D - 1, posenc::Index(std::lround(X(0, n) * D)));
        expect(peak == nearest, "each code peaks at the shift nearest to its point");
    }
    // The runtime factory: same encoder by name, in float.
    const auto named = posenc::make_encoder<float>(posenc::EncoderSpec{"gaussian", {{"sigma", 0.05}, {"dim", 16}}, {}});
    const posenc::Mat<float> X32 = X.cast<float>();
    const posenc::Mat<float> codes32 = posenc::encode(named, X32);
    std::cout << "factory: " << posenc::to_string(named.spec()) << "\n";
    expect(codes32.rows() == D && codes32.cols() == 3, "factory codes are D x N");
    expect((codes32.cast<double>() - codes).cwiseAbs().maxCoeff() < 1e-6, "factory (float) == ShiftedBasis (double)");
    try {
        posenc::make_encoder<float>(posenc::EncoderSpec{"gausian", {{"sigma", 0.05}, {"dim", 16}}, {}});
        expect(false, "an unknown encoder name throws posenc::Error");
    } catch (const posenc::Error& e) {
        std::cout << "unknown name rejected: " << e.what() << "\n";
    }
#if POSENC_CONSUMER_FULL
    // A model: the factory's encoder + an MLP, fitted with Adam to sin(2 pi x) on 32 points.
    {
        posenc::MlpConfig cfg;
        cfg.output_dim = 1;
        cfg.width = 16;
        cfg.depth = 1;
        cfg.seed = 1;
        posenc::Model<float> model(named, cfg);
        posenc::Mat<float> Xt(1, 32), Yt(1, 32);
        for (posenc::Index i = 0; i < 32; ++i) {
            Xt(0, i) = float(i) / 31.0f;
            Yt(0, i) = float(std::sin(6.283185307179586 * Xt(0, i)));
        }
        posenc::AdamOptions aopt;
        aopt.lr = 1e-2;
        posenc::Adam<float> adam(aopt);
        posenc::TrainOptions topt;
        topt.steps = 200;
        const double before = (model.predict(Xt) - Yt).squaredNorm() / 32.0;
        const posenc::TrainResult r = posenc::train(model, Xt, Yt, adam, topt);
        std::cout << "fit: mse " << before << " -> " << r.final_loss << " (" << r.message << ")\n";
        expect(r.final_loss < 0.1 * before, "training reduces the loss at least 10x");
        const std::string bytes = posenc::model_to_bytes(model);
        const posenc::Model<float> loaded = posenc::model_from_bytes<float>(bytes);
        expect(loaded.predict(Xt) == model.predict(Xt), "a saved and loaded model predicts identically");
    }
#endif
    try {
        posenc::ShiftedBasis<posenc::Gaussian, double> bad(posenc::Gaussian(0.05), 0);
        expect(false, "D = 0 throws posenc::Error");
    } catch (const posenc::Error& e) {
        std::cout << "D = 0 rejected: " << e.what() << "\n";
    }
    if (failures) return 1;
    std::cout << "posenc_consumer: OK\n";
    return 0;
}
