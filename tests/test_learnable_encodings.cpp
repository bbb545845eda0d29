// Learnable encodings (encoding/learnable_fourier.hpp, encoding/learnable_gaussian.hpp): the initial
// codes equal the fixed encodings they start from, every backward pass (coordinates and parameters,
// alone and through a Model) against central finite differences in double, training moves the
// parameters and lowers the loss, model files and the safetensors export keep the trained tensors,
// bad parameters and inputs throw posenc::Error naming them.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "nn_gradcheck.hpp"
#include "posenc/encoding/factory.hpp"
#include "posenc/encoding/learnable_fourier.hpp"
#include "posenc/encoding/learnable_gaussian.hpp"
#include "posenc/io/model_file.hpp"
#include "posenc/io/safetensors.hpp"
#include "posenc/nn/optim/adam.hpp"
#include "posenc/nn/model.hpp"
#include "posenc/nn/trainer.hpp"

using namespace posenc;
using Catch::Contains;
using posenc::test::fd_gradient;
using posenc::test::rel_error;
using posenc::test::uniform_mat;

namespace {

EncoderSpec lspec(const std::string& type, std::map<std::string, double> params) { return {type, std::move(params), {}}; }

double mse_of(const Mat<double>& a, const Mat<double>& b) { return (a - b).squaredNorm() / double(a.size()); }

/// Checks backward (coordinates) and accumulate_param_grads (every parameter) of `e` against finite
/// differences of L = sum(R .* code(X)).
template <class E>
void check_encoder_gradients(E e, const Mat<double>& X, Rng& rng) {
    const Mat<double> R = uniform_mat(rng, e.output_dim(), X.cols());
    auto loss_at = [&](const Mat<double>& Xe) {
        Mat<double> c(e.output_dim(), Xe.cols());
        e.encode(Xe, c);
        return (R.array() * c.array()).sum();
    };
    Mat<double> dX(X.rows(), X.cols());
    e.backward(X, R, dX);
    Mat<double> Xp = X;
    const Vec<double> fdx = fd_gradient(Xp.data(), Xp.size(), [&] { return loss_at(Xp); }, 1e-6);
    CHECK(rel_error(Eigen::Map<const Vec<double>>(dX.data(), dX.size()), fdx) < 1e-8);

    e.zero_grad();
    e.accumulate_param_grads(X, R);
    for (const Param<double>& p : e.parameters()) {
        INFO(p.name);
        const Vec<double> analytic = p.grads();
        const Vec<double> fd = fd_gradient(p.value, p.size, [&] { return loss_at(X); }, 1e-6);
        CHECK(analytic.norm() > 0);
        CHECK(rel_error(analytic, fd) < 1e-8);
    }
    // accumulate_param_grads adds: a second call doubles the gradient
    std::vector<Vec<double>> once;
    for (const Param<double>& p : e.parameters()) once.push_back(p.grads());
    e.accumulate_param_grads(X, R);
    std::size_t i = 0;
    for (const Param<double>& p : e.parameters()) CHECK(rel_error(p.grads(), 2.0 * once[i++]) < 1e-14);
}

/// Every parameter of a Model (network and encoder) and its input gradient against finite differences.
void check_model_gradients(const AnyEncoder<double>& enc, Index depth, Rng& rng) {
    Model<double> m(enc, MlpConfig{.input_dim = enc.output_dim(), .output_dim = 2, .width = 8, .depth = depth});
    auto params = m.parameters();
    const Mat<double> X = uniform_mat(rng, enc.input_dim(), 17, 0.02, 0.98), R = uniform_mat(rng, 2, 17);
    Model<double>::Context ctx;
    const auto batch = m.prepare(X);
    m.forward(ctx, batch);
    m.backward(ctx, R);
    auto loss = [&] { return (R.array() * m.predict(X).array()).sum(); };
    int encoder_params = 0;
    for (auto& p : params) {
        INFO(p.name << " depth " << depth);
        encoder_params += p.name.rfind("encoder.", 0) == 0;
        const Vec<double> analytic = p.grads();
        const Vec<double> fd = fd_gradient(p.value, p.size, loss, 1e-6);
        CHECK(rel_error(analytic, fd) < 1e-7);
    }
    CHECK(encoder_params == int(enc.parameters().size()));
    CHECK(encoder_params > 0);
    const Mat<double> dX = m.input_gradient(X, R);
    Mat<double> Xp = X;
    auto lossx = [&] { return (R.array() * m.predict(Xp).array()).sum(); };
    const Vec<double> fdx = fd_gradient(Xp.data(), Xp.size(), lossx, 1e-6);
    CHECK(rel_error(Eigen::Map<const Vec<double>>(dX.data(), dX.size()), fdx) < 1e-7);
}

}  // namespace

TEST_CASE("LearnableFourier starts as rff of the same sigma, dim and seed", "[learnable][fourier]") {
    for (Index d : {Index(1), Index(3)}) {
        const auto rff = make_encoder<double>(lspec("rff", {{"sigma", 4}, {"dim", 20}, {"input_dim", double(d)}, {"seed", 7}}));
        const LearnableFourier<double> lf(10, d, 4.0, 7);
        Rng rng(1);
        const Mat<double> X = uniform_mat(rng, d, 30, -0.5, 1.5);
        CHECK((encode(rff, X) - encode(lf, X)).cwiseAbs().maxCoeff() < 1e-12);
        // every code has unit norm with the default scaling
        const Mat<double> C = encode(lf, X);
        for (Index n = 0; n < C.cols(); ++n) CHECK(std::abs(C.col(n).norm() - 1.0) < 1e-12);
    }
}

TEST_CASE("LearnableGaussian starts as the gaussian shifted basis of the same sigma and dim", "[learnable][gaussian]") {
    Rng rng(2);
    const Mat<double> X1 = uniform_mat(rng, 1, 40, 0.0, 1.0);
    const auto g = make_encoder<double>(lspec("gaussian", {{"sigma", 0.03}, {"dim", 64}}));
    const LearnableGaussian<double> lg(64, 0.03);
    // the shifted basis truncates entries below 1e-8 of its peak; everything else agrees
    CHECK((encode(g, X1) - encode(lg, X1)).cwiseAbs().maxCoeff() < 1e-8);
    const Mat<double> X2 = uniform_mat(rng, 2, 40, 0.0, 1.0);
    const auto g2 = make_encoder<double>(lspec("gaussian2", {{"sigma", 0.05}, {"dim", 40}}));
    const LearnableGaussian<double> lg2(40, 0.05, 2);
    CHECK((encode(g2, X2) - encode(lg2, X2)).cwiseAbs().maxCoeff() < 1e-8);
    // the code of the centre has unit norm
    const Mat<double> centre = Mat<double>::Constant(2, 1, 0.5);
    CHECK(std::abs(encode(lg2, centre).norm() - 1.0) < 1e-12);
    // the initial shifts are the ShiftedBasis grid k / D, the widths sigma
    CHECK(lg2.shifts()(7, 1) == 7.0 / 20.0);
    CHECK(std::abs(std::exp(lg2.log_sigma()(3, 0)) - 0.05) < 1e-15);
}

TEST_CASE("LearnableFourier coordinate and frequency gradients match finite differences", "[learnable][fourier][gradcheck]") {
    Rng rng(3);
    for (Index d : {Index(1), Index(2)}) {
        for (Scaling s : {Scaling::UnitNormAtCenter, Scaling::None}) {
            LearnableFourier<double> e(6, d, 2.0, 5, s);
            check_encoder_gradients(e, uniform_mat(rng, d, 9, -0.3, 1.2), rng);
        }
    }
}

TEST_CASE("LearnableGaussian coordinate, shift and width gradients match finite differences", "[learnable][gaussian][gradcheck]") {
    Rng rng(4);
    for (Index d : {Index(1), Index(2)}) {
        LearnableGaussian<double> e(8 * d, 0.15, d);
        // move the parameters off their initial grid so that every entry differs
        for (auto& p : e.parameters())
            for (Index i = 0; i < p.size; ++i) p.value[i] += 0.05 * rng.uniform(-1, 1);
        check_encoder_gradients(e, uniform_mat(rng, d, 11, 0.0, 1.0), rng);
    }
}

TEST_CASE("learnable encoders in a Model: every parameter gradient, encoder.* included, and the input gradient", "[learnable][gradcheck][model]") {
    Rng rng(5);
    const auto lf = make_encoder<double>(lspec("learnable_fourier", {{"sigma", 1.5}, {"dim", 8}, {"input_dim", 2}, {"seed", 2}}));
    const auto lg = make_encoder<double>(lspec("learnable_gaussian", {{"sigma", 0.2}, {"dim", 10}, {"input_dim", 2}}));
    for (Index depth : {Index(0), Index(2)}) {
        check_model_gradients(lf, depth, rng);
        check_model_gradients(lg, depth, rng);
    }
    Model<double> m(lf, MlpConfig{.input_dim = 8, .output_dim = 1, .depth = 1});
    const auto ps = m.parameters();
    CHECK(ps.back().name == "encoder.fourier.B");
    Model<double> mg(lg, MlpConfig{.input_dim = 10, .output_dim = 1, .depth = 1});
    const auto pg = mg.parameters();
    CHECK(pg[pg.size() - 2].name == "encoder.gaussian.shifts");
    CHECK(pg.back().name == "encoder.gaussian.log_sigma");
}

TEST_CASE("training moves the encoders' parameters and lowers the loss", "[learnable][trainer]") {
    const Index N = 128;
    Mat<double> X(1, N), Y(1, N);
    for (Index n = 0; n < N; ++n) {
        X(0, n) = (double(n) + 0.5) / double(N);
        Y(0, n) = 0.5 + 0.3 * std::sin(2 * std::numbers::pi * 5 * X(0, n)) + 0.1 * std::sin(2 * std::numbers::pi * 13 * X(0, n));
    }
    for (const EncoderSpec& s : {lspec("learnable_fourier", {{"sigma", 4}, {"dim", 32}, {"seed", 1}}),
                                 lspec("learnable_gaussian", {{"sigma", 0.05}, {"dim", 32}})}) {
        INFO(s.type);
        const auto enc = make_encoder<double>(s);
        Model<double> m(enc, MlpConfig{.input_dim = enc.output_dim(), .output_dim = 1, .width = 32, .depth = 1});
        std::vector<Vec<double>> before;
        for (const auto& p : m.parameters())
            if (p.name.rfind("encoder.", 0) == 0) before.push_back(p.values());
        const double loss0 = mse_of(m.predict(X), Y);
        Adam<double> adam(AdamOptions{.lr = 5e-3});
        train(m, X, Y, adam, TrainOptions{.steps = 300});
        const double loss1 = mse_of(m.predict(X), Y);
        CHECK(loss1 < 0.05 * loss0);
        std::size_t i = 0;
        for (const auto& p : m.parameters())
            if (p.name.rfind("encoder.", 0) == 0) {
                INFO(p.name);
                CHECK((p.values() - before[i++]).cwiseAbs().maxCoeff() > 1e-3);
            }
        CHECK(i == enc.parameters().size());
    }
}

TEST_CASE("model files and the safetensors export keep the trained encoder tensors", "[learnable][model_file][safetensors]") {
    Rng rng(6);
    const Mat<double> X = uniform_mat(rng, 2, 50, 0.0, 1.0);
    Mat<double> Y(1, 50);
    for (Index n = 0; n < 50; ++n) Y(0, n) = std::sin(5 * X(0, n)) * std::cos(3 * X(1, n));
    for (const EncoderSpec& s : {lspec("learnable_fourier", {{"sigma", 2}, {"dim", 16}, {"input_dim", 2}, {"seed", 4}}),
                                 lspec("learnable_gaussian", {{"sigma", 0.1}, {"dim", 16}, {"input_dim", 2}})}) {
        INFO(s.type);
        Model<double> m(make_encoder<double>(s), MlpConfig{.input_dim = 16, .output_dim = 1, .width = 8, .depth = 1});
        Adam<double> adam(AdamOptions{.lr = 1e-2});
        train(m, X, Y, adam, TrainOptions{.steps = 30});
        const std::string bytes = model_to_bytes(m);
        CHECK(bytes[8] == 2);  // format version 2: encoder tensors
        const Model<double> back = model_from_bytes<double>(bytes);
        CHECK((back.predict(X) - m.predict(X)).cwiseAbs().maxCoeff() == 0.0);
        // a fresh encoder of the same spec predicts differently: the trained tensors came from the file
        Model<double> fresh = back;
        const Model<double> untrained(make_encoder<double>(s), MlpConfig{.input_dim = 16, .output_dim = 1, .width = 8, .depth = 1});
        Model<double> mixed = untrained;
        for (std::size_t i = 0; i < mixed.parameters().size(); ++i)
            if (mixed.parameters()[i].name.rfind("encoder.", 0) != 0) mixed.parameters()[i].values() = fresh.parameters()[i].values();
        CHECK((mixed.predict(X) - m.predict(X)).cwiseAbs().maxCoeff() > 1e-6);
        // float model from the double file: same tensors, rounded
        const Model<float> bf = model_from_bytes<float>(bytes);
        CHECK((bf.predict(X.cast<float>()).cast<double>() - m.predict(X)).cwiseAbs().maxCoeff() < 1e-4);

        const auto ts = safetensors_tensors(m);
        const auto ps = m.parameters();
        int found = 0;
        for (const auto& p : ps) {
            if (p.name.rfind("encoder.", 0) != 0) continue;
            for (const auto& t : ts)
                if (t.name == p.name) {
                    ++found;
                    CHECK(t.value == p.value_matrix());
                }
        }
        CHECK(found == int(make_encoder<double>(s).parameters().size()));
        const auto path = std::filesystem::temp_directory_path() / ("posenc_learnable_" + s.type + ".safetensors");
        export_safetensors(m, path);
        std::ifstream in(path, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        const std::string file = ss.str();
        for (const auto& p : ps)
            if (p.name.rfind("encoder.", 0) == 0) CHECK(file.find("\"" + p.name + "\"") != std::string::npos);
        std::filesystem::remove(path);
    }
}

TEST_CASE("learnable encoders: spec() is the factory's normalised form and rebuilds the encoder", "[learnable][factory]") {
    const auto lf = make_encoder<double>(lspec("learnable_fourier", {{"param", 3}, {"dim", 12}}));
    CHECK(lf.spec() == LearnableFourier<double>(6, 1, 3.0, 0).spec());
    CHECK(lf.spec() == make_encoder<double>(lf.spec()).spec());
    CHECK(lf.has_parameters());
    const auto lg = make_encoder<float>(lspec("learnable_gaussian", {{"param", 0.02}, {"dim", 30}, {"input_dim", 3}}));
    CHECK(lg.spec() == LearnableGaussian<float>(30, 0.02, 3).spec());
    CHECK(lg.output_dim() == 30);
    CHECK(lg.input_dim() == 3);
    const auto lg0 = make_encoder<double>(lspec("learnable_gaussian", {{"sigma", 0.02}, {"dim", 30}, {"scale", 0}}));
    Mat<double> x(1, 1);
    x(0, 0) = 0.2;
    CHECK(encode(lg0, x)(6, 0) == 1.0);  // raw: exp(0) at the shift 6/30 = 0.2
    // AnyEncoder copies own their parameters
    AnyEncoder<double> a = lf, b = a;
    a.parameters()[0].values()(0) += 1.0;
    CHECK(a.parameters()[0].values()(0) != b.parameters()[0].values()(0));
}

TEST_CASE("learnable encoders reject bad parameters and inputs, naming them", "[learnable][factory][errors]") {
    auto msg = [](const EncoderSpec& s) {
        try {
            (void)make_encoder<float>(s);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    CHECK_THAT(msg(lspec("learnable_fourier", {{"dim", 8}})), Contains("missing required parameter \"sigma\""));
    CHECK_THAT(msg(lspec("learnable_fourier", {{"sigma", 1}})), Contains("missing required parameter \"dim\""));
    CHECK_THAT(msg(lspec("learnable_fourier", {{"sigma", -1}, {"dim", 8}})), Contains("parameter \"sigma\" must be > 0"));
    CHECK_THAT(msg(lspec("learnable_fourier", {{"sigma", 1e300}, {"dim", 8}})), Contains("parameter \"sigma\" is too large"));
    CHECK_THAT(msg(lspec("learnable_fourier", {{"sigma", 1}, {"dim", 7}})), Contains("parameter \"dim\" must be a multiple of 2"));
    CHECK_THAT(msg(lspec("learnable_fourier", {{"sigma", 1}, {"dim", 1 << 26}, {"input_dim", 4}})),
               Contains("frequency matrix would have"));
    CHECK_THAT(msg(lspec("learnable_fourier", {{"sigma", 1}, {"dim", 8}, {"seed", -1}})), Contains("parameter \"seed\""));
    CHECK_THAT(msg(lspec("learnable_fourier", {{"sigma", 1}, {"dim", 8}, {"periodic", 1}})), Contains("unknown parameter \"periodic\""));
    CHECK_THAT(msg(lspec("learnable_gaussian", {{"dim", 8}})), Contains("missing required parameter \"sigma\""));
    CHECK_THAT(msg(lspec("learnable_gaussian", {{"sigma", 0}, {"dim", 8}})), Contains("parameter \"sigma\" must be > 0"));
    CHECK_THAT(msg(lspec("learnable_gaussian", {{"sigma", 1e-30}, {"dim", 8}})), Contains("parameter \"sigma\" is too small for float"));
    CHECK_THAT(msg(lspec("learnable_gaussian", {{"sigma", 0.1}, {"dim", 0}})), Contains("parameter \"dim\" must be an integer"));
    CHECK_THAT(msg(lspec("learnable_gaussian", {{"sigma", 0.1}, {"dim", 1e9}})), Contains("parameter \"dim\" must be an integer"));
    CHECK_THAT(msg(lspec("learnable_gaussian", {{"sigma", 0.1}, {"dim", 1 << 25}})), Contains("parameter \"dim\" must be <= 2^24"));
    CHECK_THAT(msg(lspec("learnable_gaussian", {{"sigma", 0.1}, {"dim", 9}, {"input_dim", 2}})),
               Contains("parameter \"dim\" must be a multiple of 2"));
    CHECK_THAT(msg(lspec("learnable_gaussian", {{"sigma", 0.1}, {"dim", 8}, {"scale", 2}})), Contains("parameter \"scale\" must be 0 or 1"));
    // the centre's code underflows float: the unit-norm constant is refused, naming "scale"
    CHECK_THAT(msg(lspec("learnable_gaussian", {{"sigma", 0.02}, {"dim", 1}})), Contains("parameter \"scale\""));
    CHECK_THAT(msg(lspec("learnable_gaussian", {{"sigma", 0.02}, {"dim", 1}, {"scale", 0}})), Contains("(no error)"));

    const LearnableGaussian<double> g(8, 0.1);
    Mat<double> bad(1, 2);
    bad << 0.5, 1.5;
    CHECK_THROWS_WITH(encode(g, bad), Contains("LearnableGaussian: coordinate must be in [0, 1]"));
    bad(0, 1) = std::nan("");
    CHECK_THROWS_WITH(encode(g, bad), Contains("finite"));
    const LearnableFourier<double> f(4, 2, 1.0);
    CHECK_THROWS_WITH(encode(f, bad), Contains("LearnableFourier: input dimension must be 2"));
    CHECK_THROWS_WITH(LearnableFourier<double>(0, 1, 1.0), Contains("num_frequencies"));
    CHECK_THROWS_WITH(LearnableGaussian<double>(8, -1.0), Contains("sigma"));
    CHECK_THROWS_WITH(LearnableGaussian<double>(9, 0.1, 2), Contains("dim must be a positive multiple of input_dim"));
}
