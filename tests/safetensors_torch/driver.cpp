// Driver of the safetensors_torch test (tests/safetensors_torch.cmake): builds a few small posenc
// models (float and double, several encoders and activations, and multiresolution grids: 2D and 3D,
// dense and hashed levels, linear and smoothstep, both alignments), exports each with
// export_safetensors to <out>/<name>.safetensors and writes the test points, their encoding and
// posenc's prediction for them to <out>/<name>.io.safetensors ("x" [N, d], "psi" [N, D], "pred"
// [N, C]). check.py loads both with torch; for a grid it recomputes "psi" from "x" and the exported
// table "encoder.grid.table" with its own PyTorch implementation of the grid encoding.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

#include "posenc/encoding/factory.hpp"
#include "posenc/io/safetensors.hpp"
#include "posenc/nn/model.hpp"

using namespace posenc;

namespace {

template <class T>
void emit(const std::filesystem::path& out, const std::string& name, const EncoderSpec& spec, Index depth, Index width,
          Index channels, ActivationSpec hidden, ActivationSpec output, std::uint64_t seed) {
    MlpConfig cfg;
    cfg.output_dim = channels;
    cfg.depth = depth;
    cfg.width = width;
    cfg.hidden = hidden;
    cfg.output = output;
    cfg.seed = seed;
    Model<T> m(make_encoder<T>(spec), cfg);
    Rng rng(seed + 17);  // move the weights away from the initialisation, as training would
    for (Index l = 0; l < m.mlp().num_layers(); ++l) {
        auto& L = m.mlp().layer(l);
        for (Index i = 0; i < L.W.size(); ++i) L.W.data()[i] += T(rng.uniform(-0.2, 0.2));
        for (Index i = 0; i < L.b.size(); ++i) L.b(i) += T(rng.uniform(-0.2, 0.2));
    }
    // a grid's table starts at +-1e-4: give it trained-like values of order 1, so that every corner
    // and weight shows in the prediction
    for (const auto& p : m.encoder().parameters())
        for (Index i = 0; i < p.size; ++i) p.value[i] = T(rng.uniform(-1.0, 1.0));
    const Index N = 200;
    Mat<T> X(m.input_dim(), N);
    for (Index i = 0; i < X.size(); ++i) X.data()[i] = T(rng.uniform());
    // the domain's corners and edges (x = 0 and x = 1: the last cell of a vertex-aligned level, the
    // vertex past the last one of a tcnn-aligned level)
    for (Index n = 0; n < 8 && n < N; ++n)
        for (Index i = 0; i < X.rows(); ++i) X(i, n) = ((n >> i) & 1) ? T(1) : T(0);
    Mat<T> psi(m.encoder().output_dim(), N);
    m.encoder().encode(X, psi);
    const Mat<T> pred = m.predict(X);
    export_safetensors(m, out / (name + ".safetensors"));
    save_safetensors<T>({{"x", X.transpose(), false}, {"psi", psi.transpose(), false}, {"pred", pred.transpose(), false}},
                        out / (name + ".io.safetensors"));
    std::printf("%s: %s, depth %d, %d -> %d\n", name.c_str(), to_string(m.encoder().spec()).c_str(), int(depth),
                int(m.input_dim()), int(m.output_dim()));
}

EncoderSpec spec(std::string type, std::map<std::string, double> params, std::vector<EncoderSpec> children = {}) {
    return EncoderSpec{std::move(type), std::move(params), std::move(children)};
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
        return 2;
    }
    try {
        const std::filesystem::path out = argv[1];
        std::filesystem::create_directories(out);
        emit<float>(out, "gaussian_relu_f32", spec("gaussian", {{"sigma", 0.02}, {"dim", 64}}), 2, 16, 3,
                    {Activation::ReLU, 0}, {Activation::Sigmoid, 0}, 1);
        emit<double>(out, "rff_sine_f64", spec("rff", {{"sigma", 4}, {"dim", 32}, {"input_dim", 2}, {"seed", 3}}), 1, 8, 2,
                     {Activation::Sine, 0}, {Activation::Identity, 0}, 2);
        emit<float>(out, "concat_gauss_f32", spec("concat", {}, {spec("identity", {}), spec("logf", {{"levels", 4}})}), 2, 8,
                    1, {Activation::Gaussian, 0.5}, {Activation::Tanh, 0}, 3);
        emit<double>(out, "triangle_depth0_f64", spec("triangle", {{"width", 0.05}, {"dim", 40}}), 0, 1, 1,
                     {Activation::ReLU, 0}, {Activation::Identity, 0}, 4);
        // multiresolution grids (interpolation 1 linear, 2 smoothstep; alignment 0 tcnn, 1 vertex).
        // 2D, N_min 4, b 1.5: resolutions 4, 6, 9, 14, R^2 <= 2^14, every level dense
        emit<float>(out, "grid2d_dense_linear_tcnn_f32",
                    spec("hashgrid", {{"input_dim", 2}, {"levels", 4}, {"features", 2}, {"log2_table_size", 14},
                                      {"base_resolution", 4}, {"per_level_scale", 1.5}, {"interpolation", 1},
                                      {"alignment", 0}, {"seed", 5}}),
                    2, 16, 3, {Activation::ReLU, 0}, {Activation::Sigmoid, 0}, 5);
        // 2D, 2^8 entries, N_min 8 .. N_max 64 (b = 8^(1/5)): levels 0-1 dense, 2-5 hashed
        emit<double>(out, "grid2d_hash_smoothstep_vertex_f64",
                     spec("hashgrid", {{"input_dim", 2}, {"levels", 6}, {"features", 2}, {"log2_table_size", 8},
                                       {"base_resolution", 8}, {"max_resolution", 64}, {"interpolation", 2},
                                       {"alignment", 1}, {"seed", 6}}),
                     2, 16, 1, {Activation::ReLU, 0}, {Activation::Identity, 0}, 6);
        emit<float>(out, "grid2d_hash_linear_vertex_f32",
                    spec("hashgrid", {{"input_dim", 2}, {"levels", 6}, {"features", 4}, {"log2_table_size", 8},
                                      {"base_resolution", 8}, {"max_resolution", 64}, {"interpolation", 1},
                                      {"alignment", 1}, {"seed", 7}}),
                    1, 16, 1, {Activation::Tanh, 0}, {Activation::Identity, 0}, 7);
        emit<double>(out, "grid2d_dense_smoothstep_tcnn_f64",
                     spec("hashgrid", {{"input_dim", 2}, {"levels", 3}, {"features", 1}, {"log2_table_size", 12},
                                       {"base_resolution", 5}, {"per_level_scale", 1.7}, {"interpolation", 2},
                                       {"alignment", 0}, {"seed", 8}}),
                     1, 8, 2, {Activation::Sine, 0}, {Activation::Identity, 0}, 8);
        // 3D, N_min 4, b 2, 2^12 entries: tcnn 4, 8, 16 vertices per axis (R^3 <= 4096, all dense);
        // vertex 5, 9, 17 (the last level hashed)
        emit<float>(out, "grid3d_dense_smoothstep_vertex_f32",
                    spec("hashgrid", {{"input_dim", 3}, {"levels", 3}, {"features", 2}, {"log2_table_size", 12},
                                      {"base_resolution", 4}, {"per_level_scale", 2}, {"interpolation", 2},
                                      {"alignment", 1}, {"seed", 9}}),
                    2, 16, 1, {Activation::ReLU, 0}, {Activation::Identity, 0}, 9);
        emit<double>(out, "grid3d_dense_linear_tcnn_f64",
                     spec("hashgrid", {{"input_dim", 3}, {"levels", 3}, {"features", 2}, {"log2_table_size", 12},
                                       {"base_resolution", 4}, {"per_level_scale", 2}, {"interpolation", 1},
                                       {"alignment", 0}, {"seed", 10}}),
                     1, 16, 1, {Activation::ReLU, 0}, {Activation::Identity, 0}, 10);
        // 3D, 2^9 entries, N_min 4, b 1.7: levels 0-1 dense, the others hashed
        emit<double>(out, "grid3d_hash_linear_tcnn_f64",
                     spec("hashgrid", {{"input_dim", 3}, {"levels", 5}, {"features", 4}, {"log2_table_size", 9},
                                       {"base_resolution", 4}, {"per_level_scale", 1.7}, {"interpolation", 1},
                                       {"alignment", 0}, {"seed", 11}}),
                     2, 16, 2, {Activation::ReLU, 0}, {Activation::Identity, 0}, 11);
        emit<float>(out, "grid3d_hash_smoothstep_tcnn_f32",
                    spec("hashgrid", {{"input_dim", 3}, {"levels", 5}, {"features", 2}, {"log2_table_size", 9},
                                      {"base_resolution", 4}, {"per_level_scale", 1.7}, {"interpolation", 2},
                                      {"alignment", 0}, {"seed", 12}}),
                    2, 16, 1, {Activation::Gaussian, 0.5}, {Activation::Sigmoid, 0}, 12);
        emit<float>(out, "grid3d_hash_linear_vertex_f32",
                    spec("hashgrid", {{"input_dim", 3}, {"levels", 4}, {"features", 2}, {"log2_table_size", 10},
                                      {"base_resolution", 6}, {"max_resolution", 40}, {"interpolation", 1},
                                      {"alignment", 1}, {"seed", 13}}),
                    2, 16, 1, {Activation::ReLU, 0}, {Activation::Identity, 0}, 13);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "safetensors_torch driver: %s\n", e.what());
        return 1;
    }
    return 0;
}
