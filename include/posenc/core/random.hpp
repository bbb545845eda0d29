// posenc/core/random.hpp — a seeded, platform-independent random source (same numbers on every
// compiler and standard library, unlike std::normal_distribution).
#pragma once
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>

namespace posenc {

/// Deterministic RNG: mt19937_64 plus portable uniform and Box-Muller normal draws.
class Rng {
public:
    /// Seeds the generator; the same seed gives the same sequence everywhere.
    explicit Rng(std::uint64_t seed = 0) : gen_(seed) {}
    /// Uniform in [0, 1) with 53 random bits.
    double uniform() { return double(gen_() >> 11) * 0x1.0p-53; }
    /// Uniform in [lo, hi).
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /// Standard normal (Box-Muller; caches the second draw).
    double normal() {
        if (has_spare_) { has_spare_ = false; return spare_; }
        double u1 = 0;
        while (u1 <= 0) u1 = uniform();
        const double u2 = uniform();
        const double r = std::sqrt(-2.0 * std::log(u1));
        const double a = 2.0 * std::numbers::pi * u2;
        spare_ = r * std::sin(a);
        has_spare_ = true;
        return r * std::cos(a);
    }
    /// Uniform integer in [0, n).
    std::uint64_t below(std::uint64_t n) { return n ? gen_() % n : 0; }
    /// The underlying engine, for std algorithms such as std::shuffle.
    std::mt19937_64& engine() { return gen_; }

private:
    std::mt19937_64 gen_;
    double spare_ = 0;
    bool has_spare_ = false;
};

}  // namespace posenc
