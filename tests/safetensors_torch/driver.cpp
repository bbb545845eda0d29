// Driver of the safetensors_torch test (tests/safetensors_torch.cmake): builds a few small posenc
// models (float and double, several encoders and activations), exports each with export_safetensors
// to <out>/<name>.safetensors and writes the encoding of test points and posenc's prediction for them
// to <out>/<name>.io.safetensors ("psi" [N, D], "pred" [N, C]). check.py loads both with torch.
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
    const Index N = 200;
    Mat<T> X(m.input_dim(), N);
    for (Index i = 0; i < X.size(); ++i) X.data()[i] = T(rng.uniform());
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
    } catch (const std::exception& e) {
        std::fprintf(stderr, "safetensors_torch driver: %s\n", e.what());
        return 1;
    }
    return 0;
}
