// Owning device allocation for tests, benchmarks and the engine's CUDA path (cudaMalloc: plain
// device memory, never managed memory).
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
  explicit DeviceBuffer(const std::vector<T>& host) : DeviceBuffer(host.size()) { upload(host); }
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

  void upload(const std::vector<T>& host) {
    if (host.size() != n_) throw std::invalid_argument("DeviceBuffer::upload: size mismatch");
    if (n_ > 0) check_cuda(cudaMemcpy(p_, host.data(), bytes(), cudaMemcpyHostToDevice), "upload");
  }
  std::vector<T> download() const {
    std::vector<T> host(n_);
    if (n_ > 0)
      check_cuda(cudaMemcpy(host.data(), p_, bytes(), cudaMemcpyDeviceToHost), "download");
    return host;
  }
  // Every byte set to `byte` (0xFF makes FP32/FP16 NaN: outputs a kernel forgot stay visible).
  void fill_bytes(int byte) {
    if (n_ > 0) check_cuda(cudaMemset(p_, byte, bytes()), "cudaMemset");
  }

 private:
  T* p_ = nullptr;
  size_t n_ = 0;
};

}  // namespace tnn::kernels::cuda
