// examples/common/protocol_b.cpp — protocol B's fit and measurement (protocol_b.hpp), compiled once
// for the four examples that use them.
#include "common/protocol_b.hpp"

namespace posenc::examples {

Model<float> fit_linear(const AnyEncoder<float>& enc, const Split& sp, int steps, double lr, std::uint64_t seed) {
    MlpConfig cfg;
    cfg.input_dim = enc.output_dim();
    cfg.output_dim = sp.y_train.rows();
    cfg.depth = 0;
    cfg.seed = seed;
    Model<float> model(enc, cfg);
    AdamOptions ao;
    ao.lr = lr;
    ao.weight_decay = 1e-8;
    Adam<float> adam(ao);
    TrainOptions to;
    to.steps = steps;
    train(model, sp.x_train, sp.y_train, adam, to);
    return model;
}

LinearFit measure_linear_fit(const EncoderSpec& spec, const Split& sp, int steps, double lr, std::uint64_t seed) {
    LinearFit f;
    const auto t0 = std::chrono::steady_clock::now();
    f.model = fit_linear(make_encoder<float>(spec), sp, steps, lr, seed);
    f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    f.train_psnr = psnr_db(f.model.predict(sp.x_train), sp.y_train);
    f.test_psnr = psnr_db(f.model.predict(sp.x_test), sp.y_test);
    const AnyEncoder<double> e64 = make_encoder<double>(spec);
    const Mat<double> x64 = sp.x_train.cast<double>();
    f.srank = embedding_stable_rank(e64, ConstMatRef<double>(x64));  // windowed Gram when e64 has windows
    f.half = half_width(distance_curve(e64, 0.5));
    return f;
}

}  // namespace posenc::examples
