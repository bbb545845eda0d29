// posenc_consumer: a user program built against posenc (installed package, add_subdirectory or
// FetchContent; see CMakeLists.txt). Encodes three points with a Gaussian shifted basis, prints the
// codes, checks a few properties, builds the same encoder by name through the runtime factory and
// compares. Prints "posenc_consumer: OK" and returns 0 on success.
#include <cmath>
#include <cstdio>
#include <iostream>

#include <posenc/core/error.hpp>
#include <posenc/encoding/factory.hpp>
#include <posenc/encoding/profiles/gaussian.hpp>
#include <posenc/encoding/shifted_basis.hpp>

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
