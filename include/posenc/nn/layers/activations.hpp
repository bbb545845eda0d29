// posenc/nn/layers/activations.hpp — elementwise activations: value, derivative, names.
#pragma once
#include <cmath>
#include <string>
#include <string_view>

#include "posenc/core/error.hpp"
#include "posenc/core/types.hpp"

namespace posenc {

/// The activation functions an Mlp layer can use.
enum class Activation { Identity, ReLU, Sigmoid, Tanh, Sine, Gaussian };

/// An activation plus its one parameter:
///   Identity  f(z) = z
///   ReLU      f(z) = max(z, 0)
///   Sigmoid   f(z) = 1 / (1 + exp(-z))
///   Tanh      f(z) = tanh(z)
///   Sine      f(z) = sin(omega_0 z)          param = omega_0 (0 means the SIREN default 30)
///   Gaussian  f(z) = exp(-z^2 / (2 a^2))     param = a       (0 means the default 0.1)
struct ActivationSpec {
    Activation kind = Activation::Identity;  ///< which function
    double param = 0;                        ///< omega_0 (Sine) or a (Gaussian); 0 = default; ignored otherwise

    /// The parameter actually used: `param`, or the kind's default when param == 0.
    double value() const {
        if (param != 0) return param;
        return kind == Activation::Sine ? 30.0 : kind == Activation::Gaussian ? 0.1 : 0.0;
    }
};

/// Lower-case name of an activation ("identity", "relu", "sigmoid", "tanh", "sine", "gaussian").
inline std::string to_string(Activation a) {
    switch (a) {
        case Activation::Identity: return "identity";
        case Activation::ReLU: return "relu";
        case Activation::Sigmoid: return "sigmoid";
        case Activation::Tanh: return "tanh";
        case Activation::Sine: return "sine";
        case Activation::Gaussian: return "gaussian";
    }
    return "unknown";
}

/// Parses an activation name (the names of to_string, plus "linear"/"none", "sin"/"siren", "gauss").
inline Activation activation_from_string(std::string_view s) {
    if (s == "identity" || s == "linear" || s == "none") return Activation::Identity;
    if (s == "relu") return Activation::ReLU;
    if (s == "sigmoid") return Activation::Sigmoid;
    if (s == "tanh") return Activation::Tanh;
    if (s == "sine" || s == "sin" || s == "siren") return Activation::Sine;
    if (s == "gaussian" || s == "gauss") return Activation::Gaussian;
    detail::fail("activation: unknown name '", s,
                "' (expected identity, relu, sigmoid, tanh, sine or gaussian)");
}

/// True when the derivative needs the pre-activation z (Sine, Gaussian); the others need only f(z).
inline bool needs_preactivation(Activation a) { return a == Activation::Sine || a == Activation::Gaussian; }

/// Throws posenc::Error unless the spec's parameter is usable; `who` names the owner ("Mlp: hidden").
inline void validate(const ActivationSpec& s, const std::string& who) {
    const double p = s.value();
    if (s.kind == Activation::Sine && !(std::isfinite(p) && p > 0))
        detail::fail(who, " activation: sine omega_0 must be finite and > 0 (got ", s.param, ")");
    if (s.kind == Activation::Gaussian && !(std::isfinite(p) && p > 0))
        detail::fail(who, " activation: gaussian a must be finite and > 0 (got ", s.param, ")");
}

/// f(z) for one scalar (reference implementation; the batch versions below are vectorised).
template <class T>
T activation_value(const ActivationSpec& s, T z) {
    const T p = T(s.value());
    switch (s.kind) {
        case Activation::Identity: return z;
        case Activation::ReLU: return z > T(0) ? z : T(0);
        case Activation::Sigmoid: return T(1) / (T(1) + std::exp(-z));
        case Activation::Tanh: return std::tanh(z);
        case Activation::Sine: return std::sin(p * z);
        case Activation::Gaussian: return std::exp(-z * z / (T(2) * p * p));
    }
    return z;
}

/// f'(z) for one scalar (ReLU: 0 at z = 0).
template <class T>
T activation_derivative(const ActivationSpec& s, T z) {
    const T p = T(s.value());
    switch (s.kind) {
        case Activation::Identity: return T(1);
        case Activation::ReLU: return z > T(0) ? T(1) : T(0);
        case Activation::Sigmoid: { const T a = activation_value(s, z); return a * (T(1) - a); }
        case Activation::Tanh: { const T a = std::tanh(z); return T(1) - a * a; }
        case Activation::Sine: return p * std::cos(p * z);
        case Activation::Gaussian: return -z / (p * p) * activation_value(s, z);
    }
    return T(1);
}

/// a = f(z) on n contiguous values; a may be the same buffer as z (in place).
template <class T>
void activate(const ActivationSpec& s, const T* z, T* a, Index n) {
    using Arr = Eigen::Array<T, Eigen::Dynamic, 1>;
    Eigen::Map<const Arr> Z(z, n);
    Eigen::Map<Arr> A(a, n);
    const T p = T(s.value());
    switch (s.kind) {
        case Activation::Identity: if (a != z) A = Z; break;
        case Activation::ReLU: A = Z.max(T(0)); break;
        case Activation::Sigmoid: A = Z.logistic(); break;
        case Activation::Tanh: A = Z.tanh(); break;
        case Activation::Sine: A = (p * Z).sin(); break;
        case Activation::Gaussian: A = (Z.square() * (T(-0.5) / (p * p))).exp(); break;
    }
}

/// dz = da * f'(z) on n contiguous values, using the pre-activation z and/or the output a = f(z)
/// (z may be nullptr unless needs_preactivation(kind)); dz may be the same buffer as da.
template <class T>
void activation_backward(const ActivationSpec& s, const T* z, const T* a, const T* da, T* dz, Index n) {
    using Arr = Eigen::Array<T, Eigen::Dynamic, 1>;
    Eigen::Map<const Arr> A(a, n), dA(da, n);
    Eigen::Map<Arr> dZ(dz, n);
    const T p = T(s.value());
    switch (s.kind) {
        case Activation::Identity: if (dz != da) dZ = dA; break;
        case Activation::ReLU: dZ = (A > T(0)).select(dA, T(0)); break;
        case Activation::Sigmoid: dZ = dA * A * (T(1) - A); break;
        case Activation::Tanh: dZ = dA * (T(1) - A.square()); break;
        case Activation::Sine: dZ = dA * p * (p * Eigen::Map<const Arr>(z, n)).cos(); break;
        case Activation::Gaussian: dZ = dA * A * Eigen::Map<const Arr>(z, n) * (T(-1) / (p * p)); break;
    }
}

}  // namespace posenc
