// rank_curves — stable-rank curves and the distance-preservation curve of one encoder (protocol A of
// the paper "Rethinking Positional Encoding"):
//
//   rank_curves --encoder NAME [--param P] [--offset O] --dim D [--periodic] --samples 1,10,50
//               [--seed K] [--json]
//
// For every N in --samples: the embedding matrix of the N points x_i = i / N (i = 0..N-1), i.e. the
// D x N matrix of their codes, and its stable rank ||A||_F^2 / ||A||_2^2 and L1 stable rank
// sum(s) / max(s). Then the distance-preservation curve around x0 = 0.5:
// k(delta) = <Psi(x0), Psi(x0 + delta)> / (||Psi(x0)|| ||Psi(x0 + delta)||) for the 201 offsets
// delta in linspace(-0.5, 0.5, 201), and its half width (smallest |delta| where k falls to 1/2).
//
// --json prints one JSON object on stdout:
//   {"encoder", "param", "dim", "samples", "stable_rank", "stable_rank_l1", "dp": {"delta", "k"},
//    "half_width", "spec"}
// ("param" is null when not given, a stable rank is null when the embedding is all zero, half_width
// is null when k never falls to 1/2). Without --json: a readable table. Errors: one line, exit 2.
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include "common/cli.hpp"
#include "posenc/analysis/distance_preservation.hpp"
#include "posenc/analysis/stable_rank.hpp"
#include "posenc/encoding/factory.hpp"

namespace {

using posenc::Index;
using posenc::Mat;

/// Stable ranks (L2 and L1) of the embedding of x_i = i / N; NaN when the embedding is all zero.
std::pair<double, double> ranks_at(const posenc::AnyEncoder<double>& enc, Index N) {
    Mat<double> X(enc.input_dim(), N);
    for (Index i = 0; i < N; ++i) X.col(i).setConstant(double(i) / double(N));
    const Mat<double> A = posenc::encode(enc, X);
    if (A.squaredNorm() == 0) return {std::nan(""), std::nan("")};
    return {posenc::stable_rank(A), posenc::stable_rank_l1(A)};
}

/// JSON number, or null for NaN / infinity.
nlohmann::json number_or_null(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

}  // namespace

int main(int argc, char** argv) {
    return posenc::examples::run_main(
        argc, argv,
        "Stable-rank curves and distance preservation of a positional encoding (protocol A: samples "
        "x_i = i/N, DP around x0 = 0.5 for 201 offsets in [-0.5, 0.5])",
        [&](CLI::App& app) {
            posenc::examples::EncoderOptions eo;
            eo.add_to(app);
            std::vector<std::int64_t> samples;
            bool json = false;
            app.add_option("--samples", samples, "numbers of points N, comma-separated (1,10,50) or one per argument")
                ->required()
                ->delimiter(',')
                ->check(CLI::Range(std::int64_t(1), std::int64_t(1) << 24));
            app.add_flag("--json", json, "print one JSON object on stdout instead of a table");
            app.parse(argc, argv);

            const posenc::EncoderSpec spec = eo.spec();
            const posenc::AnyEncoder<double> enc = posenc::make_encoder<double>(spec);
            if (enc.input_dim() != 1)
                throw posenc::Error("--encoder: rank_curves needs a 1D encoder (input_dim = " +
                                    std::to_string(enc.input_dim()) + ")");
            // Bound the largest embedding (D x N doubles) to 2^28 entries (2 GiB).
            for (const auto N : samples)
                if (double(enc.output_dim()) * double(N) > double(Index(1) << 28))
                    throw posenc::Error("--samples: " + std::to_string(N) + " points x dim " +
                                        std::to_string(enc.output_dim()) + " is too large (limit 2^28 entries)");

            std::vector<double> sr, sr1;
            for (const auto N : samples) {
                const auto [a, b] = ranks_at(enc, Index(N));
                sr.push_back(a);
                sr1.push_back(b);
            }
            const posenc::DistanceCurve dp = posenc::distance_curve(enc, 0.5, posenc::protocol_deltas());
            const double hw = posenc::half_width(dp);

            if (json) {
                nlohmann::json j;
                j["encoder"] = eo.encoder;
                j["param"] = eo.has_param() ? nlohmann::json(eo.param) : nlohmann::json(nullptr);
                j["dim"] = enc.output_dim();
                j["samples"] = samples;
                j["stable_rank"] = nlohmann::json::array();
                j["stable_rank_l1"] = nlohmann::json::array();
                for (std::size_t i = 0; i < samples.size(); ++i) {
                    j["stable_rank"].push_back(number_or_null(sr[i]));
                    j["stable_rank_l1"].push_back(number_or_null(sr1[i]));
                }
                j["dp"]["delta"] = std::vector<double>(dp.delta.data(), dp.delta.data() + dp.delta.size());
                j["dp"]["k"] = std::vector<double>(dp.k.data(), dp.k.data() + dp.k.size());
                j["half_width"] = number_or_null(hw);
                j["spec"] = nlohmann::json::parse(posenc::to_string(enc.spec()));
                std::cout << j.dump() << "\n";
                return 0;
            }

            std::printf("encoder %s, output dim %ld\n", posenc::to_string(enc.spec()).c_str(), long(enc.output_dim()));
            std::printf("\nstable rank of the embedding of x_i = i/N, i = 0..N-1\n");
            std::printf("%10s  %14s  %14s\n", "N", "stable_rank", "stable_rank_l1");
            for (std::size_t i = 0; i < samples.size(); ++i)
                std::printf("%10ld  %14.6f  %14.6f\n", long(samples[i]), sr[i], sr1[i]);
            std::printf("\ndistance preservation around x0 = 0.5 (201 offsets; selected |delta| shown)\n");
            std::printf("%10s  %12s  %12s\n", "|delta|", "k(-delta)", "k(+delta)");
            const Index c = 100;  // delta = 0 in the 201 protocol offsets
            for (const Index off : {0, 1, 2, 4, 10, 20, 50, 100})
                std::printf("%10.4f  %12.6f  %12.6f\n", dp.delta[c + off], dp.k[c - off], dp.k[c + off]);
            if (std::isfinite(hw)) std::printf("\nhalf width (k falls to 1/2 at |delta| =) %.6f\n", hw);
            else std::printf("\nhalf width: k never falls to 1/2 within |delta| <= 0.5\n");
            return 0;
        });
}
