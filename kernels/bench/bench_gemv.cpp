// GEMV benchmarks: y = W x for the shapes of gemv.json with every gemm_f32 / gemm_w2a8
// implementation of the registry (best ISA variant per family), cold (weights rotated over
// > 256 MiB of copies, so every call streams them from DRAM) and warm (one copy, left in
// cache); checked once against the reference before timing.
#include "bench_common.hpp"
#include "op_runner.hpp"

#include "tnn/kernels/measures.hpp"

namespace tnn::kernels::bench {

namespace {

// The copies of one (shape, impl, mode), built on first use and kept while the following
// benchmarks (other thread counts) need them; replaced when the next group starts.
struct GemvState {
  std::unique_ptr<OpRunner> runner;
  std::vector<std::unique_ptr<ops::Kernel>> copies;  // copies[0] is runner->kernel
  AlignedBuffer<uint8_t> x, y;
};

std::string g_key;
std::shared_ptr<GemvState> g_state;

std::shared_ptr<GemvState> state_for(const std::string& key, const ops::Impl& impl,
                                     const ops::Problem& p, bool cold, const nlohmann::json& cfg) {
  if (key == g_key) return g_state;
  g_state.reset();  // free the previous group's copies first
  auto s = std::make_shared<GemvState>();
  const double zeros = cfg.value("zero_fraction", 0.45);
  s->runner = std::make_unique<OpRunner>(impl, p, random_weights(p.rows(), p.cols(), zeros, 7));
  std::mt19937 rng(3);
  s->x = s->runner->input(rng);
  s->y = s->runner->output();
  s->runner->run(s->x.data(), s->y.data());
  s->runner->check(s->x.data(), s->y.data());  // once, before timing
  const double bytes = double(s->runner->kernel->weight_bytes());
  const int64_t copies = cold ? rotation_copies(bytes, cfg.value("cold_rotation_mib", 288.0)) : 1;
  for (int64_t i = 1; i < copies; ++i) {
    auto k = s->runner->kernel->clone();
    s->copies.push_back(k ? std::move(k) : impl.prepare(s->runner->problem));
  }
  g_key = key;
  g_state = s;
  return s;
}

}  // namespace

void register_gemv(const nlohmann::json& cfg, const Options& o) {
  const int reps = cfg.value("repetitions", 1);
  const int64_t ref_max = cfg.value("ref_max_elements", int64_t(1) << 20);
  for (const auto& shape : cfg.at("shapes")) {
    const int64_t rows = shape.at("rows"), cols = shape.at("cols");
    const std::string sname = shape.at("name");
    for (ops::Op op : {ops::Op::kGemmF32, ops::Op::kGemmW2A8}) {
      for (const ops::Impl* impl : bench_impls(op, rows * cols <= ref_max)) {
        for (bool cold : {true, false}) {
          if (impl->role == ops::Role::kReference && cold) continue;
          const std::string shape_key = sname + (cold ? "/cold" : "/warm");
          for (int t : o.threads) {
            add(bench_name("gemv", impl->name, shape_key, t), reps, [=](benchmark::State& st) {
              // oneDNN fixes its thread partitioning when a primitive is created, so state is
              // built under the thread count it is timed with.
              use_threads(t);
              auto s = state_for(impl->id() + "/" + shape_key + "/t" + std::to_string(t), *impl,
                                 gemv_problem(op, rows, cols), cold, cfg);
              const int64_t copies = int64_t(s->copies.size()) + 1;
              int64_t i = 0;
              for (auto _ : st) {
                const int64_t c = i++ % copies;
                ops::Kernel& k = c == 0 ? *s->runner->kernel : *s->copies[size_t(c - 1)];
                k.run({s->x.data(), nullptr, s->y.data(), 1, nullptr});
                benchmark::DoNotOptimize(s->y.data());
                benchmark::ClobberMemory();
              }
              set_counters(st, t, 1, double(rows * cols), double(s->runner->kernel->weight_bytes()),
                           zero_fraction_all_terms(*s->runner->ternary));
              st.counters["copies"] = double(copies);
              st.SetLabel(impl->isa + (cold ? ": cold weights" : ": warm weights"));
            });
          }
        }
      }
    }
    if (o.quick) break;
  }
}

}  // namespace tnn::kernels::bench
