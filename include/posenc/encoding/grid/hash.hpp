// posenc/encoding/grid/hash.hpp — the spatial hash and the dense index of one grid level, as in
// tiny-cuda-nn's grid encoding (docs/encodings.md, section "Multiresolution grid"; docs/theory.md,
// section 10).
#pragma once
#include <cstdint>

namespace posenc {

/// The four hash factors of tiny-cuda-nn's default ("CoherentPrime") hash, one per axis; the first
/// is 1 so that neighbouring vertices along axis 0 land in neighbouring entries.
inline constexpr std::uint32_t grid_hash_primes[4] = {1u, 2654435761u, 805459861u, 3674653429u};

/// Spatial hash of the integer vertex k (d = dims <= 4 axes):
///     h(k) = XOR_i (k_i * pi_i)   in uint32 arithmetic (products wrap mod 2^32)
/// (the caller reduces it mod the table size).
inline std::uint32_t grid_hash(const std::uint32_t* k, int dims) {
    std::uint32_t h = 0;
    for (int i = 0; i < dims; ++i) h ^= k[i] * grid_hash_primes[i];  // k_i * pi_i mod 2^32, xor-folded
    return h;
}

/// Row-major-in-reverse dense index of vertex k on a level of `resolution` vertices per axis:
///     i(k) = sum_i k_i * resolution^i   in uint32 (axis 0 fastest)
/// A coordinate k_i may equal `resolution` (tiny-cuda-nn's +0.5 offset reaches one vertex past the
/// last one near x = 1); it then aliases into the next row, exactly as in tiny-cuda-nn.
inline std::uint32_t grid_dense_index(const std::uint32_t* k, int dims, std::uint32_t resolution) {
    std::uint32_t index = 0, stride = 1;
    for (int i = 0; i < dims; ++i) {
        index += k[i] * stride;  // + k_i * R^i
        stride *= resolution;
    }
    return index;
}

/// Entry of vertex k in a level's table of `size` entries: the dense index when the level is dense
/// (R^d <= size), the hash otherwise, both mod size (tiny-cuda-nn's grid_index for GridType::Hash).
inline std::uint32_t grid_level_index(const std::uint32_t* k, int dims, std::uint32_t resolution, std::uint32_t size,
                                      bool dense) {
    const std::uint32_t i = dense ? grid_dense_index(k, dims, resolution) : grid_hash(k, dims);
    return i % size;
}

}  // namespace posenc
