// posenc/encoding/any_encoder.hpp — a type-erased encoder with value semantics, built by the factory
// or from any concrete Encoder.
#pragma once
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "posenc/core/param.hpp"
#include "posenc/encoding/encoder.hpp"
#include "posenc/encoding/encoder_spec.hpp"
#include "posenc/encoding/windows.hpp"

namespace posenc {

/// Any Encoder behind one type: `AnyEncoder<float> e = make_encoder<float>(spec);` or
/// `AnyEncoder<double> e(ShiftedBasis<Gaussian>(...));`. Copies of a fixed encoder are cheap and share
/// one implementation that is never modified, so an AnyEncoder is safe to use from several threads.
/// An encoder with trainable parameters (ParametricEncoder, encoding/encoder.hpp) is deep-copied
/// instead (each copy owns its parameters): has_parameters(), parameters(), accumulate_param_grads().
///
/// It satisfies Encoder and WindowedEncoder: window_width() is the wrapped encoder's K, or 0 when the
/// wrapped type has no windows (or none for its parameters); windows() throws posenc::Error then.
/// It carries the EncoderSpec it was built from (empty type for hand-wrapped encoders unless given),
/// a short name() and a one-line describe(). A default-constructed AnyEncoder is empty: every
/// method except empty()/name()/describe()/spec() throws posenc::Error.
template <class T = double>
class AnyEncoder {
public:
    using Scalar = T;  ///< scalar type of inputs and codes

    /// An empty encoder (placeholder to assign to later).
    AnyEncoder() = default;

    /// Wraps a copy of `e` (any Encoder with Scalar T). `spec` records how it was built (the factory
    /// fills it); without one, e.spec() when the encoder describes itself (HasSpec: shifted bases of the
    /// built-in profiles, PerAxis of them, Identity). `name` defaults to spec.type, or "custom" when
    /// that is empty too.
    template <class E>
        requires(!std::is_same_v<std::decay_t<E>, AnyEncoder> && Encoder<std::decay_t<E>> &&
                 std::is_same_v<typename std::decay_t<E>::Scalar, T>)
    explicit AnyEncoder(E&& e, EncoderSpec spec = {}, std::string name = {})
        : impl_(std::make_shared<Model<std::decay_t<E>>>(std::forward<E>(e))), spec_(std::move(spec)),
          name_(std::move(name)) {
        if constexpr (HasSpec<std::decay_t<E>>)
            if (spec_.type.empty()) spec_ = static_cast<const Model<std::decay_t<E>>&>(*impl_).e.spec();
        if (name_.empty()) name_ = spec_.type.empty() ? "custom" : spec_.type;
    }

    /// Copies: shares a fixed encoder's implementation, deep-copies one with parameters.
    AnyEncoder(const AnyEncoder& o) : impl_(copy_impl(o.impl_)), spec_(o.spec_), name_(o.name_) {}
    /// Copy assignment (see the copy constructor).
    AnyEncoder& operator=(const AnyEncoder& o) {
        if (this != &o) {
            impl_ = copy_impl(o.impl_);
            spec_ = o.spec_;
            name_ = o.name_;
        }
        return *this;
    }
    AnyEncoder(AnyEncoder&&) noexcept = default;             ///< moves the implementation
    AnyEncoder& operator=(AnyEncoder&&) noexcept = default;  ///< moves the implementation

    /// True for a default-constructed AnyEncoder.
    bool empty() const { return !impl_; }
    /// True when the wrapped encoder has trainable parameters (ParametricEncoder).
    bool has_parameters() const { return impl_ && impl_->has_parameters(); }
    /// Views of the wrapped encoder's parameters and gradients (none for a fixed encoder). They stay
    /// valid while this AnyEncoder lives and is not assigned to. The views are writable (the optimizer
    /// updates through them) even from a const AnyEncoder: constness is shallow, like a pointer's.
    std::vector<Param<T>> parameters() const { return impl_ ? impl_->parameters() : std::vector<Param<T>>{}; }
    /// Adds the parameter gradient of sum(dC .* codes(X)) to the gradients (see ParametricEncoder);
    /// nothing for a fixed encoder.
    void accumulate_param_grads(ConstMatRef<T> X, ConstMatRef<T> dC) {
        if (has_parameters()) impl_->accumulate_param_grads(X, dC);
    }
    /// Dimension of the input points.
    Index input_dim() const { return get().input_dim(); }
    /// Number of rows of a code.
    Index output_dim() const { return get().output_dim(); }
    /// Encodes the columns of X into out (output_dim x N), see Encoder.
    void encode(ConstMatRef<T> X, MatRef<T> out) const { get().encode(X, out); }
    /// Vector-Jacobian product into the coordinates, see Encoder.
    void backward(ConstMatRef<T> X, ConstMatRef<T> dY, MatRef<T> dX) const { get().backward(X, dY, dX); }
    /// Window slots per point K, 0 when the wrapped encoder has no compact-support windows.
    Index window_width() const { return get().window_width(); }
    /// Fills w with the sparse windows of X; throws posenc::Error when window_width() == 0.
    void windows(ConstMatRef<T> X, Windows<T>& w) const {
        const Concept& c = get();
        if (c.window_width() <= 0)
            detail::fail("AnyEncoder \"", name_, "\": this encoder has no compact-support windows (window_width() == 0)");
        c.windows(X, w);
    }

    /// The spec this encoder was built from (by make_encoder: normalised, defaults filled in).
    const EncoderSpec& spec() const { return spec_; }
    /// Short name: the spec's type ("gaussian", "rff", ...) or the name given at construction.
    const std::string& name() const { return name_; }
    /// One line: name, spec and dimensions, e.g. `gaussian {"type":"gaussian",...} : 1 -> 1000 (K = 13)`.
    std::string describe() const {
        std::string s = name_;
        if (!spec_.type.empty()) s += " " + to_string(spec_);
        if (!impl_) return s + " (empty)";
        s += " : " + std::to_string(input_dim()) + " -> " + std::to_string(output_dim());
        if (const Index k = window_width(); k > 0) s += " (window K = " + std::to_string(k) + ")";
        return s;
    }

    /// The wrapped encoder if it is exactly an E, else nullptr (e.g. to reach a ShiftedBasis' profile).
    template <class E>
    const E* target() const {
        if (auto* m = dynamic_cast<const Model<E>*>(impl_.get())) return &m->e;
        return nullptr;
    }

private:
    struct Concept {
        virtual ~Concept() = default;
        virtual Index input_dim() const = 0;
        virtual Index output_dim() const = 0;
        virtual void encode(ConstMatRef<T> X, MatRef<T> out) const = 0;
        virtual void backward(ConstMatRef<T> X, ConstMatRef<T> dY, MatRef<T> dX) const = 0;
        virtual Index window_width() const = 0;
        virtual void windows(ConstMatRef<T> X, Windows<T>& w) const = 0;
        virtual bool has_parameters() const = 0;
        virtual std::vector<Param<T>> parameters() = 0;
        virtual void accumulate_param_grads(ConstMatRef<T> X, ConstMatRef<T> dC) = 0;
        virtual std::shared_ptr<Concept> clone() const = 0;
    };
    template <class E>
    struct Model final : Concept {
        template <class U>
        explicit Model(U&& u) : e(std::forward<U>(u)) {}
        Index input_dim() const override { return e.input_dim(); }
        Index output_dim() const override { return e.output_dim(); }
        void encode(ConstMatRef<T> X, MatRef<T> out) const override { e.encode(X, out); }
        void backward(ConstMatRef<T> X, ConstMatRef<T> dY, MatRef<T> dX) const override { e.backward(X, dY, dX); }
        Index window_width() const override {
            if constexpr (WindowedEncoder<E>) return e.window_width();
            else return 0;
        }
        void windows(ConstMatRef<T> X, Windows<T>& w) const override {
            if constexpr (WindowedEncoder<E>) e.windows(X, w);
            else {
                (void)X;
                (void)w;
                throw Error("AnyEncoder: this encoder has no compact-support windows");
            }
        }
        bool has_parameters() const override { return ParametricEncoder<E>; }
        std::vector<Param<T>> parameters() override {
            if constexpr (ParametricEncoder<E>) return e.parameters();
            else return {};
        }
        void accumulate_param_grads(ConstMatRef<T> X, ConstMatRef<T> dC) override {
            if constexpr (ParametricEncoder<E>) e.accumulate_param_grads(X, dC);
            else {
                (void)X;
                (void)dC;
            }
        }
        std::shared_ptr<Concept> clone() const override { return std::make_shared<Model>(e); }
        E e;
    };
    static std::shared_ptr<Concept> copy_impl(const std::shared_ptr<Concept>& p) {
        return p && p->has_parameters() ? p->clone() : p;
    }

    const Concept& get() const {
        if (!impl_) throw Error("AnyEncoder: empty encoder (default-constructed; assign one first)");
        return *impl_;
    }

    std::shared_ptr<Concept> impl_;  // modified only through parameters() of a parametric encoder
    EncoderSpec spec_;
    std::string name_ = "empty";
};

}  // namespace posenc
