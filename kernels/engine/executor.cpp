// The graph executor: each conv / linear node runs the Kernel of its chosen implementation;
// every tensor lives in a "home" layout (what its producer writes, or padded u8 for an int8
// graph) and is converted on demand, once per run, when a consumer reads another layout.
#include "executor.hpp"

#include "tnn/kernels/quant.hpp"

#include <algorithm>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace tnn::kernels::engine_detail {

using ops::DType;
using ops::Layout;
using ops::LayoutKind;

namespace {

Layout nhwc_f32(const TensorShape& s) {
  return Layout::nhwc(DType::kF32, s.h, s.w, s.c);
}

bool is_ternary(const Node& node) {
  return node.weights.ternary;
}

// A linear node's y = mul*(Wx + bias) + add as the kernels' epilogue y = mul*(Wx) + add'.
std::vector<float> linear_add(const Node& node) {
  if (node.affine_mul.empty() && node.affine_add.empty()) return node.bias;
  std::vector<float> add(size_t(node.out_channels), 0.0f);
  for (size_t k = 0; k < add.size(); ++k) {
    const float b = node.bias.empty() ? 0.0f : node.bias[k];
    add[k] = (node.affine_mul.empty() ? b : node.affine_mul[k] * b) +
             (node.affine_add.empty() ? 0.0f : node.affine_add[k]);
  }
  return add;
}

}  // namespace

struct Executor::Tensor {
  Layout home;
  AlignedBuffer<uint8_t> buf;
  struct Alt {
    Layout layout;
    AlignedBuffer<uint8_t> buf;
    int64_t stamp = -1;
  };
  std::vector<Alt> alts;
};

struct Executor::Step {
  std::unique_ptr<ops::Kernel> kernel;  // weighted nodes and add
  const ops::Impl* impl = nullptr;
  // A conv with the next add fused into its epilogue: it reads `residual` (a tensor id) and
  // writes `out` (the add's output); the add's own step is then `fused_away`.
  int residual = -1, out = -1;
  bool fused_away = false;
  AlignedBuffer<uint8_t> scratch;  // a kernel output that is not its tensor's home layout
  bool out_home = true;
  bool per_row = false;  // u8 add over rows (the operands' borders differ)
};

ExecContext make_context(const Graph& g, Precision p, std::vector<QuantParams> qp, Isa isa) {
  ExecContext c;
  c.precision = p;
  c.qp = std::move(qp);
  c.qp.resize(g.shapes.size());
  c.isa = isa;
  c.border.assign(g.shapes.size(), 1);
  for (const auto& op : g.ops)
    if (op.node->op == OpType::kConv2d)
      c.border[size_t(op.in[0])] = std::max(c.border[size_t(op.in[0])], op.node->pad);
  return c;
}

ops::Op node_op(const Graph& g, size_t i, Precision p) {
  const Node& node = *g.ops[i].node;
  const bool int8 = p == Precision::kS8 && is_ternary(node);
  if (node.op == OpType::kConv2d) return int8 ? ops::Op::kConvW2A8 : ops::Op::kConvF32;
  if (node.op == OpType::kLinear) return int8 ? ops::Op::kGemmW2A8 : ops::Op::kGemmF32;
  throw std::logic_error("node_op: " + node.name + " has no weights");
}

ops::Problem node_problem(const Graph& g, size_t i, const ExecContext& c, int64_t n) {
  const auto& op = g.ops[i];
  const Node& node = *op.node;
  const TensorShape& in = g.shapes[size_t(op.in[0])];
  const ops::Op kind = node_op(g, i, c.precision);
  ops::Problem p;
  if (node.op == OpType::kConv2d) {
    p = ops::Problem::conv(kind, conv_shape(node, in, n));
    p.epilogue = {node.affine_mul, node.affine_add, node.relu};
  } else {  // a spatial input is read as one NHWC vector
    p = ops::Problem::gemm(kind, node.out_channels, in.h * in.w * in.c, n);
    p.epilogue = {node.affine_mul, linear_add(node), node.relu};
  }
  if (is_ternary(node))
    p.ternary = &node.weights.tern;
  else
    p.dense = &node.weights.dense;
  if (kind == ops::Op::kConvW2A8) {
    p.in_q = c.qp[size_t(op.in[0])];
    p.out_q = c.qp[size_t(op.out)];
    p.out_dtype = DType::kU8;
    p.in_border = c.border[size_t(op.in[0])];
    p.out_border = c.border[size_t(op.out)];
  }
  if (kind == ops::Op::kGemmW2A8) p.dynamic_input_quant = true;  // classifier input, per batch
  return p;
}

Layout input_fetch_layout(const Graph& g, size_t op, const Layout& kernel_input) {
  const int in = g.ops[op].in[0];
  if (g.ops[op].node->op != OpType::kLinear || g.is_vector[size_t(in)]) return kernel_input;
  const TensorShape& s = g.shapes[size_t(in)];
  return Layout::nhwc(kernel_input.dtype, s.h, s.w, s.c);
}

namespace {

// The families a layer that `family` cannot run falls back to, in order. A reference engine
// stays on references; a baseline engine stays on baselines, its own library's first (an
// `onednn_s8` engine runs a dense FP32 layer with `onednn_f32`, not with our kernels), so its
// times stay a baseline's; a ternary engine takes our kernels first.
std::vector<std::string> fallback_families(ops::Op op, const std::string& family) {
  const ops::Role role = ops::family_role(family);
  std::vector<ops::Role> roles{ops::Role::kReference};
  if (role == ops::Role::kTernary)
    roles = {ops::Role::kTernary, ops::Role::kBaseline, ops::Role::kReference};
  else if (role == ops::Role::kBaseline)
    roles = {ops::Role::kBaseline, ops::Role::kTernary, ops::Role::kReference};
  const std::string library = family.substr(0, family.find('_'));  // "onednn" of "onednn_s8"
  std::vector<std::string> out;
  for (ops::Role r : roles) {
    std::vector<std::string> same_library, others;
    for (const std::string& f : ops::families(op)) {
      if (ops::family_role(f) != r) continue;
      (r == ops::Role::kBaseline && f.substr(0, f.find('_')) == library ? same_library : others)
          .push_back(f);
    }
    out.insert(out.end(), same_library.begin(), same_library.end());
    out.insert(out.end(), others.begin(), others.end());
  }
  return out;
}

// Where a ResNet block's add can be fused into its second conv: for each conv whose output only
// feeds an add (and that has no ReLU of its own), that add's op index, else -1; and an order of
// the ops that computes the add's other operand before the conv: a shortcut op listed after the
// conv whose own inputs exist by then moves just before it.
struct Fusion {
  std::vector<int> add_of;    // per op
  std::vector<size_t> order;  // execution order, a topological order of the graph
};

Fusion fusable_adds(const Graph& g) {
  const size_t n = g.ops.size();
  std::vector<int> uses(g.shapes.size(), 0), producer(g.shapes.size(), -1);
  for (size_t i = 0; i < n; ++i) {
    for (int t : g.ops[i].in) ++uses[size_t(t)];
    producer[size_t(g.ops[i].out)] = int(i);
  }
  ++uses[size_t(g.output)];
  Fusion f{std::vector<int>(n, -1), {}};
  std::vector<int> hoist_before(n, -1);  // op -> the conv it runs just before
  for (size_t i = 0; i < n; ++i) {
    const auto& in = g.ops[i].in;
    if (g.ops[i].node->op != OpType::kAdd || in.size() != 2) continue;
    for (int side = 0; side < 2; ++side) {
      const int t = in[size_t(side)], other = in[size_t(1 - side)];
      const int j = producer[size_t(t)];
      if (j < 0 || uses[size_t(t)] != 1 || f.add_of[size_t(j)] >= 0) continue;
      const Node& conv = *g.ops[size_t(j)].node;
      if (conv.op != OpType::kConv2d || conv.relu) continue;
      const int p = producer[size_t(other)];
      if (p > j) {  // computed after the conv: hoist it if it is a weightless op ready by then
        bool ready = !g.weighted(size_t(p)) && hoist_before[size_t(p)] < 0;
        for (int u : g.ops[size_t(p)].in) ready = ready && producer[size_t(u)] < j;
        if (!ready) continue;
        hoist_before[size_t(p)] = j;
      }
      f.add_of[size_t(j)] = int(i);
      break;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (hoist_before[i] >= 0) continue;
    for (size_t h = 0; h < n; ++h)
      if (hoist_before[h] == int(i)) f.order.push_back(h);
    f.order.push_back(i);
  }
  return f;
}

}  // namespace

Choices uniform_choices(const Graph& g, const ExecContext& c, const std::string& family) {
  Choices out(g.ops.size(), nullptr);
  for (size_t i = 0; i < g.ops.size(); ++i) {
    if (!g.weighted(i)) continue;
    const ops::Op op = node_op(g, i, c.precision);
    const ops::Problem p = node_problem(g, i, c, 1);
    const ops::Impl* pick = ops::best(op, family, c.isa);
    if (pick && !pick->supports(p, nullptr)) pick = nullptr;
    for (const std::string& f : fallback_families(op, family)) {
      if (pick) break;
      const ops::Impl* cand = ops::best(op, f, c.isa);
      if (cand && cand->supports(p, nullptr)) pick = cand;
    }
    if (!pick)
      throw std::runtime_error("engine: no implementation of " + std::string(ops::op_name(op)) +
                               " runs node " + g.ops[i].node->name + " here");
    out[i] = pick;
  }
  return out;
}

Executor::Executor(const Graph& g, ExecContext c, const Choices& choices, TensorObserver observer)
    : g_(g), c_(std::move(c)), choices_(choices), observer_(std::move(observer)) {
  const bool s8 = c_.precision == Precision::kS8;
  for (size_t id = 0; id < g.shapes.size(); ++id) {
    tensors_.push_back(std::make_unique<Tensor>());
    const TensorShape& s = g.shapes[id];
    if (g.is_vector[id])
      tensors_.back()->home = Layout::nhwc(DType::kF32, 1, 1, s.c);
    else if (s8)
      tensors_.back()->home = Layout::padded_u8(s.h, s.w, s.c, c_.border[id]);
    else
      tensors_.back()->home = nhwc_f32(s);
  }
  const Isa helper_isa = c_.isa;
  auto helper = [&](ops::Op op) {
    const ops::Impl* h = ops::best(op, "simd", helper_isa);
    if (!h) h = &ops::reference(op);
    return h;
  };
  quantizer_ = helper(ops::Op::kQuantizeU8);
  if (s8) {
    const TensorShape& s = g.shapes[size_t(g.input)];
    ops::Problem p = ops::Problem::elementwise(ops::Op::kQuantizeU8, s.h, s.w, s.c, 1);
    p.out_q = c_.qp[size_t(g.input)];
    quantize_input_ = helper(p.op)->prepare(p);
  }
  const Fusion fusion = fusable_adds(g);
  const std::vector<int>& fusable = fusion.add_of;
  order_ = fusion.order;
  for (size_t i = 0; i < g.ops.size(); ++i) {
    steps_.push_back(std::make_unique<Step>());
    Step& st = *steps_.back();
    const auto& op = g.ops[i];
    const Node& node = *op.node;
    // FP32 graphs without an observer fuse a ResNet add into the conv before it when the
    // conv's implementation takes a residual (same float operations as conv, then add).
    const bool fuse = c_.fuse_residual && !s8 && !observer_ && fusable[i] >= 0;
    ops::Problem fused_p;
    if (fuse) {
      fused_p = node_problem(g, i, c_, 1);
      fused_p.epilogue.residual = true;
      fused_p.epilogue.relu = g.ops[size_t(fusable[i])].node->relu;
    }
    const bool fused = fuse && choices_.at(i) && choices_.at(i)->supports(fused_p, nullptr);
    if (fused) {
      const auto& add = g.ops[size_t(fusable[i])];
      st.out = add.out;
      st.residual = add.in[0] == op.out ? add.in[1] : add.in[0];
    }
    Tensor& out = *tensors_[size_t(fused ? st.out : op.out)];
    const Tensor& a = *tensors_[size_t(op.in[0])];
    const TensorShape& os = g.shapes[size_t(op.out)];
    switch (node.op) {
      case OpType::kConv2d:
      case OpType::kLinear: {
        st.impl = choices_.at(i);
        if (!st.impl) throw std::invalid_argument("engine: no implementation for " + node.name);
        const ops::Problem p = fused ? fused_p : node_problem(g, i, c_, 1);
        std::string why;
        if (!st.impl->supports(p, &why))
          throw std::invalid_argument("engine: " + st.impl->id() + " cannot run " + node.name +
                                      ": " + why);
        st.kernel = st.impl->prepare(p);
        // FP32 graphs keep a tensor where its producer writes it.
        if (!s8 && !g.is_vector[size_t(op.out)]) out.home = st.kernel->output_layout();
        st.out_home = st.kernel->output_layout() == out.home;
        if (fused) fused_adds_.insert(fusable[i]);
        break;
      }
      case OpType::kShortcutA:
      case OpType::kAdd:
        if (fused_adds_.count(int(i))) {  // its conv writes the sum
          st.fused_away = true;
          break;
        }
        if (!s8) {  // same layout kind as the (first) input
          out.home =
              a.home.kind == LayoutKind::kPlanar ? Layout::planar(os.h, os.w, os.c) : nhwc_f32(os);
        }
        if (node.op == OpType::kAdd) {
          const Tensor& b = *tensors_[size_t(op.in[1])];
          ops::Problem p;
          if (s8) {
            st.per_row = a.home.border != out.home.border || b.home.border != out.home.border;
            const int64_t count = st.per_row ? out.home.w * out.home.cp : out.home.image_elements();
            p = ops::Problem::elementwise(ops::Op::kAddU8, 1, 1, count, 1);
            p.in_q = c_.qp[size_t(op.in[0])];
            p.in2_q = c_.qp[size_t(op.in[1])];
            p.out_q = c_.qp[size_t(op.out)];
          } else {
            p = ops::Problem::elementwise(ops::Op::kAddF32, 1, 1, out.home.image_elements(), 1);
          }
          p.epilogue.relu = node.relu;
          st.impl = helper(p.op);
          st.kernel = st.impl->prepare(p);
        }
        break;
      case OpType::kGlobalAvgPool:
        break;
      case OpType::kMaxPool2d:
        if (!s8)  // same layout kind as the input (int8: padded u8, the input's scale)
          out.home =
              a.home.kind == LayoutKind::kPlanar ? Layout::planar(os.h, os.w, os.c) : nhwc_f32(os);
        break;
    }
  }
}

Executor::~Executor() = default;

void Executor::allocate(int64_t n) {
  if (n <= allocated_) return;
  for (size_t id = 0; id < tensors_.size(); ++id) {
    Tensor& t = *tensors_[id];
    t.buf.resize(t.home.buffer_bytes(n));
    ops::init_buffer(t.home, t.buf.data(), n, uint8_t(c_.qp[id].zero_point));
    t.alts.clear();
  }
  for (size_t i = 0; i < steps_.size(); ++i) {
    Step& st = *steps_[i];
    if (!st.kernel || st.out_home || !g_.weighted(i)) continue;
    const Layout l = st.kernel->output_layout();
    st.scratch.resize(l.buffer_bytes(n));
    ops::init_buffer(l, st.scratch.data(), n, uint8_t(c_.qp[size_t(g_.ops[i].out)].zero_point));
  }
  allocated_ = n;
}

// from -> to for any two layouts of one tensor shape; dtype changes (de)quantize with qp through
// NHWC, quantizing with the vectorized helper (a scalar round per element cost an FP32 layer in
// an int8 graph more than the layer itself).
void Executor::convert_any(const Layout& from, const void* src, const Layout& to, void* dst,
                           int64_t n, const QuantParams& qp) {
  if (from.dtype == to.dtype) {
    ops::convert(from, src, to, dst, n);
    return;
  }
  const Layout from_nhwc = Layout::nhwc(from.dtype, from.h, from.w, from.c);
  const Layout to_nhwc = Layout::nhwc(to.dtype, to.h, to.w, to.c);
  if (convert_a_.size() < size_t(from_nhwc.buffer_bytes(n)))
    convert_a_.resize(size_t(from_nhwc.buffer_bytes(n)));
  if (convert_b_.size() < size_t(to_nhwc.buffer_bytes(n)))
    convert_b_.resize(size_t(to_nhwc.buffer_bytes(n)));
  ops::convert(from, src, from_nhwc, convert_a_.data(), n);
  if (from.dtype == DType::kU8) {
    dequantize(convert_a_.data(), from_nhwc.buffer_elements(n), qp,
               reinterpret_cast<float*>(convert_b_.data()));
  } else {
    ops::Problem p = ops::Problem::elementwise(ops::Op::kQuantizeU8, from.h, from.w, from.c, n);
    p.out_q = qp;
    quantizer_->prepare(p)->run({convert_a_.data(), nullptr, convert_b_.data(), n, nullptr});
  }
  ops::convert(to_nhwc, convert_b_.data(), to, dst, n);
}

const void* Executor::fetch(int id, const Layout& want, int64_t n) {
  Tensor& t = *tensors_[size_t(id)];
  if (want == t.home) return t.buf.data();
  Tensor::Alt* alt = nullptr;
  for (auto& a : t.alts)
    if (a.layout == want) alt = &a;
  if (!alt) {
    t.alts.push_back({want, AlignedBuffer<uint8_t>(want.buffer_bytes(allocated_)), -1});
    alt = &t.alts.back();
    ops::init_buffer(want, alt->buf.data(), allocated_, uint8_t(c_.qp[size_t(id)].zero_point));
  }
  if (alt->stamp != stamp_) {
    convert_any(t.home, t.buf.data(), want, alt->buf.data(), n, c_.qp[size_t(id)]);
    alt->stamp = stamp_;
  }
  return alt->buf.data();
}

void Executor::store(int id, const Layout& from, const void* src, int64_t n) {
  Tensor& t = *tensors_[size_t(id)];
  convert_any(from, src, t.home, t.buf.data(), n, c_.qp[size_t(id)]);
}

void Executor::observe(int id, int64_t n) {
  if (!observer_) return;
  const Layout l = nhwc_f32(g_.shapes[size_t(id)]);
  observer_(id, static_cast<const float*>(fetch(id, l, n)), n * g_.numel(id));
}

void Executor::run(const float* images, int64_t n, float* out) {
  if (n < 1) throw std::invalid_argument("Engine::run: batch must be positive");
  allocate(n);
  ++stamp_;
  const TensorShape& is = g_.shapes[size_t(g_.input)];
  if (quantize_input_) {  // quantize, then place the pixels in the padded layout
    const Layout l = Layout::nhwc(DType::kU8, is.h, is.w, is.c);
    if (staging_.size() < l.buffer_bytes(n)) staging_.resize(l.buffer_bytes(n));
    quantize_input_->run({images, nullptr, staging_.data(), n, nullptr});
    store(g_.input, l, staging_.data(), n);
  } else {
    store(g_.input, nhwc_f32(is), images, n);
  }
  observe(g_.input, n);
  for (size_t i : order_) {
    run_step(i, n);
    observe(g_.ops[i].out, n);
  }
  const TensorShape& s = g_.shapes[size_t(g_.output)];
  const Layout l =
      g_.is_vector[size_t(g_.output)] ? Layout::nhwc(DType::kF32, 1, 1, s.c) : nhwc_f32(s);
  std::memcpy(out, fetch(g_.output, l, n), size_t(n * g_.numel(g_.output)) * sizeof(float));
}

void Executor::run_step(size_t i, int64_t n) {
  const auto& op = g_.ops[i];
  const Node& node = *op.node;
  Step& st = *steps_[i];
  if (st.fused_away) return;
  const int out_id = st.out >= 0 ? st.out : op.out;
  Tensor& y = *tensors_[size_t(out_id)];
  const TensorShape& in = g_.shapes[size_t(op.in[0])];
  switch (node.op) {
    case OpType::kConv2d:
    case OpType::kLinear: {
      ops::RunArgs a;
      a.n = n;
      a.out = st.out_home ? y.buf.data() : st.scratch.data();
      if (st.residual >= 0) a.in2 = fetch(st.residual, st.kernel->output_layout(), n);
      const Layout want = st.kernel->input_layout();
      const int64_t in_numel = in.h * in.w * in.c;
      QuantParams q;
      std::vector<uint8_t> xq;
      if (node.op == OpType::kLinear && want.dtype == DType::kU8) {
        // Dynamic per-batch quantization of the (small) classifier input.
        const auto* x = static_cast<const float*>(fetch(op.in[0], nhwc_f32(in), n));
        q = choose_quant_params(x, n * in_numel);
        xq.resize(size_t(n * in_numel));
        quantize(x, n * in_numel, q, xq.data());
        a.in = xq.data();
        a.in_q = &q;
      } else {
        a.in = fetch(op.in[0], input_fetch_layout(g_, i, want), n);
      }
      st.kernel->run(a);
      if (!st.out_home) store(out_id, st.kernel->output_layout(), st.scratch.data(), n);
      return;
    }
    case OpType::kAdd: {
      const Layout& l = y.home;
      const void* a = fetch(op.in[0], tensors_[size_t(op.in[0])]->home, n);
      const void* b = fetch(
          op.in[1], l.kind == LayoutKind::kPaddedU8 ? tensors_[size_t(op.in[1])]->home : l, n);
      const size_t es = l.element_size();
      const int64_t first = l.first_image();
      if (!st.per_row) {  // whole images: zero rows / zero-point borders add up to the same
        st.kernel->run({static_cast<const uint8_t*>(a) + first * es,
                        static_cast<const uint8_t*>(b) + first * es, y.buf.data() + first * es, n,
                        nullptr});
        return;
      }
      const Layout& la = tensors_[size_t(op.in[0])]->home;
      const Layout& lb = tensors_[size_t(op.in[1])]->home;
      auto at = [](const Layout& t, int64_t img, int64_t row) {
        return (img * (t.h + 2 * t.border) + row + t.border) * (t.w + 2 * t.border) * t.cp +
               t.border * t.cp;
      };
      for (int64_t img = 0; img < n; ++img)
        for (int64_t row = 0; row < l.h; ++row)
          st.kernel->run({static_cast<const uint8_t*>(a) + at(la, img, row),
                          static_cast<const uint8_t*>(b) + at(lb, img, row),
                          y.buf.data() + at(l, img, row), 1, nullptr});
      return;
    }
    case OpType::kShortcutA: {
      const Layout& li = tensors_[size_t(op.in[0])]->home;
      const uint8_t zp = c_.qp.empty() ? 0 : uint8_t(c_.qp[size_t(op.out)].zero_point);
      shortcut_a(node, li, fetch(op.in[0], li, n), y.home, y.buf.data(), n, zp);
      return;
    }
    case OpType::kMaxPool2d: {
      const Layout& li = tensors_[size_t(op.in[0])]->home;
      max_pool(node, li, fetch(op.in[0], li, n), y.home, y.buf.data(), n);
      return;
    }
    case OpType::kGlobalAvgPool: {
      const Layout& l = tensors_[size_t(op.in[0])]->home;
      const QuantParams q = c_.qp.empty() ? QuantParams{} : c_.qp[size_t(op.in[0])];
      global_avgpool(l, fetch(op.in[0], l, n), q, reinterpret_cast<float*>(y.buf.data()), n);
      return;
    }
  }
}

std::string Executor::describe() const {
  std::ostringstream o;
  for (size_t i = 0; i < g_.ops.size(); ++i) {
    const Node& node = *g_.ops[i].node;
    const Step& st = *steps_[i];
    o << "  " << node.name << " (" << op_name(node.op) << ")";
    if (st.fused_away) o << ": fused into the conv before it";
    if (g_.weighted(i)) {
      o << ": " << st.impl->id();
      if (st.residual >= 0) o << " + fused residual add";
      const std::string d = st.kernel->describe();
      if (!d.empty()) o << ", " << d;
      o << ", " << st.kernel->weight_bytes() << " B of weights";
    }
    if (c_.precision == Precision::kS8 && !g_.is_vector[size_t(g_.ops[i].out)]) {
      const QuantParams& q = c_.qp[size_t(g_.ops[i].out)];
      o << "; out scale " << q.scale << " zero point " << q.zero_point;
    }
    o << "\n";
  }
  return o.str();
}

}  // namespace tnn::kernels::engine_detail
