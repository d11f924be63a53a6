// test_ops: every registered implementation against its op's reference (ops.hpp) on generated
// random and edge-case problems (cases.hpp), in the manner of ggml's test-backend-ops.
//
//   test_ops [--op OP] [--impl NAME | OP/NAME/ISA] [--isa ISA] [--seed N] [--cases N]
//            [--list] [--registry] [--verbose] [--assume-missing ISA]
//
// Each case runs on canonical NHWC data converted to the kernel's own layouts; the output is
// converted back and compared: bit for bit in exact mode, within the case's K-scaled bound in
// float mode (u8 outputs: one step). The output buffer must also be untouched outside the
// tensor (padding rows, zero-point borders). An implementation this machine cannot run is
// reported "not covered on this machine" (an ISA the CPU lacks, no CUDA device) and never counted
// as passed; run alone it exits 77, which CTest reports as skipped. Exit 1 on any mismatch, or when
// an implementation ran no case.
// --assume-missing ISA treats the CPU as lacking that ISA (and the wider ones), or the machine as
// having no CUDA device ("cuda"), so the not-covered path is itself tested on machines that
// have them (CTest ops/harness/...).
#include "cases.hpp"

#include "tnn/kernels/layout.hpp"

#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <string>

using namespace tnn::kernels;
using namespace tnn::kernels::test_ops;
using ops::DType;
using ops::Layout;

namespace {

struct Options {
  std::string op, impl, isa;
  std::string assume_missing;  // an ISA treated as absent (and every wider one)
  uint32_t seed = 1;
  int cases = 0;  // 0: the op's default
  bool list = false, registry = false, verbose = false;
};

// Default case counts per op, sized so the whole CI run stays within ~45 s on 2 cores.
int default_cases(ops::Op op) {
  switch (op) {
    case ops::Op::kConvF32:
    case ops::Op::kConvW2A8:
    case ops::Op::kGemmF32:
    case ops::Op::kGemmW2A8:
      return 400;
    default:
      return 200;
  }
}

struct Outcome {
  bool ran = false, ok = true;
  std::string why;
};

// NHWC canonical input of operand `which` in the layout `l` (padding as init_buffer makes it).
AlignedBuffer<uint8_t> to_layout(const Case& c, int which, const Layout& l, int64_t n,
                                 uint8_t fill) {
  const Layout flat = Layout::nhwc(l.dtype, l.h, l.w, l.c);
  const void* src = l.dtype == DType::kF32
                        ? static_cast<const void*>(which ? c.x2_f32.data() : c.x_f32.data())
                        : static_cast<const void*>(which ? c.x2_u8.data() : c.x_u8.data());
  AlignedBuffer<uint8_t> buf(l.buffer_bytes(n));
  ops::init_buffer(l, buf.data(), n, fill);
  ops::convert(flat, src, l, buf.data(), n);
  return buf;
}

uint8_t input_fill(const ops::Problem& p, int which) {
  return uint8_t(which ? p.in2_q.zero_point : p.in_q.zero_point);
}

uint8_t output_fill(const ops::Problem& p) {
  return uint8_t(p.out_dtype == DType::kU8 || p.op == ops::Op::kAddU8 ||
                         p.op == ops::Op::kQuantizeU8
                     ? p.out_q.zero_point
                     : 0);
}

// Runs `impl` on the case and returns the output in NHWC (float or u8 widened to float), or
// fails when the output buffer was written outside the tensor.
Outcome run_one(const ops::Impl& impl, const Case& c, std::vector<float>* nhwc) {
  Outcome o;
  const ops::Problem p = c.problem();
  std::unique_ptr<ops::Kernel> k = impl.prepare(p);
  const int64_t n = p.shape.n;
  auto in = to_layout(c, 0, k->input_layout(0), n, input_fill(p, 0));
  AlignedBuffer<uint8_t> in2;
  if (p.op == ops::Op::kAddF32 || p.op == ops::Op::kAddU8)
    in2 = to_layout(c, 1, k->input_layout(1), n, input_fill(p, 1));
  if (p.epilogue.residual)  // a fused residual add reads its operand in the output's layout
    in2 = to_layout(c, 1, k->output_layout(), n, 0);
  const Layout lo = k->output_layout();
  AlignedBuffer<uint8_t> out(lo.buffer_bytes(n));
  ops::init_buffer(lo, out.data(), n, output_fill(p));
  QuantParams q = c.call_q;
  k->run({in.data(), in2.data(), out.data(), n, p.dynamic_input_quant ? &q : nullptr});
  const Layout flat = Layout::nhwc(lo.dtype, lo.h, lo.w, lo.c);
  AlignedBuffer<uint8_t> canon(flat.buffer_bytes(n));
  ops::convert(lo, out.data(), flat, canon.data(), n);
  // Everything outside the tensor must be as init_buffer left it.
  AlignedBuffer<uint8_t> rebuilt(lo.buffer_bytes(n));
  ops::init_buffer(lo, rebuilt.data(), n, output_fill(p));
  ops::convert(flat, canon.data(), lo, rebuilt.data(), n);
  if (std::memcmp(rebuilt.data(), out.data(), lo.buffer_bytes(n)) != 0) {
    o.ok = false;
    o.why = "wrote outside the output tensor (" + lo.str() + ")";
  }
  const int64_t count = flat.buffer_elements(n);
  nhwc->resize(size_t(count));
  for (int64_t i = 0; i < count; ++i)
    (*nhwc)[size_t(i)] = lo.dtype == DType::kF32 ? reinterpret_cast<const float*>(canon.data())[i]
                                                 : float(canon[size_t(i)]);
  o.ran = true;
  return o;
}

// Compares an implementation's output with the reference's.
Outcome compare(const Case& c, bool u8_out, const std::vector<float>& want,
                const std::vector<float>& got) {
  Outcome o;
  o.ran = true;
  if (want.size() != got.size()) return {true, false, "output sizes differ"};
  const double tol = c.exact ? 0.0 : u8_out ? 1.0 : c.bound;
  double worst = 0;
  size_t at = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const double d = std::isnan(got[i]) != std::isnan(want[i]) ? INFINITY
                     : std::isnan(got[i])                      ? 0.0
                                          : std::fabs(double(got[i]) - want[i]);
    if (d > worst) {
      worst = d;
      at = i;
    }
  }
  if (worst > tol) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "element %zu: got %.9g, want %.9g (|diff| %.3g > %s %.3g)", at,
                  double(got[at]), double(want[at]), worst, c.exact ? "exact" : "bound", tol);
    o.ok = false;
    o.why = buf;
  }
  return o;
}

struct Tally {
  int run = 0, exact = 0, bounded = 0, unsupported = 0, failed = 0;
};

bool matches(const ops::Impl& i, const Options& o) {
  if (!o.op.empty() && o.op != ops::op_name(i.op)) return false;
  if (!o.impl.empty() && o.impl != i.name && o.impl != i.id()) return false;
  if (!o.isa.empty() && o.isa != i.isa) return false;
  return true;
}

// Whether `i` runs here; with --assume-missing, CPU variants of that ISA or a wider one do not.
bool runs_here(const ops::Impl& i, const Options& o, std::string* why) {
  if (o.assume_missing == "cuda") {
    if (i.isa == "cuda") {
      *why = "no CUDA device (--assume-missing cuda)";
      return false;
    }
  } else if (!o.assume_missing.empty()) {
    const Isa missing = isa_from_name(o.assume_missing), isa = ops::isa_of(i.isa);
    const auto width = [](Isa x) { return x == Isa::kAvx512 ? 2 : x == Isa::kAvx2 ? 1 : 0; };
    if (isa != Isa::kAuto && width(isa) >= width(missing)) {
      *why = "missing CPU features: " + o.assume_missing + " (--assume-missing)";
      return false;
    }
  }
  return i.runs_here(why);
}

int usage(const char* msg) {
  std::cerr << "test_ops: " << msg
            << "\nusage: test_ops [--op OP] [--impl NAME|OP/NAME/ISA] [--isa ISA] [--seed N] "
               "[--cases N] [--list] [--registry] [--verbose] [--assume-missing ISA]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "--op")
        o.op = value();
      else if (a == "--impl")
        o.impl = value();
      else if (a == "--isa")
        o.isa = value();
      else if (a == "--seed")
        o.seed = uint32_t(std::stoul(value()));
      else if (a == "--cases")
        o.cases = std::stoi(value());
      else if (a == "--list")
        o.list = true;
      else if (a == "--registry")
        o.registry = true;
      else if (a == "--verbose")
        o.verbose = true;
      else if (a == "--assume-missing")
        o.assume_missing = value();
      else
        return usage(("unknown argument " + a).c_str());
    } catch (const std::exception& e) {
      return usage(e.what());
    }
  }
  if (!o.op.empty()) {
    try {
      ops::op_from_name(o.op);
    } catch (const std::exception& e) {
      return usage(e.what());
    }
  }
  if (!o.assume_missing.empty() && o.assume_missing != "avx2" && o.assume_missing != "avx512" &&
      o.assume_missing != "cuda")
    return usage(
        ("--assume-missing " + o.assume_missing + ": expected avx2, avx512 or cuda").c_str());
  if (o.registry) {
    std::cout << ops::describe_registry();
    return 0;
  }
  std::vector<const ops::Impl*> selected;
  for (const ops::Impl& i : ops::registry())
    if (i.role != ops::Role::kReference && matches(i, o)) selected.push_back(&i);
  if (o.list) {  // one CTest entry per implementation (tests/ops/CMakeLists.txt)
    for (const ops::Impl* i : selected) std::cout << i->id() << "\n";
    return 0;
  }
  if (selected.empty()) return usage("no registered implementation matches the filters");

  // One thread for most cases (CI runs two test processes on two cores); every 8th case on
  // two threads, which exercises the kernels' work partitioning.
  const int threads = std::min(2, omp_get_max_threads());
  const auto start = std::chrono::steady_clock::now();
  int failures = 0, not_covered = 0, covered = 0, total_cases = 0;
  for (ops::Op op : ops::all_ops()) {
    std::vector<const ops::Impl*> impls;
    for (const ops::Impl* i : selected)
      if (i->op == op) impls.push_back(i);
    if (impls.empty()) continue;
    const ops::Impl& ref = ops::reference(op);
    std::map<const ops::Impl*, Tally> tally;
    std::vector<const ops::Impl*> runnable;
    for (const ops::Impl* i : impls) {
      std::string why;
      if (runs_here(*i, o, &why)) {
        runnable.push_back(i);
      } else {
        ++not_covered;
        std::cout << "ops/" << i->id() << ": NOT COVERED on this machine (" << why << ")\n";
      }
    }
    if (runnable.empty()) continue;
    const int count = o.cases > 0 ? o.cases : default_cases(op);
    const auto cases = make_cases(op, count, o.seed);
    total_cases += int(cases.size());
    for (size_t ci = 0; ci < cases.size(); ++ci) {
      const Case& c = *cases[ci];
      omp_set_num_threads(ci % 8 == 7 ? threads : 1);
      const ops::Problem p = c.problem();
      const bool u8_out =
          p.out_dtype == DType::kU8 || op == ops::Op::kAddU8 || op == ops::Op::kQuantizeU8;
      std::vector<float> want;
      const Outcome r = run_one(ref, c, &want);
      if (!r.ok) {
        std::cout << "ops/" << ref.id() << ": reference failed on " << p.str() << ": " << r.why
                  << "\n";
        ++failures;
        continue;
      }
      for (const ops::Impl* i : runnable) {
        Tally& t = tally[i];
        std::string why;
        if (!i->supports(p, &why)) {
          ++t.unsupported;
          if (o.verbose)
            std::cout << "  " << i->id() << " skips " << p.str() << ": " << why << "\n";
          continue;
        }
        std::vector<float> got;
        Outcome out;
        try {
          out = run_one(*i, c, &got);
          if (out.ok) out = compare(c, u8_out, want, got);
        } catch (const std::exception& e) {
          out = {true, false, std::string("threw: ") + e.what()};
        }
        ++t.run;
        if (out.ok) {
          ++(c.exact ? t.exact : t.bounded);
        } else {
          ++t.failed;
          if (t.failed <= 5)
            std::cout << "FAIL ops/" << i->id() << " case " << ci << " (" << c.label << ", "
                      << (c.exact ? "exact" : "float") << ", seed " << o.seed << "): " << p.str()
                      << ": " << out.why << "\n";
        }
      }
    }
    for (const ops::Impl* i : runnable) {
      const Tally& t = tally[i];
      ++covered;
      std::cout << "ops/" << i->id() << ": " << t.run << " of " << cases.size() << " cases run ("
                << t.exact << " bit-exact, " << t.bounded << " within the float bound, " << t.failed
                << " failed), " << t.unsupported << " not supported\n";
      failures += t.failed;
      if (t.run == 0) {
        std::cout << "FAIL ops/" << i->id() << ": no case was supported (nothing tested)\n";
        ++failures;
      }
    }
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << covered << " implementations tested on " << total_cases << " cases (seed " << o.seed
            << ", " << s << " s); " << not_covered << " not covered on this machine; " << failures
            << " failures\n";
  if (failures) return 1;
  return covered == 0 ? 77 : 0;
}
