// Owning device allocation for tests, benchmarks and the engine's CUDA path (cudaMalloc: plain
// device memory, never managed memory). Copies and fills take a stream: they are ordered after
// the work already queued on it and have finished when the call returns. The default (nullptr,
// the legacy default stream) does NOT wait for streams created with cudaStreamNonBlocking, so
// code that runs its kernels on such a stream must pass that stream here.
#pragma once

#include "check.hpp"

#include <cuda_runtime_api.h>

#include <cstddef>
#include <utility>
#include <vector>

namespace tnn::kernels::cuda {

template <typename T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(size_t n) : n_(n) {
    if (n > 0) check_cuda(cudaMalloc(reinterpret_cast<void**>(&p_), n * sizeof(T)), "cudaMalloc");
  }
  explicit DeviceBuffer(const std::vector<T>& host, cudaStream_t stream = nullptr)
      : DeviceBuffer(host.size()) {
    upload(host, stream);
  }
  ~DeviceBuffer() {
    if (p_) cudaFree(p_);
  }
  DeviceBuffer(DeviceBuffer&& o) noexcept
      : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    std::swap(p_, o.p_);
    std::swap(n_, o.n_);
    return *this;
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  T* get() const { return p_; }
  size_t size() const { return n_; }
  size_t bytes() const { return n_ * sizeof(T); }

  void upload(const std::vector<T>& host, cudaStream_t stream = nullptr) {
    if (host.size() != n_) throw std::invalid_argument("DeviceBuffer::upload: size mismatch");
    if (n_ == 0) return;
    check_cuda(cudaMemcpyAsync(p_, host.data(), bytes(), cudaMemcpyHostToDevice, stream), "upload");
    check_cuda(cudaStreamSynchronize(stream), "upload (sync)");  // `host` may go away after this
  }
  std::vector<T> download(cudaStream_t stream = nullptr) const {
    std::vector<T> host(n_);
    if (n_ == 0) return host;
    check_cuda(cudaMemcpyAsync(host.data(), p_, bytes(), cudaMemcpyDeviceToHost, stream),
               "download");
    check_cuda(cudaStreamSynchronize(stream), "download (sync)");
    return host;
  }
  // Every byte set to `byte` (0xFF makes FP32/FP16 NaN: outputs a kernel forgot stay visible).
  void fill_bytes(int byte, cudaStream_t stream = nullptr) {
    if (n_ == 0) return;
    check_cuda(cudaMemsetAsync(p_, byte, bytes(), stream), "cudaMemsetAsync");
    check_cuda(cudaStreamSynchronize(stream), "cudaMemsetAsync (sync)");
  }

 private:
  T* p_ = nullptr;
  size_t n_ = 0;
};

}  // namespace tnn::kernels::cuda
