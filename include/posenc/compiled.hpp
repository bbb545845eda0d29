// posenc/compiled.hpp — the opt-in compiled part: extern template declarations of the heaviest
// instantiations, defined once in src/compiled_float.cpp and src/compiled_double.cpp (CMake target posenc::compiled).
//
// posenc is header-only. A program that links posenc::compiled instead of posenc::posenc gets the
// definition POSENC_COMPILED, and every translation unit that includes this header (the umbrella
// posenc/posenc.hpp does) then uses the instantiations below from the library instead of compiling
// them again, like fmt's compiled mode. Only the float and double forms listed here are
// precompiled; any other instantiation is compiled from the headers as usual. Measured effect on
// compile times: docs/development.md.
#pragma once
#include "posenc/core/gemm.hpp"
#include "posenc/core/types.hpp"
#include "posenc/analysis/windowed_gram.hpp"
#include "posenc/encoding/any_encoder.hpp"
#include "posenc/encoding/encoder_spec.hpp"
#include "posenc/encoding/factory.hpp"
#include "posenc/io/model_file.hpp"
#include "posenc/nn/optim/adam.hpp"
#include "posenc/nn/model.hpp"
#include "posenc/nn/solvers/ridge.hpp"
#include "posenc/nn/trainer.hpp"

/// The precompiled set for scalar T: `POSENC_COMPILED_SET(extern template, float)` declares it,
/// `POSENC_COMPILED_SET(template, float)` (src/compiled_float.cpp) defines it.
#define POSENC_COMPILED_SET(KIND, T)                                                                            \
    KIND void ::posenc::detail::gemm<T>(::posenc::detail::Op, ::posenc::detail::Op, ::posenc::ConstMatRef<T>,  \
                                        ::posenc::ConstMatRef<T>, ::posenc::MatRef<T>, bool);                  \
    KIND ::posenc::AnyEncoder<T> (::posenc::make_encoder<T>)(const ::posenc::EncoderSpec&);                     \
    KIND ::posenc::TrainResult(::posenc::train<::posenc::Model<T>, ::posenc::Adam<T>>)(                          \
        ::posenc::Model<T>&, const ::posenc::ConstMatRef<T>&, const ::posenc::ConstMatRef<T>&,                   \
        ::posenc::Adam<T>&, const ::posenc::TrainOptions&);                                                     \
    KIND std::string(::posenc::model_to_bytes<T>)(const ::posenc::Model<T>&);                                     \
    KIND ::posenc::Model<T>(::posenc::model_from_bytes<T>)(std::string_view);                                     \
    KIND ::posenc::RidgeFit<T>(::posenc::fit_ridge<::posenc::Model<T>, ::posenc::EncodedBatch<T>, T>)(             \
        ::posenc::Model<T>&, const ::posenc::EncodedBatch<T>&, const std::type_identity_t<::posenc::ConstMatRef<T>>&, \
        const ::posenc::RidgeOptions&);                                                                         \
    KIND double(::posenc::embedding_stable_rank<::posenc::AnyEncoder<T>>)(                                       \
        const ::posenc::AnyEncoder<T>&, ::posenc::ConstMatRef<T>, const ::posenc::StableRankOptions&);           \
    KIND ::posenc::EmbeddingStableRanks(::posenc::embedding_stable_ranks<::posenc::AnyEncoder<T>>)(              \
        const ::posenc::AnyEncoder<T>&, ::posenc::ConstMatRef<T>, const ::posenc::EmbeddingRankOptions&);

/// Eigen's ABI follows the vectorisation flags (EIGEN_MAX_ALIGN_BYTES: 16 with SSE, 32 with AVX, 64
/// with AVX-512 aligns every allocation), so the library and the program must be compiled with the
/// same -march. The library defines posenc::detail::compiled_abi_align_<bytes>() for its alignment and
/// every translation unit that uses it references the one of its own: a mismatch is a link error
/// ("undefined reference to posenc::detail::compiled_abi_align_16()") instead of a crash.
#define POSENC_COMPILED_ABI_CAT_(a, b) a##b
#define POSENC_COMPILED_ABI_CAT(a, b) POSENC_COMPILED_ABI_CAT_(a, b)
#define POSENC_COMPILED_ABI_FN POSENC_COMPILED_ABI_CAT(compiled_abi_align_, EIGEN_MAX_ALIGN_BYTES)

#if defined(POSENC_COMPILED)
namespace posenc::detail {
int POSENC_COMPILED_ABI_FN();
/// Makes every translation unit that includes this header reference its ABI function (see above).
inline const int compiled_abi_probe = POSENC_COMPILED_ABI_FN();
}  // namespace posenc::detail
POSENC_COMPILED_SET(extern template, float)
POSENC_COMPILED_SET(extern template, double)
#endif
