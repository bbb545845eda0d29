// The fused MLP kernel (nn/fused_mlp.hpp) and its product (core/small_gemm.hpp): small_gemm against
// Eigen for every stride form and remainder, the fused passes against Eigen's path (outputs, every
// gradient, the code gradient; shapes off the packet size, one block, many blocks, both threads) and
// against finite differences in double; bitwise repeatable for a fixed thread count.
#include <catch2/catch.hpp>

#include <tuple>
#include <vector>

#include "nn_gradcheck.hpp"
#include "posenc/core/small_gemm.hpp"
#include "posenc/nn/mlp.hpp"

using namespace posenc;
using posenc::test::fd_gradient;
using posenc::test::flat;
using posenc::test::rel_error;
using posenc::test::uniform_mat;

namespace {
double rel_diff(const Mat<double>& a, const Mat<double>& b) {
    return (a - b).cwiseAbs().maxCoeff() / std::max(1e-300, b.cwiseAbs().maxCoeff());
}
}  // namespace

TEST_CASE("small_gemm equals Eigen's product for every operand form", "[fused][small_gemm]") {
    Rng rng(7);
    // m off and on the packet size (16 floats / 8 doubles with AVX-512), n off the tile width, k = 1
    for (const auto& [m, n, k] : std::vector<std::tuple<Index, Index, Index>>{
             {64, 128, 64}, {3, 37, 64}, {37, 5, 3}, {1, 1, 1}, {16, 9, 33}, {70, 3, 128}, {8, 4, 2}}) {
        INFO("m " << m << " n " << n << " k " << k);
        const Mat<double> A = uniform_mat(rng, m, k), B = uniform_mat(rng, k, n), C0 = uniform_mat(rng, m, n);
        const Mat<double> At = A.transpose(), Bt = B.transpose();
        const Mat<double> ref = A * B;
        Mat<double> C = C0;
        // B as it is (sk = 1, sj = k), with and without A^T for the remainder rows
        detail::small_gemm<double>(m, n, k, A.data(), m, B.data(), 1, k, C.data(), m, false, At.data(), k);
        CHECK(rel_diff(C, ref) < 1e-14);
        C = C0;
        detail::small_gemm<double>(m, n, k, A.data(), m, B.data(), 1, k, C.data(), m, false);
        CHECK(rel_diff(C, ref) < 1e-14);
        // B given transposed (sk = n, sj = 1), accumulating
        C = C0;
        detail::small_gemm<double>(m, n, k, A.data(), m, Bt.data(), n, 1, C.data(), m, true);
        CHECK(rel_diff(C, C0 + ref) < 1e-14);
        // float: the same to float rounding
        const Mat<float> Af = A.cast<float>(), Bf = B.cast<float>(), Aft = Af.transpose();
        Mat<float> Cf(m, n);
        detail::small_gemm<float>(m, n, k, Af.data(), m, Bf.data(), 1, k, Cf.data(), m, false, Aft.data(), k);
        CHECK(rel_diff(Cf.cast<double>(), (Af * Bf).cast<double>()) < 1e-5);
    }
}

TEST_CASE("Fused MLP passes equal Eigen's path: outputs, weight, bias and code gradients", "[fused][mlp]") {
    using A = Activation;
    struct Case {
        Index in, out, width, depth;
        ActivationSpec hidden, output;
        Index n;
    };
    const std::vector<Case> cases = {
        {32, 3, 64, 2, {A::ReLU}, {A::Identity}, 3000},    // protocol E's network, many blocks, 2 threads
        {32, 3, 64, 2, {A::ReLU}, {A::Identity}, 1},       // one point
        {5, 2, 7, 3, {A::Tanh}, {A::Sigmoid}, 129},        // widths off the packet size, a partial block
        {3, 1, 17, 1, {A::Sine, 3}, {A::Identity}, 700},   // pre-activations kept (sine)
        {9, 4, 33, 2, {A::Gaussian, 0.8}, {A::Sine, 2}, 600},
        {6, 3, 0, 0, {A::ReLU}, {A::Sigmoid}, 1000},       // depth 0: one linear layer
        {16, 16, 128, 1, {A::ReLU}, {A::Identity}, 257}};
    for (const auto& c : cases) {
        INFO("in " << c.in << " width " << c.width << " depth " << c.depth << " n " << c.n);
        MlpConfig cfg{c.in, c.out, c.width, c.depth, c.hidden, c.output, 11};
        Mlp<double> fused(cfg), eigen(cfg);
        fused.set_kernel(MlpKernel::Fused);
        eigen.set_kernel(MlpKernel::Eigen);
        CHECK(fused.uses_fused());
        CHECK_FALSE(eigen.uses_fused());
        Rng rng(3 + std::uint64_t(c.n));
        const Mat<double> X = uniform_mat(rng, c.in, c.n), dY = uniform_mat(rng, c.out, c.n);
        Mlp<double>::Workspace wf, we;
        const Mat<double> Yf = fused.forward(wf, X), Ye = eigen.forward(we, X);
        CHECK(rel_diff(Yf, Ye) < 1e-13);
        Mat<double> dXf, dXe;
        fused.backward(wf, X, dY, &dXf);
        eigen.backward(we, X, dY, &dXe);
        CHECK(rel_diff(dXf, dXe) < 1e-12);
        for (Index l = 0; l < fused.num_layers(); ++l) {
            INFO("layer " << l);
            CHECK(rel_diff(fused.layer(l).dW, eigen.layer(l).dW) < 1e-12);
            CHECK(rel_diff(fused.layer(l).db, eigen.layer(l).db) < 1e-12);
        }
        // backward_to_first (no codes: the first layer left to the caller) gives the same dZ0
        const Mat<double> dZf = fused.backward_to_first(wf, dY, false);
        const Mat<double> dZe = eigen.backward_to_first(we, dY, false);
        CHECK(rel_diff(dZf, dZe) < 1e-12);
        // a forward by one kernel, the backward by the other: the Workspace layouts agree
        Mlp<double>::Workspace wx;
        eigen.forward(wx, X);
        fused.backward(wx, X, dY, &dXf);
        CHECK(rel_diff(dXf, dXe) < 1e-12);
    }
}

TEST_CASE("Fused MLP gradients match finite differences (double)", "[fused][mlp][gradcheck]") {
    using A = Activation;
    for (const auto& [depth, hidden, output] : std::vector<std::tuple<Index, ActivationSpec, ActivationSpec>>{
             {2, {A::ReLU}, {A::Identity}}, {1, {A::Sine, 2}, {A::Sigmoid}}, {0, {A::ReLU}, {A::Tanh}}}) {
        INFO("depth " << depth);
        MlpConfig cfg{4, 3, 9, depth, hidden, output, 5};
        Mlp<double> net(cfg);
        net.set_kernel(MlpKernel::Fused);
        Rng rng(21);
        Mat<double> X = uniform_mat(rng, 4, 300, 0, 1);  // 3 blocks; both threads take part
        const Mat<double> R = uniform_mat(rng, 3, 300);
        auto loss = [&] { return (net.predict(X).array() * R.array()).sum(); };
        Mlp<double>::Workspace ws;
        net.forward(ws, X);
        Mat<double> dX;
        net.backward(ws, X, R, &dX);
        for (auto& p : net.parameters()) {
            INFO("parameter " << p.name);
            const Vec<double> an = p.grads();
            CHECK(rel_error(an, fd_gradient(p.value, p.size, loss)) < 1e-7);
        }
        CHECK(rel_error(flat(dX), fd_gradient(X.data(), X.size(), loss)) < 1e-7);
    }
}

TEST_CASE("Fused MLP is bitwise repeatable and Auto picks it for small widths only", "[fused][mlp][reproducible]") {
    MlpConfig cfg{32, 3, 64, 2, {Activation::ReLU}, {Activation::Identity}, 2};
    Mlp<float> a(cfg), b(cfg);
    CHECK(a.kernel() == MlpKernel::Auto);
    CHECK(a.uses_fused());
    Rng rng(4);
    const Mat<float> X = uniform_mat(rng, 32, 2000).cast<float>(), dY = uniform_mat(rng, 3, 2000).cast<float>();
    Mlp<float>::Workspace wa, wb;
    CHECK(a.forward(wa, X) == b.forward(wb, X));
    Mat<float> dXa, dXb;
    a.backward(wa, X, dY, &dXa);
    b.backward(wb, X, dY, &dXb);
    CHECK(dXa == dXb);
    for (Index l = 0; l < a.num_layers(); ++l) CHECK(a.layer(l).dW == b.layer(l).dW);
    MlpConfig wide{32, 3, 256, 2, {Activation::ReLU}, {Activation::Identity}, 2};
    CHECK_FALSE(Mlp<float>(wide).uses_fused());
    Mlp<float> forced(wide);
    forced.set_kernel(MlpKernel::Fused);
    CHECK(forced.uses_fused());
    CHECK(std::string(to_string(MlpKernel::Fused)) == "fused");
}
