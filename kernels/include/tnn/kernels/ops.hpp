// The operation registry: every kernel of the project (references, ternary kernels per ISA,
// oneDNN baselines, CUDA) registered as {op, impl, isa, supports, prepare, run}. The test
// harness (test_ops), the benchmarks, the table renderer and the engine enumerate it, so
// adding an implementation is one file under kernels/ops/<op>/ plus one line in
// kernels/ops/registry.cpp (docs/kernels.md, "Adding a kernel").
//
//   Op       what is computed (gemm_f32, conv_w2a8, add_u8, ...); each op has one reference.
//   Problem  one call: shapes, weights, fused epilogue, quantization parameters.
//   Impl     a registered implementation: family name ("ternary_f32", "onednn_f32", "ref") and
//            the ISA or device it needs ("scalar", "avx2", "avx512", "onednn", "cuda").
//   Kernel   an Impl prepared for a Problem (weights prepacked once); runs any batch size on
//            buffers in its own activation layouts (Layout), convertible to and from NHWC.
#pragma once

#include "tnn/kernels/isa.hpp"
#include "tnn/kernels/types.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tnn::kernels::ops {

enum class Op {
  kGemmF32,     // y[n][rows] = epilogue(W x), FP32 activations (GEMV: n = 1)
  kGemmW2A8,    // same with u8 activations (QuantParams in_q), FP32 output
  kConvF32,     // 2-D convolution, FP32 activations, fused per-channel affine + ReLU
  kConvW2A8,    // same with u8 activations; output FP32 or requantized u8 (out_q)
  kAddF32,      // y = relu?(a + b)
  kAddU8,       // y = quantize(relu?(dequantize(a) + dequantize(b)))
  kQuantizeU8,  // y = quantize(x), quant.hpp rounding
};
const char* op_name(Op op);             // "gemm_f32", ...
Op op_from_name(const std::string& s);  // throws std::invalid_argument listing the names
const std::vector<Op>& all_ops();
bool op_has_weights(Op op);  // gemm and conv

enum class DType { kF32, kU8 };
const char* dtype_name(DType t);

// How the n x h x w x c activation tensor of a kernel's operand lies in memory.
enum class LayoutKind {
  kNhwc,      // plain NHWC (a vector is h = w = 1): the canonical layout every check compares in
  kPlanar,    // planar FP32 with zero rows, layout.hpp PlanarLayout (conv_f32 ternary kernels)
  kPaddedU8,  // padded u8 NHWC, layout.hpp U8Layout: zero-point border, channel stride cp
};

struct Layout {
  LayoutKind kind = LayoutKind::kNhwc;
  DType dtype = DType::kF32;
  int64_t h = 1, w = 1, c = 0;
  int64_t cp = 0, border = 0;  // kPaddedU8 only

  static Layout nhwc(DType t, int64_t h, int64_t w, int64_t c);
  static Layout planar(int64_t h, int64_t w, int64_t c);
  // Channel stride: c rounded up to 4 below 16 channels, else to 16 (what conv_w2a8 reads).
  static Layout padded_u8(int64_t h, int64_t w, int64_t c, int64_t border);

  size_t element_size() const { return dtype == DType::kF32 ? 4 : 1; }
  int64_t image_elements() const;            // distance between images
  int64_t first_image() const;               // elements before image 0 (planar slack)
  int64_t buffer_elements(int64_t n) const;  // everything a buffer of n images holds
  size_t buffer_bytes(int64_t n) const { return size_t(buffer_elements(n)) * element_size(); }
  bool operator==(const Layout& o) const;
  bool operator!=(const Layout& o) const { return !(*this == o); }
  std::string str() const;  // e.g. "planar f32 32x32x16"
};

// Buffers: zeroed on allocation; init_buffer then writes the padding a layout needs (u8
// borders and extra channels hold `fill`, the zero point). Kernels never write padding.
void init_buffer(const Layout& l, void* buf, int64_t n, uint8_t fill = 0);
// n images from one layout to another of the same dtype and shape (dst prepared by
// init_buffer with `fill`).
void convert(const Layout& from, const void* src, const Layout& to, void* dst, int64_t n);

// One call of an operation. Kernels prepared from it run any batch size; shape.n is the
// batch the problem was made for (tests, tuning).
struct Problem {
  Op op = Op::kConvF32;
  // conv: as is. gemm: c = cols, k = rows, h = w = kh = kw = 1, stride 1, pad 0.
  // elementwise: h, w, c of the tensor (k = c), applied to h*w*c contiguous elements.
  ConvShape shape;
  // gemm / conv weights (rows = k, cols = patch): ternary, or dense FP32 (OHWI, for the FP32
  // layers of a model). Not owned: they must outlive prepare(), not the Kernel.
  const TernaryWeights* ternary = nullptr;
  const std::vector<float>* dense = nullptr;
  Epilogue epilogue;                      // gemm / conv: per-channel affine + ReLU; add: ReLU only
  QuantParams in_q, in2_q, out_q;         // u8 operands (add_u8: a, b, y; quantize: out_q)
  DType out_dtype = DType::kF32;          // conv_w2a8: kU8 requantizes with out_q
  bool dynamic_input_quant = false;       // gemm_w2a8: in_q comes with each call (RunArgs::in_q)
  int64_t in_border = 1, out_border = 1;  // padded-u8 borders (input border >= pad)

  static Problem gemm(Op op, int64_t rows, int64_t cols, int64_t n);
  static Problem conv(Op op, const ConvShape& s);
  static Problem elementwise(Op op, int64_t h, int64_t w, int64_t c, int64_t n);
  int64_t rows() const { return shape.k; }
  int64_t cols() const { return shape.patch(); }
  bool is_gemm() const { return op == Op::kGemmF32 || op == Op::kGemmW2A8; }
  bool is_conv() const { return op == Op::kConvF32 || op == Op::kConvW2A8; }
  int64_t elements() const { return shape.h * shape.w * shape.c; }  // elementwise, per image
  double macs() const;  // dense-equivalent MACs per call at shape.n
  int terms() const;    // ternary terms (0 for dense weights)
  bool symmetric() const;
  void validate() const;    // throws std::invalid_argument naming the field
  std::string str() const;  // e.g. "conv_f32 C16-K16-H32-W32-k3-s1-p1-n1 ternary x1 relu"
};

struct RunArgs {
  const void* in = nullptr;
  const void* in2 = nullptr;  // add: the second operand
  void* out = nullptr;
  int64_t n = 1;                      // images (gemm: rows of x)
  const QuantParams* in_q = nullptr;  // Problem::dynamic_input_quant: this call's input params
};

// A prepared implementation. Buffers are whole layout buffers (buffer_bytes(n)); the output
// buffer's padding must have been prepared with init_buffer.
class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual Layout input_layout(int operand = 0) const = 0;
  virtual Layout output_layout() const = 0;
  virtual void run(const RunArgs& a) = 0;
  virtual size_t weight_bytes() const { return 0; }    // weight bytes one call reads
  virtual std::string describe() const { return {}; }  // e.g. oneDNN's implementation name
  // An independent copy with its own weights (benchmarks rotate copies to keep weights cold);
  // nullptr when the kernel cannot be copied (then prepare() again).
  virtual std::unique_ptr<Kernel> clone() const { return nullptr; }
};

enum class Role {
  kReference,  // the oracle of its op (plain loops)
  kTernary,    // the project's kernels
  kBaseline,   // what users would run instead (oneDNN, a roofline dense kernel)
  kHelper,     // engine helpers (elementwise)
};
const char* role_name(Role r);

struct Impl {
  Op op = Op::kConvF32;
  std::string name;  // family: "ternary_f32", "onednn_s8", "ref", ...
  std::string isa;   // "scalar", "avx2", "avx512", "onednn", "cuda"
  Role role = Role::kTernary;
  // Whether this machine runs it (CPU features, a GPU); `why` says what is missing.
  std::function<bool(std::string* why)> available;
  std::function<bool(const Problem&, std::string* why)> supports;
  std::function<std::unique_ptr<Kernel>(const Problem&)> prepare;

  std::string id() const;  // "conv_f32/ternary_f32/avx512"
  bool runs_here(std::string* why = nullptr) const { return available(why); }
};

const std::vector<Impl>& registry();      // registration order (registry.cpp)
// Entries of a library built on top of tnn_kernels (the CUDA implementations: kernels/ops/
// registry_cuda.cpp, linked into a program through the object library tnn_cuda_ops), added by
// that library's static initializer so that tnn_kernels never depends on it. Must run before
// the first registry() call (throws std::logic_error otherwise); returns true.
bool add_to_registry(std::vector<Impl> impls);
std::vector<const Impl*> impls(Op op);    // every impl of an op
const Impl* find(const std::string& id);  // "op/name/isa", nullptr if absent
const Impl* find(Op op, const std::string& name, const std::string& isa);
const Impl& reference(Op op);              // the op's kReference impl
std::vector<std::string> families(Op op);  // distinct names, registration order
// The variant of a family to run here: with `isa` = kAuto the best available CPU variant
// (TNN_ISA honoured; a family without CPU-ISA variants, e.g. oneDNN, is taken as is), else
// exactly that ISA. nullptr when none runs here.
const Impl* best(Op op, const std::string& name, Isa isa = Isa::kAuto);
// The CPU Isa of an Impl::isa name ("scalar", "avx2", "avx512"); kAuto for anything else
// (a library such as "onednn", or "cuda").
Isa isa_of(const std::string& isa);
// Role of a family name in any op (kTernary for names not registered).
Role family_role(const std::string& name);
// A plain-language list of the registry (tnn ops, test_ops --list).
std::string describe_registry();

}  // namespace tnn::kernels::ops
