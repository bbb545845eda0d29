// posenc/fwd.hpp — forward declarations of posenc's public types, for headers that only name them
// (function declarations, pointers, references, members held by pointer), like nlohmann's json_fwd.hpp.
//
// It includes only <cstddef>: no Eigen, no standard containers, so a user's header that includes it
// instead of posenc/posenc.hpp costs its includers nothing. Include the defining header (or the
// umbrella) where a type is used. Not declared here: the class templates whose parameters are
// constrained by a concept (ShiftedBasis, PerAxis, Directional, Kronecker) — their declarations need
// the concepts, hence Eigen; include encoding/shifted_basis.hpp and friends for those. Default template
// arguments (AnyEncoder<> = AnyEncoder<double>, ...) are given by the defining headers, not here.
// tests/headers.cmake compiles this file alone and before the umbrella, so a declaration that no longer
// matches its definition fails the suite.
#pragma once
#include <cstddef>

namespace posenc {

using Index = std::ptrdiff_t;  ///< the same type as Eigen::Index (core/types.hpp)

// core/
class Error;
class Rng;
template <class T> struct Param;

// encoding/
struct EncoderSpec;
enum class Domain;
enum class Scaling;
template <class T> struct Windows;
template <class T> class AnyEncoder;
template <class T> class Identity;
template <class T> class Concat;
template <class T> class FourierFeatures;
class Gaussian;
class Triangle;
class Sinc;
class Impulse;
class SquareWave;
class SineWave;
class RandomNoise;
class OneBlobBin;
template <class T> class OneBlob;
template <class T> class TriangleWave;
template <class T> class SphericalHarmonics;
enum class GridInterpolation;
struct GridConfig;
template <class T> struct GridContext;
template <class T> class Grid;
template <class T> class LearnableFourier;
template <class T> class LearnableGaussian;

// nn/
enum class Activation;
struct ActivationSpec;
enum class Loss;
enum class MlpInit;
struct MlpConfig;
enum class FirstLayerPath;
template <class T> struct Dense;
template <class T> class Mlp;
template <class T> struct EncodedBatch;
template <class T> class Model;
template <class T> class KroneckerLinear;
template <class T> class KroneckerLinear3;
struct AdamOptions;
template <class T> class Adam;
struct SgdOptions;
template <class T> class Sgd;
struct TrainOptions;
struct TrainResult;
struct StepInfo;
struct ProgressOptions;
class Progress;
struct EarlyStopOptions;
class EarlyStop;
template <class T> class NanGuard;
struct RidgeOptions;
template <class T> struct RidgeFit;

// analysis/
enum class StableRankMethod;
struct StableRankOptions;
struct EmbeddingRankOptions;
struct EmbeddingStableRanks;
struct DistanceCurve;
struct BandwidthModel;
struct BandwidthSearch;
struct GridRecommendSettings;
struct GridRecommendation;
struct BandwidthRecommendation;

}  // namespace posenc
