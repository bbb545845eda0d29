// The forward/backward context protocol (docs/nn.md, "Forward and backward"): Mlp, KronMlp and Model
// with caller-owned contexts give bitwise the numbers of the member-state forms, and two contexts do
// not interfere; the first layer as a strategy (DenseCodes, SparseWindows, KronGrid); encoders with
// parameters (a toy learnable encoder, AmplitudeBasis, until real ones exist): parameter views,
// gradients against finite differences in double, train() updating them with the network, the
// safetensors export naming them. Fixed encoders report no parameters.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <vector>

#include "nn_gradcheck.hpp"
#include "posenc/encoding/factory.hpp"
#include "posenc/encoding/profiles/gaussian.hpp"
#include "posenc/encoding/shifted_basis.hpp"
#include "posenc/io/model_file.hpp"
#include "posenc/io/safetensors.hpp"
#include "posenc/nn/optim/adam.hpp"
#include "posenc/nn/first_layer/kron_grid.hpp"
#include "posenc/nn/model.hpp"
#include "posenc/nn/trainer.hpp"

// The member-state forms deprecated on 2026-12-02 are compared against here (docs/migration.md).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

using namespace posenc;
using posenc::test::fd_gradient;
using posenc::test::rel_error;
using posenc::test::uniform_mat;

namespace {

/// A toy learnable encoder for the tests: D Gaussian bumps on [0, 1] with a trainable amplitude each,
/// code_d(x) = a_d exp(-(x - t_d)^2 / (2 s^2)), t_d = d / (D - 1).
template <class T>
class AmplitudeBasis {
public:
    using Scalar = T;
    AmplitudeBasis(Index D, double sigma) : sigma_(sigma), a_(Vec<T>::Ones(D)), da_(Vec<T>::Zero(D)) {}
    Index input_dim() const { return 1; }
    Index output_dim() const { return a_.size(); }
    void encode(ConstMatRef<T> X, MatRef<T> out) const {
        detail::check_points<T>(X, 1, "AmplitudeBasis");
        detail::check_shape(out, output_dim(), X.cols(), "AmplitudeBasis", "out");
        for (Index n = 0; n < X.cols(); ++n)
            for (Index d = 0; d < a_.size(); ++d) out(d, n) = a_(d) * bump(X(0, n), d);
    }
    void backward(ConstMatRef<T> X, ConstMatRef<T> dY, MatRef<T> dX) const {
        for (Index n = 0; n < X.cols(); ++n) {
            T g = 0;
            for (Index d = 0; d < a_.size(); ++d)
                g += dY(d, n) * a_(d) * bump(X(0, n), d) * T(-(double(X(0, n)) - centre(d)) / (sigma_ * sigma_));
            dX(0, n) = g;
        }
    }
    std::vector<Param<T>> parameters() { return {make_param<T>("amplitude", a_, da_)}; }
    void accumulate_param_grads(ConstMatRef<T> X, ConstMatRef<T> dC) {
        for (Index n = 0; n < X.cols(); ++n)
            for (Index d = 0; d < a_.size(); ++d) da_(d) += dC(d, n) * bump(X(0, n), d);
    }

private:
    double centre(Index d) const { return double(d) / double(a_.size() - 1); }
    T bump(T x, Index d) const {
        const double u = double(x) - centre(d);
        return T(std::exp(-u * u / (2 * sigma_ * sigma_)));
    }
    double sigma_;
    Vec<T> a_, da_;
};
static_assert(ParametricEncoder<AmplitudeBasis<double>>);
static_assert(!ParametricEncoder<ShiftedBasis<Gaussian, double>>);  // fixed encoders are not

EncoderSpec espec(const char* type, std::map<std::string, double> p) { return EncoderSpec{type, std::move(p), {}}; }

MlpConfig small_cfg(Index out, Index width, Index depth, Activation hidden = Activation::Tanh) {
    MlpConfig cfg;
    cfg.output_dim = out;
    cfg.width = width;
    cfg.depth = depth;
    cfg.hidden = ActivationSpec{hidden};
    cfg.seed = 3;
    return cfg;
}

std::vector<Vec<double>> grads_of(Model<double>& m) {
    std::vector<Vec<double>> g;
    for (const auto& p : m.parameters()) g.emplace_back(p.grads());
    return g;
}

}  // namespace

TEST_CASE("Mlp with a caller-owned Workspace equals the member-state forms bitwise", "[context]") {
    Rng rng(1);
    MlpConfig cfg = small_cfg(2, 16, 2);
    cfg.input_dim = 5;
    Mlp<double> a(cfg), b(cfg);
    const Mat<double> X = uniform_mat(rng, 5, 33), R = uniform_mat(rng, 2, 33);
    const Mat<double> Ya = a.forward(X);
    Mat<double> dXa, dXb;
    a.backward(R, &dXa);
    Mlp<double>::Workspace ws;
    const Mat<double> Yb = b.forward(ws, X);
    b.backward(ws, X, R, &dXb);
    CHECK(Ya == Yb);
    CHECK(dXa == dXb);
    for (Index l = 0; l < a.num_layers(); ++l) {
        CHECK(a.layer(l).dW == b.layer(l).dW);
        CHECK(a.layer(l).db == b.layer(l).db);
    }
    // The strategy form with DenseCodes is the same pass.
    Mlp<double> c(cfg);
    Mlp<double>::Workspace wc;
    CHECK(c.forward(wc, DenseCodes<double>(X)) == Ya);
    c.backward(wc, DenseCodes<double>(X), R);
    CHECK(c.layer(0).dW == a.layer(0).dW);
    CHECK_THROWS_WITH(c.backward(wc, DenseCodes<double>(X.leftCols(3)), R), Catch::Contains("columns"));
}

TEST_CASE("Model contexts are independent and equal the member-state forms bitwise", "[context]") {
    Rng rng(2);
    for (const char* type : {"gaussian", "rff"}) {
        const EncoderSpec s = std::string(type) == "gaussian"
                                  ? espec("gaussian", {{"sigma", 0.02}, {"dim", 200}})
                                  : espec("rff", {{"sigma", 4.0}, {"dim", 32}, {"seed", 1}});
        const AnyEncoder<double> enc = make_encoder<double>(s);
        for (Index out : {Index(1), Index(3)}) {
            const FirstLayerPath path = std::string(type) == "gaussian" ? FirstLayerPath::Sparse : FirstLayerPath::Auto;
            Model<double> a(enc, small_cfg(out, 12, 1), path), b(enc, small_cfg(out, 12, 1), path);
            REQUIRE(a.uses_sparse() == (std::string(type) == "gaussian"));
            const Mat<double> X1 = uniform_mat(rng, 1, 40, 0, 1), X2 = uniform_mat(rng, 1, 25, 0, 1);
            const Mat<double> R1 = uniform_mat(rng, out, 40), R2 = uniform_mat(rng, out, 25);
            const auto b1 = a.prepare(X1), b2 = a.prepare(X2);
            // member-state: forward then backward of batch 1
            const Mat<double> Y1 = a.forward(b1);
            a.backward(b1, R1);
            const auto ga = grads_of(a);
            // contexts: forward of batch 1, then of batch 2 in another context, then backward of 1
            Model<double>::Context c1, c2;
            CHECK(b.forward(c1, b1) == Y1);
            const Mat<double> Y2 = b.forward(c2, b2);
            b.backward(c1, R1);
            const auto gb = grads_of(b);
            REQUIRE(ga.size() == gb.size());
            for (std::size_t i = 0; i < ga.size(); ++i) CHECK(ga[i] == gb[i]);
            // and batch 2's backward from its own context equals a fresh pass
            b.backward(c2, R2);
            Model<double>::Context c3;
            CHECK(a.forward(c3, b2) == Y2);
            a.backward(c3, R2);
            const auto ga2 = grads_of(a), gb2 = grads_of(b);
            for (std::size_t i = 0; i < ga2.size(); ++i) CHECK(ga2[i] == gb2[i]);
        }
    }
    Model<double> m(make_encoder<double>(espec("gaussian", {{"sigma", 0.02}, {"dim", 100}})), small_cfg(1, 4, 1));
    Model<double>::Context empty;
    CHECK_THROWS_WITH(m.backward(empty, Mat<double>::Zero(1, 3)), Catch::Contains("preceding forward"));
}

TEST_CASE("KronMlp with a caller-owned Workspace equals its convenience forms, through the KronGrid strategy", "[context][kron]") {
    Rng rng(3);
    const Mat<double> Px = uniform_mat(rng, 4, 6), Py = uniform_mat(rng, 3, 5);
    MlpConfig cfg = small_cfg(2, 8, 1);
    KronMlp<double> a(4, 3, cfg), b(4, 3, cfg);
    const Mat<double> dY = uniform_mat(rng, 2, 30);
    const Mat<double> Ya = a.forward(Px, Py);
    a.backward(Px, Py, dY);
    KronMlp<double>::Workspace ws;
    CHECK(b.forward(ws, Px, Py) == Ya);
    b.backward(ws, Px, Py, dY);
    CHECK(a.mlp().layer(0).dW == b.mlp().layer(0).dW);
    CHECK(a.mlp().layer(1).dW == b.mlp().layer(1).dW);
    CHECK(b.predict(Px, Py) == Ya);
    const KronGrid<double> grid(Px, Py);
    CHECK(grid.dim() == 12);
    CHECK(grid.cols() == 30);
}

TEST_CASE("fixed encoders report no parameters and their models only the network's", "[context][encoder_params]") {
    const AnyEncoder<double> enc = make_encoder<double>(espec("gaussian", {{"sigma", 0.02}, {"dim", 100}}));
    CHECK_FALSE(enc.has_parameters());
    AnyEncoder<double> copy = enc;
    CHECK(copy.parameters().empty());
    Model<double> m(enc, small_cfg(1, 4, 2));
    const auto ps = m.parameters();
    REQUIRE(ps.size() == 6);
    for (const auto& p : ps) CHECK(p.name.rfind("layer", 0) == 0);
    CHECK_FALSE(m.prepare(Mat<double>::Constant(1, 3, 0.5)).raw);
}

TEST_CASE("an encoder with parameters: views, deep copies, raw batches", "[context][encoder_params]") {
    AnyEncoder<double> enc(AmplitudeBasis<double>(6, 0.2), EncoderSpec{"toy_amplitude", {{"dim", 6}}, {}});
    REQUIRE(enc.has_parameters());
    auto ps = enc.parameters();
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].name == "amplitude");
    CHECK(ps[0].size == 6);
    AnyEncoder<double> copy = enc;  // deep copy: its own amplitudes
    ps[0].values()(2) = 5.0;
    CHECK(copy.parameters()[0].values()(2) == 1.0);
    const Mat<double> X = Mat<double>::Constant(1, 1, 0.4);
    CHECK(encode(enc, X)(2, 0) != encode(copy, X)(2, 0));

    Model<double> m(enc, small_cfg(1, 4, 1));
    const auto mp = m.parameters();
    REQUIRE(mp.size() == 5);
    CHECK(mp.back().name == "encoder.amplitude");
    const auto b = m.prepare(Mat<double>::Constant(1, 7, 0.3));
    CHECK(b.raw);
    CHECK(b.cols() == 7);
    const auto s = m.subset(b, {6, 0});
    CHECK(s.cols() == 2);
    EncodedBatch<double> coded;  // a batch of codes would go stale as the amplitudes change
    coded.dense = Mat<double>::Zero(6, 2);
    Model<double>::Context ctx;
    CHECK_THROWS_WITH(m.forward(ctx, coded), Catch::Contains("trainable parameters"));
}

TEST_CASE("Model backward fills encoder parameter gradients, checked against finite differences", "[context][encoder_params][gradcheck]") {
    Rng rng(4);
    AnyEncoder<double> enc(AmplitudeBasis<double>(10, 0.15));
    for (Index depth : {Index(0), Index(2)}) {
        Model<double> m(enc, small_cfg(2, 8, depth));
        auto params = m.parameters();
        for (auto& p : params)
            for (Index i = 0; i < p.size; ++i) p.value[i] += 0.3 * rng.uniform(-1, 1);
        const Mat<double> X = uniform_mat(rng, 1, 23, 0, 1), R = uniform_mat(rng, 2, 23);
        Model<double>::Context ctx;
        const auto batch = m.prepare(X);
        m.forward(ctx, batch);
        m.backward(ctx, R);
        auto loss = [&] { return (R.array() * m.predict(X).array()).sum(); };
        for (auto& p : params) {
            const Vec<double> analytic = p.grads();
            const Vec<double> fd = fd_gradient(p.value, p.size, loss);
            INFO(p.name << " depth " << depth);
            CHECK(rel_error(analytic, fd) < 1e-8);
        }
        // backward overwrites (does not add to) the encoder's gradient
        const Vec<double> g1 = params.back().grads();
        m.forward(ctx, batch);
        m.backward(ctx, R);
        CHECK((params.back().grads() - g1).norm() == 0.0);
        // chunked gradient (two parts, summed by share) equals the one-part gradient
        std::vector<Index> all(23);
        for (Index i = 0; i < 23; ++i) all[std::size_t(i)] = i;
        const auto one = make_chunks(m, batch, ConstMatRef<double>(R), all, 23);
        const auto two = make_chunks(m, batch, ConstMatRef<double>(R), all, 12);
        chunked_gradient(m, one, Loss::Mse, params);
        const Vec<double> gone = params.back().grads();
        chunked_gradient(m, two, Loss::Mse, params);
        CHECK(rel_error(gone, params.back().grads()) < 1e-12);
        // the input gradient still goes through the encoder's Jacobian
        const Mat<double> dX = m.input_gradient(X, R);
        Mat<double> Xp = X;
        auto lossx = [&] { return (R.array() * m.predict(Xp).array()).sum(); };
        const Vec<double> fdx = fd_gradient(Xp.data(), Xp.size(), lossx);
        CHECK(rel_error(Eigen::Map<const Vec<double>>(dX.data(), dX.size()), fdx) < 1e-7);
    }
}

TEST_CASE("train() updates encoder parameters with the network's, by the same optimizer", "[context][encoder_params][trainer]") {
    const Index N = 64;
    Mat<double> X(1, N), Y(1, N);
    for (Index n = 0; n < N; ++n) {
        X(0, n) = (double(n) + 0.5) / double(N);
        Y(0, n) = 0.5 + 0.4 * std::sin(2 * std::numbers::pi * X(0, n));
    }
    Model<double> m(AnyEncoder<double>(AmplitudeBasis<double>(16, 0.08)), small_cfg(1, 16, 1));
    const Vec<double> a0 = m.parameters().back().values();
    Model<double>::Context ctx;
    const auto batch = m.prepare(X);
    const double before = mse(m.forward(ctx, batch), Y);
    AdamOptions o;
    o.lr = 1e-2;
    Adam<double> adam(o);
    TrainOptions t;
    t.steps = 150;
    const TrainResult r = train(m, X, Y, adam, t);
    CHECK(r.final_loss < 0.1 * before);
    CHECK((m.parameters().back().values() - a0).norm() > 1e-3);
    // same seed, same run: bitwise reproducible, mini-batches too
    for (Index bs : {Index(0), Index(16)}) {
        Model<double> p(AnyEncoder<double>(AmplitudeBasis<double>(16, 0.08)), small_cfg(1, 16, 1));
        Model<double> q(AnyEncoder<double>(AmplitudeBasis<double>(16, 0.08)), small_cfg(1, 16, 1));
        Adam<double> ap(o), aq(o);
        t.steps = 20;
        t.batch_size = bs;
        train(p, X, Y, ap, t);
        train(q, X, Y, aq, t);
        CHECK(p.parameters().back().values() == q.parameters().back().values());
        CHECK(p.predict(X) == q.predict(X));
    }
}

TEST_CASE("the safetensors export of a model names the encoder's parameters", "[context][encoder_params][safetensors]") {
    Model<float> m(AnyEncoder<float>(AmplitudeBasis<float>(5, 0.2), EncoderSpec{"toy_amplitude", {{"dim", 5}}, {}}),
                   small_cfg(1, 4, 1));
    m.parameters().back().values()(1) = 2.5f;
    const auto ts = safetensors_tensors(m);
    REQUIRE(ts.size() == 5);
    CHECK(ts.back().name == "encoder.amplitude");
    CHECK(ts.back().value(1, 0) == 2.5f);
    CHECK(ts.back().vector);
    Model<float> fixed(make_encoder<float>(espec("gaussian", {{"sigma", 0.02}, {"dim", 100}})), small_cfg(1, 4, 1));
    CHECK(safetensors_tensors(fixed).size() == 4);
}

TEST_CASE("model files keep an encoder's parameters (format version 2), fixed encoders stay version 1", "[context][encoder_params][model_file]") {
    const EncoderSpec toy{"toy_amplitude", {{"dim", 6}}, {}};
    Model<double> m(AnyEncoder<double>(AmplitudeBasis<double>(6, 0.2), toy), small_cfg(2, 4, 1));
    m.parameters().back().values()(3) = -0.75;
    // the factory does not know the toy: save without the rebuild check, load with the encoder given
    const std::string bytes = detail::model_bytes(m, false);
    CHECK(bytes[8] == 2);
    const Model<double> back = model_from_bytes<double>(bytes, AnyEncoder<double>(AmplitudeBasis<double>(6, 0.2), toy));
    Model<double> b2 = back;
    CHECK(b2.parameters().back().values() == m.parameters().back().values());
    const Mat<double> X = Vec<double>::LinSpaced(9, 0.0, 1.0).transpose();
    CHECK(back.predict(X) == m.predict(X));
    // the toy's spec does not rebuild it: save_model refuses, as for any unknown spec
    CHECK_THROWS_WITH(model_to_bytes(m), Catch::Contains("does not rebuild"));
    // an encoder of another spec, or without the file's parameters, is refused
    const EncoderSpec other{"toy_amplitude", {{"dim", 7}}, {}};
    CHECK_THROWS_WITH(model_from_bytes<double>(bytes, AnyEncoder<double>(AmplitudeBasis<double>(7, 0.2), other)),
                      Catch::Contains("spec"));
    // fixed encoders: version 1, as before
    Model<double> fixed(make_encoder<double>(espec("gaussian", {{"sigma", 0.02}, {"dim", 100}})), small_cfg(1, 4, 1));
    const std::string fb = model_to_bytes(fixed);
    CHECK(fb[8] == 1);
    CHECK(model_from_bytes<double>(fb).predict(X) == fixed.predict(X));
    // every truncated prefix of a version-2 file is an error
    for (std::size_t n = 0; n < bytes.size(); n += 7)
        CHECK_THROWS_AS(model_from_bytes<double>(bytes.substr(0, n), AnyEncoder<double>(AmplitudeBasis<double>(6, 0.2), toy)),
                        Error);
}

#pragma GCC diagnostic pop
