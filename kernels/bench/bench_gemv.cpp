// GEMV benchmarks: y = W x for the shapes of gemv.json, cold (weights rotated over > 256 MiB of
// copies, so every call streams them from DRAM) and warm (one copy, left in cache).
#include "bench_common.hpp"

#include "tnn/kernels/cpu.hpp"
#include "tnn/kernels/measures.hpp"
#include "tnn/kernels/pack.hpp"
#include "tnn/kernels/ref.hpp"
#ifdef TNN_HAVE_ONEDNN
#include "tnn/kernels/onednn.hpp"
#endif

namespace tnn::kernels::bench {

namespace {

// The weights of one (shape, impl, mode), built on first use and kept while the following
// benchmarks (other thread counts) need them; replaced when the next group starts.
struct GemvState {
  int64_t rows = 0, cols = 0;
  std::vector<float> x, y;
  std::vector<uint8_t> xq;
  std::vector<std::vector<float>> dense;  // copies
  std::vector<LutMatrix> lut;
  std::vector<VnniMatrix> vnni;
  std::vector<int8_t> codes;  // ref
  TernaryWeights tern;
#ifdef TNN_HAVE_ONEDNN
  std::vector<onednn::MatmulF32> matmul;
#endif
  double weight_bytes = 0, zeros = 0;
  int64_t copies = 1;
};

std::string g_key;
std::shared_ptr<GemvState> g_state;

TernaryWeights random_weights(int64_t rows, int64_t cols, double zeros, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<int8_t> codes(size_t(rows * cols));
  for (auto& c : codes) c = u(rng) < zeros ? 0 : (u(rng) < 0.5 ? 1 : -1);
  std::vector<float> scale(static_cast<size_t>(rows));
  for (auto& s : scale) s = float(0.01 + 0.02 * u(rng));
  return make_ternary(rows, cols, {codes}, {scale}, {scale});
}

std::shared_ptr<GemvState> state_for(const std::string& key, int64_t rows, int64_t cols,
                                     const std::string& impl, const std::string& api, bool cold,
                                     const nlohmann::json& cfg) {
  if (key == g_key) return g_state;
  g_state.reset();  // free the previous group's copies first
  auto s = std::make_shared<GemvState>();
  s->rows = rows;
  s->cols = cols;
  const double zeros = cfg.value("zero_fraction", 0.45);
  s->tern = random_weights(rows, cols, zeros, 7);
  s->zeros = zero_fraction_all_terms(s->tern);
  std::mt19937 rng(3);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  s->x.resize(size_t(cols));
  for (auto& v : s->x) v = nd(rng);
  s->xq.resize(size_t(cols));
  for (auto& v : s->xq) v = uint8_t(rng() % 256);
  s->y.resize(size_t(rows));
  const double mib = cold ? cfg.value("cold_rotation_mib", 288.0) : 0.0;
  if (impl == "ref") {
    s->codes = unpack_ternary(s->tern.terms[0].codes.data(), size_t(rows), size_t(cols));
    s->weight_bytes = double(rows * cols);
  } else if (impl == "ternary_f32") {
    LutMatrix m = prepack_lut(s->tern);
    s->weight_bytes = double(m.weight_bytes());
    s->copies = cold ? rotation_copies(s->weight_bytes, mib) : 1;
    s->lut.assign(size_t(s->copies), m);
  } else if (impl == "ternary_s8") {
    VnniMatrix m = prepack_vnni(s->tern);
    s->weight_bytes = double(m.weight_bytes());
    s->copies = cold ? rotation_copies(s->weight_bytes, mib) : 1;
    s->vnni.assign(size_t(s->copies), m);
  } else {
    std::vector<float> d = s->tern.dense();
    s->weight_bytes = double(d.size() * sizeof(float));
    s->copies = cold ? rotation_copies(s->weight_bytes, mib) : 1;
#ifdef TNN_HAVE_ONEDNN
    if (api == "matmul") {
      for (int64_t i = 0; i < s->copies; ++i) s->matmul.emplace_back(d.data(), rows, cols, 1);
    } else {
      s->dense.assign(size_t(s->copies), d);
    }
#else
    (void)api;
    s->dense.assign(size_t(s->copies), d);
#endif
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
    for (const std::string impl : cfg.at("impls")) {
#ifndef TNN_HAVE_ONEDNN
      if (impl.rfind("onednn", 0) == 0) continue;
#endif
      if (impl == "dense_f32_avx512" && !isa_supported(Isa::kAvx512)) continue;
      const std::vector<std::string> apis = impl == "onednn_f32"
                                                ? std::vector<std::string>{"sgemv", "matmul"}
                                                : std::vector<std::string>{""};
      for (const std::string& api : apis)
        for (bool cold : {true, false}) {
          if (impl == "ref" && (cold || rows * cols > ref_max)) continue;
          const std::string shape_key =
              sname + (cold ? "/cold" : "/warm") + (api.empty() ? "" : "/" + api);
          for (int t : o.threads) {
            add(bench_name("gemv", impl, shape_key, t), reps, [=](benchmark::State& st) {
              // oneDNN fixes its thread partitioning when a primitive is created, so state is
              // built under the thread count it is timed with.
              use_threads(t);
              auto s = state_for(impl + "/" + shape_key + "/t" + std::to_string(t), rows, cols,
                                 impl, api, cold, cfg);
              int64_t i = 0;
              const QuantParams qp{0.05f, 128};
              ref::TernaryView view{s->codes.data(),
                                    rows,
                                    cols,
                                    s->tern.terms[0].scale_pos.data(),
                                    s->tern.terms[0].scale_neg.data(),
                                    true};
              for (auto _ : st) {
                const size_t c = size_t(i++ % s->copies);
                if (impl == "ref")
                  ref::gemv(view, s->x.data(), s->y.data());
                else if (impl == "ternary_f32")
                  gemv_f32(s->lut[c], s->x.data(), s->y.data());
                else if (impl == "ternary_s8")
                  gemv_w2a8(s->vnni[c], s->xq.data(), qp, s->y.data());
                else if (impl == "dense_f32_avx512")
                  gemv_dense_f32_avx512(s->dense[c].data(), rows, cols, s->x.data(), s->y.data());
#ifdef TNN_HAVE_ONEDNN
                else if (api == "matmul")
                  s->matmul[c].run(s->x.data(), s->y.data());
                else
                  onednn::sgemv(s->dense[c].data(), rows, cols, s->x.data(), s->y.data());
#endif
                benchmark::DoNotOptimize(s->y.data());
                benchmark::ClobberMemory();
              }
              set_counters(st, t, 1, double(rows * cols), s->weight_bytes, s->zeros);
              st.counters["copies"] = double(s->copies);
              st.SetLabel(cold ? "cold weights" : "warm weights");
            });
          }
        }
    }
    if (o.quick) break;
  }
}

}  // namespace tnn::kernels::bench
