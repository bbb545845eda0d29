// posenc/nn/optim/adam.hpp — Adam and AdamW with PyTorch's exact update rules.
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include "posenc/nn/optim/optimizer.hpp"

namespace posenc {

/// Hyper-parameters of Adam / AdamW. Defaults are torch.optim.Adam's.
struct AdamOptions {
    double lr = 1e-3;            ///< learning rate (>= 0)
    double beta1 = 0.9;          ///< first-moment decay, in [0, 1)
    double beta2 = 0.999;        ///< second-moment decay, in [0, 1)
    double eps = 1e-8;           ///< added AFTER sqrt of the bias-corrected second moment (>= 0)
    double weight_decay = 0.0;   ///< L2 (Adam: added to the gradient) or decoupled (AdamW) decay, >= 0
    bool decoupled = false;      ///< false: torch.optim.Adam; true: torch.optim.AdamW
};

/// Adam (Kingma & Ba) with torch.optim.Adam semantics (amsgrad off, maximize off); with
/// `decoupled = true`, torch.optim.AdamW. With t the 1-based step count, per element:
///
///   Adam:  g <- g + weight_decay * p            (L2 decay enters the moments)
///   AdamW: p <- p * (1 - lr * weight_decay)     (decoupled decay, before the update)
///   m <- beta1 m + (1 - beta1) g
///   v <- beta2 v + (1 - beta2) g^2
///   p <- p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
///
/// State (m, v) is kept per parameter tensor, by position in the list. Bias corrections are
/// computed in double, the elementwise update in T (vectorised by Eigen; tensors larger than
/// detail::kOptimizerChunk are split across OpenMP threads, which does not change the result).
/// Grads are read, never modified.
template <class T>
class Adam {
public:
    using Scalar = T;  ///< parameter scalar type

    /// Validates the options (throws posenc::Error naming the bad field).
    explicit Adam(AdamOptions options = {}) : opt_(options) { validate(opt_); }

    /// One Adam/AdamW update of every parameter from its gradient.
    void step(std::vector<Param<T>>& params) {
        detail::check_params(params, "Adam");
        if (!initialised_) init_state(params);
        detail::check_param_state(params, sizes_, "Adam");
        ++t_;
        const double bc1 = 1.0 - std::pow(opt_.beta1, double(t_));
        const double bc2 = 1.0 - std::pow(opt_.beta2, double(t_));
        const T step_size = T(opt_.lr / bc1);
        const T bc2_sqrt = T(std::sqrt(bc2));
        const T b1 = T(opt_.beta1), b2 = T(opt_.beta2);
        const T one_b1 = T(1.0 - opt_.beta1), one_b2 = T(1.0 - opt_.beta2);
        const T eps = T(opt_.eps), wd = T(opt_.weight_decay);
        const T decay = T(1.0 - opt_.lr * opt_.weight_decay);
        const bool l2 = !opt_.decoupled && opt_.weight_decay != 0.0;
        const bool dec = opt_.decoupled && opt_.weight_decay != 0.0;

        for (std::size_t i = 0; i < params.size(); ++i) {
            Param<T>& prm = params[i];
            T* mi = m_[i].data();
            T* vi = v_[i].data();
            detail::for_chunks(prm.size, [&](Index off, Index len) {
                Eigen::Map<Arr> p(prm.value + off, len), m(mi + off, len), v(vi + off, len);
                Eigen::Map<const Arr> g(prm.grad + off, len);
                auto update = [&](const auto& geff) {
                    m = b1 * m + one_b1 * geff;
                    v = b2 * v + one_b2 * geff.square();
                };
                if (dec) p *= decay;
                if (l2) update(g + wd * p);
                else update(g);
                p -= step_size * (m / (v.sqrt() / bc2_sqrt + eps));
            });
        }
    }

    /// Forgets the moments and the step count.
    void reset() {
        m_.clear();
        v_.clear();
        sizes_.clear();
        initialised_ = false;
        t_ = 0;
    }

    /// Number of steps taken since construction or the last reset().
    long long steps() const { return t_; }
    /// Current options.
    const AdamOptions& options() const { return opt_; }
    /// Changes the learning rate (for schedules); keeps the state.
    void set_lr(double lr) {
        AdamOptions o = opt_;
        o.lr = lr;
        validate(o);
        opt_ = o;
    }

private:
    using Arr = Eigen::Array<T, Eigen::Dynamic, 1>;

    static void validate(const AdamOptions& o) {
        detail::require(std::isfinite(o.lr) && o.lr >= 0, "Adam: lr must be finite and >= 0 (got ", o.lr, ")");
        detail::require(o.beta1 >= 0 && o.beta1 < 1, "Adam: beta1 must be in [0, 1) (got ", o.beta1, ")");
        detail::require(o.beta2 >= 0 && o.beta2 < 1, "Adam: beta2 must be in [0, 1) (got ", o.beta2, ")");
        detail::require(std::isfinite(o.eps) && o.eps >= 0, "Adam: eps must be finite and >= 0 (got ", o.eps, ")");
        detail::require(std::isfinite(o.weight_decay) && o.weight_decay >= 0,
                        "Adam: weight_decay must be finite and >= 0 (got ", o.weight_decay, ")");
    }

    void init_state(const std::vector<Param<T>>& params) {
        for (const auto& p : params) {
            sizes_.push_back(p.size);
            m_.emplace_back(Arr::Zero(p.size));
            v_.emplace_back(Arr::Zero(p.size));
        }
        initialised_ = true;
    }

    AdamOptions opt_;
    std::vector<Arr> m_, v_;
    std::vector<Index> sizes_;
    bool initialised_ = false;
    long long t_ = 0;
};

}  // namespace posenc
