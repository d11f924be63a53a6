// Op names and the Problem description shared by every implementation.
#include "tnn/kernels/ops.hpp"

#include <stdexcept>

namespace tnn::kernels::ops {

namespace {

struct OpInfo {
  Op op;
  const char* name;
};
constexpr OpInfo kOps[] = {
    {Op::kGemmF32, "gemm_f32"},       {Op::kGemmW2A8, "gemm_w2a8"}, {Op::kConvF32, "conv_f32"},
    {Op::kConvW2A8, "conv_w2a8"},     {Op::kAddF32, "add_f32"},     {Op::kAddU8, "add_u8"},
    {Op::kQuantizeU8, "quantize_u8"},
};

}  // namespace

const char* op_name(Op op) {
  for (const auto& i : kOps)
    if (i.op == op) return i.name;
  return "?";
}

Op op_from_name(const std::string& s) {
  std::string names;
  for (const auto& i : kOps) {
    if (s == i.name) return i.op;
    names += (names.empty() ? "" : ", ") + std::string(i.name);
  }
  throw std::invalid_argument("unknown op '" + s + "' (expected one of " + names + ")");
}

const std::vector<Op>& all_ops() {
  static const std::vector<Op> ops = [] {
    std::vector<Op> v;
    for (const auto& i : kOps) v.push_back(i.op);
    return v;
  }();
  return ops;
}

bool op_has_weights(Op op) {
  return op == Op::kGemmF32 || op == Op::kGemmW2A8 || op == Op::kConvF32 || op == Op::kConvW2A8;
}

const char* dtype_name(DType t) {
  return t == DType::kF32 ? "f32" : "u8";
}

const char* role_name(Role r) {
  switch (r) {
    case Role::kReference:
      return "reference";
    case Role::kTernary:
      return "ternary";
    case Role::kBaseline:
      return "baseline";
    case Role::kHelper:
      return "helper";
  }
  return "?";
}

Problem Problem::gemm(Op op, int64_t rows, int64_t cols, int64_t n) {
  Problem p;
  p.op = op;
  p.shape.n = n;
  p.shape.h = p.shape.w = 1;
  p.shape.kh = p.shape.kw = 1;
  p.shape.stride = 1;
  p.shape.pad = 0;
  p.shape.c = cols;
  p.shape.k = rows;
  return p;
}

Problem Problem::conv(Op op, const ConvShape& s) {
  Problem p;
  p.op = op;
  p.shape = s;
  p.in_border = std::max<int64_t>(s.pad, 1);
  return p;
}

Problem Problem::elementwise(Op op, int64_t h, int64_t w, int64_t c, int64_t n) {
  Problem p;
  p.op = op;
  p.shape.n = n;
  p.shape.h = h;
  p.shape.w = w;
  p.shape.c = p.shape.k = c;
  p.shape.kh = p.shape.kw = 1;
  p.shape.pad = 0;
  return p;
}

double Problem::macs() const {
  return op_has_weights(op) ? double(shape.macs()) : double(shape.n * elements());
}

int Problem::terms() const {
  return ternary ? int(ternary->terms.size()) : 0;
}

bool Problem::symmetric() const {
  return !ternary || ternary->symmetric();
}

void Problem::validate() const {
  const std::string where = std::string(op_name(op)) + " problem: ";
  shape.validate();
  if (!op_has_weights(op)) return;
  if (is_gemm() && (shape.h != 1 || shape.w != 1 || shape.kh != 1 || shape.kw != 1))
    throw std::invalid_argument(where + "a gemm is a 1x1 conv on 1x1 images, got " + shape.str());
  if ((ternary == nullptr) == (dense == nullptr))
    throw std::invalid_argument(where + "give exactly one of ternary or dense weights");
  if (ternary) {
    ternary->validate();
    if (ternary->rows != rows() || ternary->cols != cols())
      throw std::invalid_argument(where + "weights are " + std::to_string(ternary->rows) + "x" +
                                  std::to_string(ternary->cols) + ", the shape needs " +
                                  std::to_string(rows()) + "x" + std::to_string(cols()));
  } else if (int64_t(dense->size()) != rows() * cols()) {
    throw std::invalid_argument(where + "dense weights hold " + std::to_string(dense->size()) +
                                " values, the shape needs " + std::to_string(rows() * cols()));
  }
  epilogue.validate(rows());
  if (in_border < shape.pad)
    throw std::invalid_argument(where + "input border " + std::to_string(in_border) +
                                " is smaller than the padding " + std::to_string(shape.pad));
}

std::string Problem::str() const {
  std::string s = std::string(op_name(op)) + " ";
  if (is_gemm())
    s += std::to_string(rows()) + "x" + std::to_string(cols()) + " n" + std::to_string(shape.n);
  else if (is_conv())
    s += shape.str();
  else
    s += std::to_string(shape.h) + "x" + std::to_string(shape.w) + "x" + std::to_string(shape.c) +
         " n" + std::to_string(shape.n);
  if (ternary) {
    s += " ternary x" + std::to_string(ternary->terms.size());
    s += ternary->terms[0].scale_pos.size() == 1 ? " per-layer" : " per-channel";
    if (!ternary->symmetric()) s += " asym";
  }
  if (dense) s += " dense";
  if (!epilogue.mul.empty() || !epilogue.add.empty()) s += " affine";
  if (epilogue.relu) s += " relu";
  const bool u8_in = op == Op::kGemmW2A8 || op == Op::kConvW2A8 || op == Op::kAddU8;
  if (u8_in) s += " zp" + std::to_string(in_q.zero_point);
  if (op == Op::kConvW2A8) s += out_dtype == DType::kU8 ? " ->u8" : " ->f32";
  if (dynamic_input_quant) s += " dynamic-q";
  return s;
}

}  // namespace tnn::kernels::ops
