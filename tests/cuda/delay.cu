#include "delay.hpp"

#include "check.hpp"

namespace tnn::test {

namespace {
__global__ void delay_then_fill_kernel(float* y, size_t n, float value, long long cycles) {
  if (threadIdx.x == 0) {
    const long long start = clock64();
    while (clock64() - start < cycles) {
    }
  }
  __syncthreads();
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n;
       i += size_t(gridDim.x) * blockDim.x)
    y[i] = value;
}
}  // namespace

void delay_then_fill(float* y, size_t n, float value, double ms, cudaStream_t s) {
  int khz = 0;
  kernels::cuda::check_cuda(cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, 0), "clock rate");
  // One block: every thread waits for the spinning one, so the fill starts after the delay.
  delay_then_fill_kernel<<<1, 256, 0, s>>>(y, n, value, (long long)(ms * khz));
  kernels::cuda::check_launch("delay_then_fill_kernel");
}

}  // namespace tnn::test
