// posenc/nn/optim/sgd.hpp — SGD with momentum (optionally Nesterov) and L2 weight decay, torch semantics.
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include "posenc/nn/optim/optimizer.hpp"

namespace posenc {

/// Hyper-parameters of SGD. Defaults: plain gradient descent with lr 1e-2.
struct SgdOptions {
    double lr = 1e-2;            ///< learning rate (>= 0)
    double momentum = 0.0;       ///< momentum factor mu, >= 0 (dampening is always 0)
    double weight_decay = 0.0;   ///< L2 decay added to the gradient, >= 0
    bool nesterov = false;       ///< Nesterov momentum (needs momentum > 0)
};

/// Stochastic gradient descent with torch.optim.SGD semantics (dampening 0, maximize off):
///
///   d <- g + weight_decay * p
///   if momentum != 0:
///       buf <- d                       (first step)
///       buf <- momentum * buf + d      (later steps)
///       d   <- nesterov ? d + momentum * buf : buf
///   p <- p - lr * d
///
/// The momentum buffer is kept per parameter tensor, by position in the list. Grads are read,
/// never modified. Large tensors are split across OpenMP threads (result is thread-count independent).
template <class T>
class Sgd {
public:
    using Scalar = T;  ///< parameter scalar type

    /// Validates the options (throws posenc::Error naming the bad field).
    explicit Sgd(SgdOptions options = {}) : opt_(options) { validate(opt_); }

    /// One SGD update of every parameter from its gradient.
    void step(std::vector<Param<T>>& params) {
        detail::check_params(params, "Sgd");
        if (!initialised_) {
            for (const auto& p : params) sizes_.push_back(p.size);
            if (opt_.momentum != 0.0)
                for (const auto& p : params) buf_.emplace_back(Arr::Zero(p.size));
            initialised_ = true;
        }
        detail::check_param_state(params, sizes_, "Sgd");
        const bool first = t_ == 0;
        ++t_;
        const T lr = T(opt_.lr), wd = T(opt_.weight_decay), mu = T(opt_.momentum);
        const bool l2 = opt_.weight_decay != 0.0;
        const bool mom = opt_.momentum != 0.0;
        const bool nesterov = opt_.nesterov;

        for (std::size_t i = 0; i < params.size(); ++i) {
            Param<T>& prm = params[i];
            T* bi = mom ? buf_[i].data() : nullptr;
            detail::for_chunks(prm.size, [&](Index off, Index len) {
                Eigen::Map<Arr> p(prm.value + off, len);
                Eigen::Map<const Arr> g(prm.grad + off, len);
                auto update = [&](const auto& d) {
                    if (!mom) {
                        p -= lr * d;
                        return;
                    }
                    Eigen::Map<Arr> buf(bi + off, len);
                    if (first) buf = d;
                    else buf = mu * buf + d;
                    if (nesterov) p -= lr * (d + mu * buf);
                    else p -= lr * buf;
                };
                // d = g + wd * p is a lazy expression; every assignment above is coefficient-wise,
                // so element j of p is read before it is written (no temporary needed).
                if (l2) update(g + wd * p);
                else update(g);
            });
        }
    }

    /// Forgets the momentum buffers and the step count.
    void reset() {
        buf_.clear();
        sizes_.clear();
        initialised_ = false;
        t_ = 0;
    }

    /// Number of steps taken since construction or the last reset().
    long long steps() const { return t_; }
    /// Current options.
    const SgdOptions& options() const { return opt_; }
    /// Changes the learning rate (for schedules); keeps the state.
    void set_lr(double lr) {
        SgdOptions o = opt_;
        o.lr = lr;
        validate(o);
        opt_ = o;
    }

private:
    using Arr = Eigen::Array<T, Eigen::Dynamic, 1>;

    static void validate(const SgdOptions& o) {
        detail::require(std::isfinite(o.lr) && o.lr >= 0, "Sgd: lr must be finite and >= 0 (got ", o.lr, ")");
        detail::require(std::isfinite(o.momentum) && o.momentum >= 0,
                        "Sgd: momentum must be finite and >= 0 (got ", o.momentum, ")");
        detail::require(std::isfinite(o.weight_decay) && o.weight_decay >= 0,
                        "Sgd: weight_decay must be finite and >= 0 (got ", o.weight_decay, ")");
        detail::require(!o.nesterov || o.momentum > 0, "Sgd: nesterov requires momentum > 0");
    }

    SgdOptions opt_;
    std::vector<Arr> buf_;
    std::vector<Index> sizes_;
    bool initialised_ = false;
    long long t_ = 0;
};

}  // namespace posenc
