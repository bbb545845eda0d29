// Writes the seed corpus of fuzz_model_load: small valid model files covering every kind of encoder
// spec (leaf, per-axis, concat with children), both scalar types, depths 0-2 and every activation.
// Not part of the normal build. Regenerate by hand:
//   cmake --build <build>/fuzz --target make_model_seeds
//   <build>/fuzz/make_model_seeds tests/fuzz/corpus/fuzz_model_load
#include <filesystem>
#include <iostream>
#include <string>

#include "posenc/encoding/factory.hpp"
#include "posenc/io/model_file.hpp"

namespace {

template <class T>
void write(const std::filesystem::path& dir, const std::string& name, const posenc::EncoderSpec& spec,
           posenc::MlpConfig cfg) {
    const posenc::Model<T> model(posenc::make_encoder<T>(spec), cfg);
    posenc::save_model(model, dir / name);
    std::cout << name << ": " << std::filesystem::file_size(dir / name) << " bytes\n";
}

posenc::MlpConfig config(posenc::Index out, posenc::Index width, posenc::Index depth, posenc::Activation hidden,
                         posenc::Activation output = posenc::Activation::Identity) {
    posenc::MlpConfig c;
    c.output_dim = out;
    c.width = width;
    c.depth = depth;
    c.hidden = {hidden, 0};
    c.output = {output, 0};
    c.seed = 7;
    return c;
}

}  // namespace

int main(int argc, char** argv) {
    using posenc::Activation;
    using posenc::EncoderSpec;
    const std::filesystem::path dir = argc > 1 ? argv[1] : "tests/fuzz/corpus/fuzz_model_load";
    std::filesystem::create_directories(dir);
    write<float>(dir, "gaussian_depth0.pm", EncoderSpec{"gaussian", {{"sigma", 0.1}, {"dim", 8}}, {}},
                 config(1, 4, 0, Activation::ReLU));
    write<float>(dir, "gaussian2_relu_sigmoid.pm", EncoderSpec{"gaussian2", {{"sigma", 0.05}, {"dim", 8}}, {}},
                 config(3, 4, 1, Activation::ReLU, Activation::Sigmoid));
    write<double>(dir, "rff2_sine_double.pm",
                  EncoderSpec{"rff", {{"sigma", 5}, {"dim", 6}, {"input_dim", 2}, {"seed", 3}}, {}},
                  config(1, 3, 2, Activation::Sine));
    write<double>(dir, "concat_tanh_double.pm",
                  EncoderSpec{"concat", {}, {EncoderSpec{"triangle", {{"width", 0.2}, {"dim", 5}}, {}},
                                             EncoderSpec{"logf", {{"levels", 2}}, {}}}},
                  config(2, 2, 1, Activation::Tanh));
    write<float>(dir, "per_axis_gaussian_act.pm",
                 EncoderSpec{"per_axis", {{"input_dim", 2}},
                             {EncoderSpec{"impulse", {{"dim", 4}, {"periodic", 1}}, {}}}},
                 config(1, 2, 1, Activation::Gaussian));
    write<float>(dir, "identity3.pm", EncoderSpec{"identity", {{"input_dim", 3}}, {}},
                 config(1, 2, 1, Activation::ReLU));
    return 0;
}
