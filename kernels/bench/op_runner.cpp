#include "op_runner.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace tnn::kernels::bench {

using ops::DType;
using ops::Layout;

namespace {

Layout flat(const Layout& l) {
  return Layout::nhwc(l.dtype, l.h, l.w, l.c);
}

// NHWC values of image 0 of a buffer in layout l, widened to float.
std::vector<float> image0(const Layout& l, const void* buf) {
  const Layout f = flat(l);
  AlignedBuffer<uint8_t> tmp(f.buffer_bytes(1));
  ops::convert(l, buf, f, tmp.data(), 1);
  std::vector<float> out(size_t(f.buffer_elements(1)));
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = l.dtype == DType::kF32 ? reinterpret_cast<const float*>(tmp.data())[i] : float(tmp[i]);
  return out;
}

}  // namespace

OpRunner::OpRunner(const ops::Impl& i, const ops::Problem& p,
                   std::shared_ptr<const TernaryWeights> w)
    : impl(&i), problem(p), ternary(std::move(w)) {
  problem.ternary = ternary.get();
  std::string why;
  if (!impl->supports(problem, &why))
    throw std::runtime_error(impl->id() + " does not support " + problem.str() + ": " + why);
  kernel = impl->prepare(problem);
}

AlignedBuffer<uint8_t> OpRunner::input(std::mt19937& rng) const {
  const Layout l = kernel->input_layout();
  const Layout f = flat(l);
  const int64_t n = problem.shape.n, count = f.buffer_elements(n);
  AlignedBuffer<uint8_t> src(f.buffer_bytes(n)), buf(l.buffer_bytes(n));
  if (l.dtype == DType::kF32) {
    std::uniform_real_distribution<float> u(0.0f, 4.0f);
    auto* x = reinterpret_cast<float*>(src.data());
    for (int64_t i = 0; i < count; ++i) x[i] = u(rng);
  } else {
    for (int64_t i = 0; i < count; ++i) src[size_t(i)] = uint8_t(rng() % 80);
  }
  ops::init_buffer(l, buf.data(), n, uint8_t(problem.in_q.zero_point));
  ops::convert(f, src.data(), l, buf.data(), n);
  return buf;
}

AlignedBuffer<uint8_t> OpRunner::output() const {
  const Layout l = kernel->output_layout();
  AlignedBuffer<uint8_t> buf(l.buffer_bytes(problem.shape.n));
  ops::init_buffer(l, buf.data(), problem.shape.n, uint8_t(problem.out_q.zero_point));
  return buf;
}

void OpRunner::run(const void* in, void* out) const {
  kernel->run({in, nullptr, out, problem.shape.n, nullptr});
}

void OpRunner::check(const void* in, const void* out) const {
  ops::Problem one = problem;
  one.shape.n = 1;
  const ops::Impl& ref = ops::reference(problem.op);
  auto rk = ref.prepare(one);
  const Layout rin = rk->input_layout(), rout = rk->output_layout();
  // The kernel's input image 0, in the reference's layout.
  const std::vector<float> x = image0(kernel->input_layout(), in);
  AlignedBuffer<uint8_t> rbuf(rin.buffer_bytes(1)), obuf(rout.buffer_bytes(1));
  for (size_t i = 0; i < x.size(); ++i) {
    if (rin.dtype == DType::kF32)
      reinterpret_cast<float*>(rbuf.data())[i] = x[i];
    else
      rbuf[i] = uint8_t(x[i]);
  }
  rk->run({rbuf.data(), nullptr, obuf.data(), 1, nullptr});
  const std::vector<float> want = image0(rout, obuf.data());
  const std::vector<float> got = image0(kernel->output_layout(), out);
  if (want.size() != got.size())
    throw std::runtime_error(impl->id() + ": output size differs from the reference");
  // FP32: 8 K eps (K max|x| max|w| max|mul| + max|add|); u8: one quantization step.
  double xmax = 0, wmax = 0, mul = 1, add = 0;
  for (float v : x) xmax = std::max(xmax, double(std::fabs(v)));
  if (rin.dtype == DType::kU8) xmax *= problem.in_q.scale;
  for (size_t t = 0; ternary && t < ternary->terms.size(); ++t) {
    double m = 0;
    for (int64_t r = 0; r < ternary->rows; ++r)
      m = std::max({m, double(ternary->pos(t, r)), double(ternary->neg(t, r))});
    wmax += m;
  }
  for (float v : problem.epilogue.mul) mul = std::max(mul, double(std::fabs(v)));
  for (float v : problem.epilogue.add) add = std::max(add, double(std::fabs(v)));
  const double k = double(problem.cols());
  const bool u8 = kernel->output_layout().dtype == DType::kU8;
  const double bound = u8 ? 1.0 : 8.0 * k * FLT_EPSILON * (k * xmax * wmax * mul + add);
  for (size_t i = 0; i < want.size(); ++i) {
    const double d = std::fabs(double(got[i]) - want[i]);
    if (!(d <= bound)) {
      char buf[256];
      std::snprintf(buf, sizeof buf,
                    "%s on %s: element %zu is %.7g, the reference says %.7g "
                    "(bound %.3g)",
                    impl->id().c_str(), problem.str().c_str(), i, double(got[i]), double(want[i]),
                    bound);
      throw std::runtime_error(buf);
    }
  }
}

ops::Problem conv_problem(ops::Op op, const ConvShape& s) {
  ops::Problem p = ops::Problem::conv(op, s);
  p.epilogue.relu = true;
  if (op == ops::Op::kConvW2A8) {
    p.in_q = {0.05f, 0};
    p.out_q = {0.05f, 0};
    p.out_dtype = DType::kU8;
    p.out_border = 1;
  }
  return p;
}

ops::Problem gemv_problem(ops::Op op, int64_t rows, int64_t cols) {
  ops::Problem p = ops::Problem::gemm(op, rows, cols, 1);
  if (op == ops::Op::kGemmW2A8) p.in_q = {0.05f, 128};
  return p;
}

std::vector<const ops::Impl*> bench_impls(ops::Op op, bool with_reference) {
  std::vector<const ops::Impl*> out;
  for (const std::string& f : ops::families(op)) {
    const ops::Role role = ops::family_role(f);
    if (role == ops::Role::kHelper || (role == ops::Role::kReference && !with_reference)) continue;
    if (const ops::Impl* i = ops::best(op, f)) out.push_back(i);
  }
  return out;
}

std::shared_ptr<const TernaryWeights> random_weights(int64_t rows, int64_t cols, double zeros,
                                                     uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<int8_t> codes(size_t(rows * cols));
  for (auto& c : codes) c = u(rng) < zeros ? 0 : (u(rng) < 0.5 ? 1 : -1);
  std::vector<float> scale(static_cast<size_t>(rows));
  for (auto& v : scale) v = float(0.02 + 0.05 * u(rng));
  return std::make_shared<const TernaryWeights>(
      make_ternary(rows, cols, {codes}, {scale}, {scale}));
}

}  // namespace tnn::kernels::bench
