// posenc/encoding/profiles/random_noise.hpp — a random profile sampled on the shift grid.
#pragma once
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "posenc/core/error.hpp"
#include "posenc/core/random.hpp"
#include "posenc/encoding/profiles/profile.hpp"

namespace posenc {

/// Random-noise profile: bind(D) draws D standard-normal values g_0..g_{D-1} from posenc::Rng(seed);
/// psi(u) = g[round(u D) mod D] (round half to even, floored mod). The embedding is a random
/// circulant matrix: high rank but no distance preservation. Same seed, same profile everywhere.
///
/// * support() = +inf; derivative 0; no closed-form kernel.
class RandomNoise {
public:
    /// seed: seed of the posenc::Rng that draws the samples.
    explicit RandomNoise(std::uint64_t seed = 0) : seed_(seed) {}

    /// Draws the D samples (D > 0).
    void bind(Index D) {
        detail::require(D > 0, "RandomNoise: D must be > 0 (got ", D, ")");
        Rng rng(seed_);
        samples_.resize(std::size_t(D));
        for (auto& s : samples_) s = rng.normal();
    }
    /// psi(u) (0 while unbound).
    template <class T> T value(T u) const {
        if (samples_.empty()) return T(0);
        const auto D = static_cast<long long>(samples_.size());
        long long i = static_cast<long long>(std::rint(u * T(D))) % D;
        if (i < 0) i += D;
        return T(samples_[std::size_t(i)]);
    }
    /// 0 (piecewise constant).
    template <class T> T derivative(T) const { return T(0); }
    /// +inf.
    double support() const { return infinite_support; }
    /// "noise".
    std::string name() const { return "noise"; }
    /// {"seed"} for the factory spec.
    void spec_params(std::map<std::string, double>& out) const { out["seed"] = double(seed_); }
    /// The seed.
    std::uint64_t seed() const { return seed_; }
    /// The drawn samples (empty while unbound).
    const std::vector<double>& samples() const { return samples_; }

private:
    std::uint64_t seed_;
    std::vector<double> samples_;
};

}  // namespace posenc
