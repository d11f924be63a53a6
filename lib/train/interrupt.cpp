// Checkpoint on request: SIGUSR1 (what Slurm's --signal=B:USR1@T sends ahead of a time limit) and
// SIGTERM (preemption, scancel, scontrol requeue) only set a flag; the training loop sees it at
// the next step and writes a checkpoint of the epoch in progress (trainer.cpp).
#include "tnn/train.hpp"

#include <csignal>
#include <stdexcept>

namespace tnn {
namespace {
// The one piece of process-wide state here: a signal handler can do nothing else.
volatile std::sig_atomic_t received = 0;
extern "C" void on_signal(int sig) {
  received = sig;
}
}  // namespace

void install_checkpoint_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int sig : {SIGUSR1, SIGTERM}) sigaction(sig, &sa, nullptr);
}

int checkpoint_signal() {
  return received;
}

std::string generator_state(const torch::Generator& gen) {
  static const char* digits = "0123456789abcdef";
  auto state = gen.get_state().contiguous();
  const auto* p = state.data_ptr<uint8_t>();
  std::string hex;
  for (int64_t i = 0; i < state.numel(); ++i) {
    hex.push_back(digits[p[i] >> 4]);
    hex.push_back(digits[p[i] & 15]);
  }
  return hex;
}

void set_generator_state(torch::Generator& gen, const std::string& hex) {
  if (hex.size() % 2 != 0) throw std::runtime_error("generator state: odd number of hex digits");
  auto state = torch::empty({int64_t(hex.size() / 2)}, torch::kUInt8);
  auto* p = state.data_ptr<uint8_t>();
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (size_t i = 0; i < hex.size() / 2; ++i)
    p[i] = uint8_t(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
  gen.set_state(state);
}

}  // namespace tnn
