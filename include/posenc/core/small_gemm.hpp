// posenc/core/small_gemm.hpp — small_gemm(): C (+)= A B for layer-sized operands (the fused MLP's
// product, nn/fused_mlp.hpp): register tiles of Eigen packets, no packing, B read through strides.
#pragma once
#include <Eigen/Core>

#include "posenc/core/types.hpp"

namespace posenc {
namespace detail {

/// Eigen's widest packet for T on the compile target (16 floats with AVX-512, 8 with AVX2, 4 with SSE).
template <class T>
struct SmallGemmPacket {
    using type = typename Eigen::internal::packet_traits<T>::type;                ///< the packet type
    static constexpr int size = Eigen::internal::unpacket_traits<type>::size;    ///< scalars per packet
};

/// Columns of a register tile: 4 with 32 vector registers (AVX-512), else 2 (16 registers).
#if defined(__AVX512F__)
inline constexpr int kSmallGemmNR = 4;
#else
inline constexpr int kSmallGemmNR = 2;
#endif
/// Packets of rows in a register tile.
inline constexpr int kSmallGemmMP = 4;

/// One register tile: C[i, j] (+)= sum_kk A[i + kk lda] B[kk sk + j sj] for the MP packets of rows
/// at A, C and the NR columns j of B, C; the tile's MP x NR packets of C stay in registers over kk.
template <class T, int MP, int NR>
inline void small_gemm_tile(Index k, const T* A, Index lda, const T* B, Index sk, Index sj, T* C, Index ldc,
                            bool accumulate) {
    using namespace Eigen::internal;
    using P = typename SmallGemmPacket<T>::type;
    constexpr int PS = SmallGemmPacket<T>::size;
    P c[MP][NR];
    for (int m = 0; m < MP; ++m)
        for (int n = 0; n < NR; ++n) c[m][n] = pset1<P>(T(0));
    for (Index kk = 0; kk < k; ++kk) {
        const T* a = A + kk * lda;
        const T* b = B + kk * sk;
        P av[MP];
        for (int m = 0; m < MP; ++m) av[m] = ploadu<P>(a + m * PS);
        for (int n = 0; n < NR; ++n) {
            const P bv = pset1<P>(b[n * sj]);                          // broadcast B[kk, j]
            for (int m = 0; m < MP; ++m) c[m][n] = pmadd(av[m], bv, c[m][n]);  // c += A[:, kk] B[kk, j]
        }
    }
    for (int n = 0; n < NR; ++n)
        for (int m = 0; m < MP; ++m) {
            T* dst = C + n * ldc + m * PS;
            pstoreu(dst, accumulate ? padd(ploadu<P>(dst), c[m][n]) : c[m][n]);
        }
}

/// Rows of C that are not a whole packet, by dot products along k: C[i, j] (+)= sum_kk At[kk + i ldat]
/// B[kk + j sj], with At = A^T (k x m, column-major) and B's columns contiguous (sk = 1).
template <class T>
inline void small_gemm_dot_rows(Index r0, Index r1, Index n, Index k, const T* At, Index ldat, const T* B, Index sj,
                                T* C, Index ldc, bool accumulate) {
    using namespace Eigen::internal;
    using P = typename SmallGemmPacket<T>::type;
    constexpr int PS = SmallGemmPacket<T>::size;
    const Index kp = k / PS * PS;
    for (Index j = 0; j < n; ++j) {
        const T* b = B + j * sj;
        for (Index i = r0; i < r1; ++i) {
            const T* a = At + i * ldat;
            P acc = pset1<P>(T(0));
            for (Index kk = 0; kk < kp; kk += PS) acc = pmadd(ploadu<P>(a + kk), ploadu<P>(b + kk), acc);
            T s = predux(acc);
            for (Index kk = kp; kk < k; ++kk) s += a[kk] * b[kk];
            T& dst = C[i + j * ldc];
            dst = accumulate ? dst + s : s;
        }
    }
}

/// C (m x n, column-major, leading dimension ldc) = A B, or += with `accumulate`, where A is m x k
/// column-major (leading dimension lda) and B(kk, j) = B[kk sk + j sj] (so B may be a transposed view).
/// Rows in whole packets go through register tiles; the remaining m mod packet-size rows take dot
/// products when At = A^T is given (k x m, leading dimension ldat) and sk == 1, else a scalar loop.
/// Single-threaded; the caller splits columns between threads.
template <class T>
void small_gemm(Index m, Index n, Index k, const T* A, Index lda, const T* B, Index sk, Index sj, T* C, Index ldc,
                bool accumulate, const T* At = nullptr, Index ldat = 0) {
    constexpr int PS = SmallGemmPacket<T>::size;
    constexpr int MP = kSmallGemmMP, NR = kSmallGemmNR;
    const Index mt = m / (MP * PS) * (MP * PS);  // rows in full tiles
    const Index mp = m / PS * PS;                // rows in whole packets
    // Rows: full tiles of MP packets, then one tile of the 1 .. MP-1 packets left (m = 32 floats with
    // AVX-512: one tile of 2 packets, not two of 1). Columns: tiles of NR, then one of the rest.
    auto rows = [&]<int NC>(const T* b, T* c) {
        Index i = 0;
        for (; i < mt; i += MP * PS) small_gemm_tile<T, MP, NC>(k, A + i, lda, b, sk, sj, c + i, ldc, accumulate);
        switch ((mp - i) / PS) {
            case 1: small_gemm_tile<T, 1, NC>(k, A + i, lda, b, sk, sj, c + i, ldc, accumulate); break;
            case 2: small_gemm_tile<T, 2, NC>(k, A + i, lda, b, sk, sj, c + i, ldc, accumulate); break;
            case 3: small_gemm_tile<T, 3, NC>(k, A + i, lda, b, sk, sj, c + i, ldc, accumulate); break;
            default: break;
        }
    };
    static_assert(MP == 4 && NR >= 1 && NR <= 8, "small_gemm: the remainder switch assumes MP = 4, NR <= 8");
    Index j = 0;
    for (; j + NR <= n; j += NR) rows.template operator()<NR>(B + j * sj, C + j * ldc);
    const T* b = B + j * sj;
    T* c = C + j * ldc;
    switch (n - j) {  // the last 1 .. NR-1 columns
        case 1: rows.template operator()<1>(b, c); break;
        case 2: if constexpr (NR > 2) rows.template operator()<2>(b, c); break;
        case 3: if constexpr (NR > 3) rows.template operator()<3>(b, c); break;
        case 4: if constexpr (NR > 4) rows.template operator()<4>(b, c); break;
        case 5: if constexpr (NR > 5) rows.template operator()<5>(b, c); break;
        case 6: if constexpr (NR > 6) rows.template operator()<6>(b, c); break;
        case 7: if constexpr (NR > 7) rows.template operator()<7>(b, c); break;
        default: break;
    }
    if (mp == m) return;
    if (At != nullptr && sk == 1) {
        small_gemm_dot_rows<T>(mp, m, n, k, At, ldat, B, sj, C, ldc, accumulate);
        return;
    }
    for (Index jj = 0; jj < n; ++jj)
        for (Index i = mp; i < m; ++i) {
            T s(0);
            for (Index kk = 0; kk < k; ++kk) s += A[i + kk * lda] * B[kk * sk + jj * sj];
            T& dst = C[i + jj * ldc];
            dst = accumulate ? dst + s : s;
        }
}

}  // namespace detail
}  // namespace posenc
