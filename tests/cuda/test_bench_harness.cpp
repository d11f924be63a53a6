// The benchmark harness (kernels/cuda/bench) on the GPU, on a cudaStreamNonBlocking stream as
// tnn_cuda_bench uses: its copies must wait for the work queued on that stream (the legacy
// default stream does not), its reference kernels must be exact, and its own gemv/gemm/conv
// cases must find our kernels exact. A host function that sleeps keeps the stream busy when a
// case starts, so an unordered copy would read buffers before they are written.
#include "cases.hpp"
#include "exact_reference.hpp"
#include "fill.hpp"
#include "reference.hpp"
#include "runner.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <set>
#include <thread>

namespace cu = tnn::kernels::cuda;
namespace g = tnn::bench::gpu;
using namespace tnn::test;

namespace {

struct NonBlockingStream {
  cudaStream_t s = nullptr;
  NonBlockingStream() {
    cu::check_cuda(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), "cudaStreamCreate");
  }
  ~NonBlockingStream() { cudaStreamDestroy(s); }
};

void CUDART_CB sleep_on_stream(void* ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(reinterpret_cast<uintptr_t>(ms)));
}

// Holds back everything queued on `s` after it by `ms` milliseconds (a host function on the
// stream; it calls no CUDA API, as host functions must not).
void delay_stream(cudaStream_t s, int ms) {
  cu::check_cuda(cudaLaunchHostFunc(s, sleep_on_stream, reinterpret_cast<void*>(uintptr_t(ms))),
                 "cudaLaunchHostFunc");
}

float bits_as_float(uint32_t b) {
  float f;
  std::memcpy(&f, &b, sizeof(f));
  return f;
}

cu::Conv3x3Shape conv_shape(int n, int h, int w, int c, int k, int stride) {
  cu::Conv3x3Shape s;
  s.n = n, s.h = h, s.w = w, s.c = c, s.k = k, s.stride = stride;
  return s;
}

}  // namespace

TEST_CASE("bench copies wait for the non-blocking stream's work", "[gpu][bench]") {
  NonBlockingStream st;
  const size_t n = 1 << 16;
  DeviceBuffer<float> y(n);
  y.fill_bytes(0);
  delay_stream(st.s, 50);
  cu::check_cuda(cudaMemsetAsync(y.get(), 0x40, n * sizeof(float), st.s), "memset");
  const float want = bits_as_float(0x40404040u);
  const auto h = g::download(y.get(), n, st.s);
  size_t wrong = 0;
  for (float v : h) wrong += v != want;
  CHECK(wrong == 0);

  delay_stream(st.s, 50);
  cu::check_cuda(cudaMemsetAsync(y.get(), 0x3F, n * sizeof(float), st.s), "memset");
  const float want2 = bits_as_float(0x3F3F3F3Fu);
  const auto h2 = y.download(st.s);
  wrong = 0;
  for (float v : h2) wrong += v != want2;
  CHECK(wrong == 0);
}

TEST_CASE("bench reference kernels are exact", "[gpu][bench]") {
  NonBlockingStream st;
  std::mt19937 rng(31);
  {
    const int m = 5, n = 70, k = 333;
    const auto codes = random_codes(rng, n, k, 0.4);
    std::vector<double> w(codes.begin(), codes.end()), x = random_ints(rng, size_t(m) * k, 64);
    for (auto& v : x) v /= 64;
    const auto want = ref_gemm(x, m, codes, n, k, {1.0f});
    DeviceBuffer<float> xd(to_f32(x), st.s), wd(to_f32(w), st.s), yd(want.size());
    g::reference_gemm(xd.get(), wd.get(), yd.get(), m, n, k, st.s);
    const auto y = yd.download(st.s);
    size_t wrong = 0;
    for (size_t i = 0; i < y.size(); ++i) wrong += double(y[i]) != want[i];
    CHECK(wrong == 0);
  }
  for (int stride : {1, 2}) {
    const auto s = conv_shape(2, 7, 9, 20, 12, stride);
    const auto codes = random_codes(rng, s.k, 9 * s.c, 0.4);
    std::vector<double> w(codes.begin(), codes.end());
    auto x = random_ints(rng, size_t(s.n) * s.h * s.w * s.c, 64);
    for (auto& v : x) v /= 64;
    const auto want = ref_conv3x3(x, s, codes, {1.0f});
    DeviceBuffer<float> xd(to_f32(x), st.s), wd(to_f32(w), st.s), yd(want.size());
    g::reference_conv3x3(xd.get(), wd.get(), yd.get(), s, st.s);
    const auto y = yd.download(st.s);
    size_t wrong = 0;
    for (size_t i = 0; i < y.size(); ++i) wrong += double(y[i]) != want[i];
    CHECK(wrong == 0);
  }
}

TEST_CASE("bench weights expand to codes times their scales", "[gpu][bench]") {
  NonBlockingStream st;
  const int rows = 37, cols = 333;
  delay_stream(st.s, 20);  // the weights' set-up queues behind this
  g::BenchWeights w(rows, cols, 0.45f, 99, st.s);
  DeviceBuffer<float> dense(size_t(rows) * cols);
  g::expand_tg16(w.view, dense.get(), st.s);
  cu::HostTernaryMatrix host;
  host.words = w.words.download(st.s);
  host.rows = rows, host.cols = cols, host.ld_words = w.view.ld_words;
  const auto codes = cu::decode_tg16(host);
  const auto scales = w.scales.download(st.s);
  const auto got = dense.download(st.s);
  size_t wrong = 0, zeros = 0;
  for (int r = 0; r < rows; ++r)
    for (int k = 0; k < cols; ++k) {
      const size_t i = size_t(r) * cols + k;
      wrong += got[i] != float(codes[i]) * scales[size_t(r)];
      zeros += codes[i] == 0;
    }
  CHECK(wrong == 0);
  CHECK(zeros > size_t(rows * cols) / 4);  // about 45 % zeros
  CHECK(zeros < size_t(rows * cols) * 2 / 3);
}

TEST_CASE("bench cases find our kernels exact on a non-blocking stream", "[gpu][bench]") {
  NonBlockingStream st;
  g::TimingOptions opt;
  opt.min_time_s = 0.001, opt.min_reps = 2, opt.max_reps = 3, opt.flush_bytes = size_t(1) << 20;
  g::Timer timer(st.s, opt);
  std::vector<g::Entry> out;
  g::Runner runner{timer, st.s, [](const std::string&) { return true; }, false, false, out};

  delay_stream(st.s, 20);
  g::run_gemm_case(runner, "gemv", g::GemmShape{1, 300, 1000, ""}, 0.45f);
  delay_stream(st.s, 20);
  g::run_gemm_case(runner, "gemm", g::GemmShape{17, 70, 333, ""}, 0.45f);
  delay_stream(st.s, 20);
  g::run_conv_case(runner, g::ConvLayer{"test", conv_shape(2, 9, 9, 16, 32, 2)}, 0.45f);

  REQUIRE(out.size() == 18);  // 3 cases x 6 implementations, cold only
  std::set<std::string> ours_seen;
  for (const auto& e : out) {
    INFO(e.name() << ": " << e.extra.dump());
    if (g::role_of(e.impl) == g::Role::ours) {
      CHECK_FALSE(e.extra.contains("error_occurred"));
      CHECK(e.extra.value("check", "") == "exact");
      ours_seen.insert(e.op + "/" + e.impl);
    } else if (e.impl == "cublas_f32") {
      CHECK(e.extra.value("check", "") == "exact");  // FP32 sums of exact values: exact
    } else if (e.extra.contains("error_occurred") || e.extra.value("check", "") == "DIFFERS") {
      WARN("baseline " << e.name() << ": " << e.extra.dump());  // recorded, not ours to fail
    }
  }
  CHECK(ours_seen.size() == 9);
}
