// Adam / AdamW / SGD against step-by-step PyTorch-semantics references computed here in double,
// plus convergence of a small least-squares fit for every optimizer.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "posenc/core/random.hpp"
#include "posenc/nn/optim/adam.hpp"
#include "posenc/nn/optim/optimizer.hpp"
#include "posenc/nn/optim/sgd.hpp"

using namespace posenc;

static_assert(Optimizer<Adam<float>>);
static_assert(Optimizer<Adam<double>>);
static_assert(Optimizer<Sgd<float>>);
static_assert(Optimizer<Sgd<double>>);

namespace {

// Two tiny tensors (sizes 3 and 2) and their gradients; the gradient at step t depends on the
// current value (g = sin(1.3 i + 0.7 t) + 0.5 p) so that the whole trajectory is exercised.
template <class T>
struct Tiny {
    Vec<T> a{{T(0.5), T(-1.25), T(2.0)}}, ga = Vec<T>::Zero(3);
    Vec<T> b{{T(-0.3), T(0.8)}}, gb = Vec<T>::Zero(2);
    std::vector<Param<T>> params() { return {make_param<T>("a", a, ga), make_param<T>("b", b, gb)}; }
    void set_grads(int t) {
        for (Index i = 0; i < 3; ++i) ga[i] = T(std::sin(1.3 * double(i) + 0.7 * t)) + T(0.5) * a[i];
        for (Index i = 0; i < 2; ++i) gb[i] = T(std::sin(1.3 * double(i + 3) + 0.7 * t)) + T(0.5) * b[i];
    }
};

double grad_ref(int flat_i, double p, int t) { return std::sin(1.3 * flat_i + 0.7 * t) + 0.5 * p; }

// torch.optim.Adam / AdamW, written out per scalar in double (torch/optim/adam.py, _single_tensor_adam).
std::vector<double> adam_reference(const AdamOptions& o, int steps) {
    std::vector<double> p{0.5, -1.25, 2.0, -0.3, 0.8}, m(5, 0.0), v(5, 0.0);
    for (int t = 1; t <= steps; ++t) {
        for (int i = 0; i < 5; ++i) {
            double g = grad_ref(i, p[i], t);
            if (o.decoupled) p[i] *= 1 - o.lr * o.weight_decay;  // AdamW: decay the weight first
            else g += o.weight_decay * p[i];                       // Adam: L2 enters the gradient
            m[i] = o.beta1 * m[i] + (1 - o.beta1) * g;
            v[i] = o.beta2 * v[i] + (1 - o.beta2) * g * g;
            const double bc1 = 1 - std::pow(o.beta1, t), bc2 = 1 - std::pow(o.beta2, t);
            const double denom = std::sqrt(v[i]) / std::sqrt(bc2) + o.eps;  // eps after the sqrt
            p[i] -= (o.lr / bc1) * (m[i] / denom);
        }
    }
    return p;
}

// torch.optim.SGD (dampening 0), per scalar in double.
std::vector<double> sgd_reference(const SgdOptions& o, int steps) {
    std::vector<double> p{0.5, -1.25, 2.0, -0.3, 0.8}, buf(5, 0.0);
    for (int t = 1; t <= steps; ++t) {
        for (int i = 0; i < 5; ++i) {
            double d = grad_ref(i, p[i], t) + o.weight_decay * p[i];
            if (o.momentum != 0) {
                buf[i] = t == 1 ? d : o.momentum * buf[i] + d;
                d = o.nesterov ? d + o.momentum * buf[i] : buf[i];
            }
            p[i] -= o.lr * d;
        }
    }
    return p;
}

template <class T, class Opt>
std::vector<double> run_tiny(Opt& opt, int steps) {
    Tiny<T> s;
    auto ps = s.params();
    for (int t = 1; t <= steps; ++t) {
        s.set_grads(t);
        opt.step(ps);
    }
    return {double(s.a[0]), double(s.a[1]), double(s.a[2]), double(s.b[0]), double(s.b[1])};
}

void check_close(const std::vector<double>& got, const std::vector<double>& want, double rel) {
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        INFO("element " << i << ": got " << got[i] << ", want " << want[i]);
        CHECK(std::abs(got[i] - want[i]) <= rel * (1 + std::abs(want[i])));
    }
}

}  // namespace

TEST_CASE("Adam first step is p - lr * g / (|g| + eps)", "[optimizers]") {
    // With zero moments, step 1 gives m_hat = g and v_hat = g^2 exactly.
    Vec<double> p{{1.0, -2.0, 0.25}}, g{{0.5, -4.0, 1e-3}};
    std::vector<Param<double>> ps{make_param<double>("p", p, g)};
    Adam<double> adam({.lr = 0.01, .eps = 1e-3});
    adam.step(ps);
    CHECK(p[0] == Approx(1.0 - 0.01 * 0.5 / (0.5 + 1e-3)).epsilon(1e-13));
    CHECK(p[1] == Approx(-2.0 + 0.01 * 4.0 / (4.0 + 1e-3)).epsilon(1e-13));
    CHECK(p[2] == Approx(0.25 - 0.01 * 1e-3 / (1e-3 + 1e-3)).epsilon(1e-13));  // eps after sqrt: half step
    CHECK(g[1] == -4.0);                                                         // grads untouched
    CHECK(adam.steps() == 1);
}

TEST_CASE("Adam and AdamW match the PyTorch update rules for 3 steps", "[optimizers]") {
    const std::vector<AdamOptions> cases{
        {.lr = 0.1, .beta1 = 0.8, .beta2 = 0.95, .eps = 1e-3, .weight_decay = 0.0, .decoupled = false},
        {.lr = 0.1, .beta1 = 0.8, .beta2 = 0.95, .eps = 1e-3, .weight_decay = 0.2, .decoupled = false},
        {.lr = 0.1, .beta1 = 0.8, .beta2 = 0.95, .eps = 1e-3, .weight_decay = 0.2, .decoupled = true},
        {},  // torch defaults
    };
    for (std::size_t c = 0; c < cases.size(); ++c) {
        INFO("case " << c);
        const auto want = adam_reference(cases[c], 3);
        Adam<double> ad(cases[c]);
        check_close(run_tiny<double>(ad, 3), want, 1e-14);
        Adam<float> af(cases[c]);
        check_close(run_tiny<float>(af, 3), want, 2e-6);
    }
    // Adam's L2 and AdamW's decoupled decay really differ (the test above can tell them apart).
    const auto l2 = adam_reference(cases[1], 3), dec = adam_reference(cases[2], 3);
    CHECK(std::abs(l2[2] - dec[2]) > 1e-3);
}

TEST_CASE("SGD (plain, momentum, Nesterov, weight decay) matches torch for 3 steps", "[optimizers]") {
    const std::vector<SgdOptions> cases{
        {.lr = 0.1},
        {.lr = 0.1, .momentum = 0.9},
        {.lr = 0.1, .momentum = 0.9, .weight_decay = 0.05},
        {.lr = 0.1, .momentum = 0.9, .weight_decay = 0.05, .nesterov = true},
        {.lr = 0.05, .weight_decay = 0.3},
    };
    for (std::size_t c = 0; c < cases.size(); ++c) {
        INFO("case " << c);
        const auto want = sgd_reference(cases[c], 3);
        Sgd<double> sd(cases[c]);
        check_close(run_tiny<double>(sd, 3), want, 1e-14);
        Sgd<float> sf(cases[c]);
        check_close(run_tiny<float>(sf, 3), want, 2e-6);
    }
}

TEST_CASE("reset() restarts the optimizer state", "[optimizers]") {
    AdamOptions o{.lr = 0.1, .beta1 = 0.8, .beta2 = 0.95, .eps = 1e-3};
    Adam<double> adam(o);
    run_tiny<double>(adam, 3);
    adam.reset();
    CHECK(adam.steps() == 0);
    check_close(run_tiny<double>(adam, 3), adam_reference(o, 3), 1e-14);

    SgdOptions so{.lr = 0.1, .momentum = 0.9};
    Sgd<double> sgd(so);
    run_tiny<double>(sgd, 2);
    sgd.reset();
    check_close(run_tiny<double>(sgd, 3), sgd_reference(so, 3), 1e-14);
}

TEST_CASE("optimizers reject bad options and changed parameter lists", "[optimizers]") {
    CHECK_THROWS_AS(Adam<float>({.lr = -1}), Error);
    CHECK_THROWS_AS(Adam<float>({.beta1 = 1.0}), Error);
    CHECK_THROWS_AS(Adam<float>({.beta2 = -0.1}), Error);
    CHECK_THROWS_AS(Adam<float>({.eps = std::nan("")}), Error);
    CHECK_THROWS_AS(Adam<float>({.weight_decay = -1e-3}), Error);
    CHECK_THROWS_AS(Sgd<float>({.lr = std::nan("")}), Error);
    CHECK_THROWS_AS(Sgd<float>({.momentum = -0.5}), Error);
    CHECK_THROWS_AS(Sgd<float>({.lr = 0.1, .nesterov = true}), Error);
    CHECK_THROWS_WITH(Adam<float>({.beta1 = 2.0}), Catch::Contains("beta1"));

    Tiny<double> s;
    auto ps = s.params();
    Adam<double> adam;
    adam.step(ps);
    std::vector<Param<double>> fewer{ps[0]};
    CHECK_THROWS_AS(adam.step(fewer), Error);
    Vec<double> big = Vec<double>::Zero(7), gbig = Vec<double>::Zero(7);
    std::vector<Param<double>> resized{make_param<double>("a", big, gbig), ps[1]};
    CHECK_THROWS_WITH(adam.step(resized), Catch::Contains("changed size"));
    Sgd<double> sgd({.lr = 0.1, .momentum = 0.5});
    sgd.step(ps);
    CHECK_THROWS_AS(sgd.step(fewer), Error);
    std::vector<Param<double>> null_grad{Param<double>{"x", s.a.data(), nullptr, 3, 3, 1}};
    Adam<double> fresh;
    CHECK_THROWS_AS(fresh.step(null_grad), Error);
}

TEST_CASE("large tensors: threaded update is bitwise identical to one thread", "[optimizers]") {
    // 200000 > kOptimizerChunk elements, so the update is split over OpenMP threads.
    const Index n = 200000;
    Rng rng(7);
    Vec<float> p0(n), g(n);
    for (Index i = 0; i < n; ++i) {
        p0[i] = float(rng.normal());
        g[i] = float(rng.normal());
    }
    auto run = [&](int threads, auto opt) {
        Vec<float> p = p0;
        Vec<float> gg = g;
        std::vector<Param<float>> ps{make_param<float>("p", p, gg)};
#if defined(_OPENMP)
        const int saved = omp_get_max_threads();
        omp_set_num_threads(threads);
#else
        (void)threads;
#endif
        for (int t = 0; t < 3; ++t) opt.step(ps);
#if defined(_OPENMP)
        omp_set_num_threads(saved);
#endif
        return p;
    };
    const AdamOptions ao{.lr = 1e-2, .weight_decay = 1e-2};
    CHECK(run(1, Adam<float>(ao)) == run(2, Adam<float>(ao)));
    const SgdOptions so{.lr = 1e-2, .momentum = 0.9, .weight_decay = 1e-2, .nesterov = true};
    CHECK(run(1, Sgd<float>(so)) == run(2, Sgd<float>(so)));
    // and the chunked update equals the unchunked formula on a few elements
    Vec<float> p = run(2, Adam<float>({.lr = 1e-2}));
    for (Index i : {Index(0), Index(40000), n - 1}) {
        double pi = p0[i], m = 0, v = 0;
        for (int t = 1; t <= 3; ++t) {
            m = 0.9 * m + 0.1 * g[i];
            v = 0.999 * v + 0.001 * double(g[i]) * g[i];
            pi -= (1e-2 / (1 - std::pow(0.9, t))) * m / (std::sqrt(v / (1 - std::pow(0.999, t))) + 1e-8);
        }
        CHECK(p[i] == Approx(pi).epsilon(1e-5));
    }
}

namespace {
// Least squares: minimise mean((w^T A + c - y)^2) over w (8) and c (1), A is 8 x 64.
struct LeastSquares {
    Mat<double> A;
    RowVec<double> y;
    Vec<double> w = Vec<double>::Zero(8), gw = Vec<double>::Zero(8);
    Vec<double> c = Vec<double>::Zero(1), gc = Vec<double>::Zero(1);
    LeastSquares() : A(8, 64), y(64) {
        Rng rng(3);
        for (Index j = 0; j < A.cols(); ++j)
            for (Index i = 0; i < A.rows(); ++i) A(i, j) = rng.uniform(-1, 1);
        Vec<double> w_true(8);
        for (Index i = 0; i < 8; ++i) w_true[i] = rng.normal();
        y = w_true.transpose() * A;
        y.array() += 0.5;
    }
    std::vector<Param<double>> params() { return {make_param<double>("w", w, gw), make_param<double>("c", c, gc)}; }
    double loss_and_grad() {
        const RowVec<double> r = (w.transpose() * A).array() + c[0] - y.array();
        const double n = double(r.size());
        gw = (2.0 / n) * (A * r.transpose());
        gc[0] = 2.0 * r.sum() / n;
        return r.squaredNorm() / n;
    }
};

template <class Opt>
double loss_ratio(Opt opt, int steps) {
    LeastSquares ls;
    auto ps = ls.params();
    const double first = ls.loss_and_grad();
    for (int t = 0; t < steps; ++t) {
        ls.loss_and_grad();
        opt.step(ps);
    }
    return ls.loss_and_grad() / first;
}
}  // namespace

TEST_CASE("a small least-squares fit converges with every optimizer", "[optimizers]") {
    // Loss must fall at least 100x (measured ratios are far smaller; printed with -s).
    const double adam = loss_ratio(Adam<double>({.lr = 0.05}), 500);
    const double adamw = loss_ratio(Adam<double>({.lr = 0.05, .weight_decay = 1e-4, .decoupled = true}), 500);
    const double sgd = loss_ratio(Sgd<double>({.lr = 0.2}), 500);
    const double momentum = loss_ratio(Sgd<double>({.lr = 0.05, .momentum = 0.9}), 500);
    const double nesterov = loss_ratio(Sgd<double>({.lr = 0.05, .momentum = 0.9, .nesterov = true}), 500);
    UNSCOPED_INFO("loss ratios after 500 steps: adam " << adam << " adamw " << adamw << " sgd " << sgd << " momentum "
                                                        << momentum << " nesterov " << nesterov);
    CHECK(adam < 1e-2);
    CHECK(adamw < 1e-2);
    CHECK(sgd < 1e-2);
    CHECK(momentum < 1e-2);
    CHECK(nesterov < 1e-2);
}
