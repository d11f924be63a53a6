// Training: optimizers and schedules, the epoch loop (incl. the two-pass update of methods whose
// TrainingPolicy asks for it), evaluation,
// atomic checkpoints with exact resume, progress output.
#pragma once

#include "tnn/data.hpp"
#include "tnn/dataset.hpp"
#include "tnn/models.hpp"

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace tnn {
namespace dist {
class Context;  // tnn/dist.hpp
}

// ---- optimizers and schedules (lib/train/optim.cpp) ----

// Parameters split by role: conv/linear weights, BN and biases, ternarizer-owned (TGA delta,
// TTQ W_p/W_n).
struct ParamGroups {
  std::vector<torch::Tensor> weights, bn_bias, quantizer;
};
ParamGroups split_parameters(Network& net);

// `config` is train.optimizer (or train.threshold_optimizer). weight_decay_on "weights_only"
// exempts BN and biases. Quantizer-owned parameters passed in `no_decay` get no weight decay.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const nlohmann::json& config,
                                                        const std::vector<torch::Tensor>& decay,
                                                        const std::vector<torch::Tensor>& no_decay,
                                                        double lr);
void set_learning_rate(torch::optim::Optimizer& opt, double lr);

// Zeroes every defined gradient in place: what LibTorch 1.13's zero_grad() does. LibTorch 2.x's
// zero_grad() sets them to none instead, and SGD then skips a parameter that got no gradient in a
// step (no momentum, no weight decay), so the two versions would train differently.
void zero_grad_in_place(torch::optim::Optimizer& opt);
// LibTorch < 2.2 keys an optimizer's saved state by parameter addresses printed in hex ("0x55..."),
// which LibTorch >= 2.2 reads back with std::stoull as 0 for every parameter (and then crashes in
// step()). True when `optimizer_archive` holds such keys.
bool optimizer_state_has_hex_keys(torch::serialize::InputArchive& optimizer_archive);
// opt->load(archive), refusing, under LibTorch >= 2.2, state it would map to the wrong parameters
// (see above); `where` names the file in the error.
void load_optimizer(torch::optim::Optimizer& opt, torch::serialize::InputArchive& archive,
                    const std::string& where);

// Learning rate at (epoch, step within epoch): multistep (lr *= gamma_i once epoch >= milestone_i,
// applied at epoch start as the reference), cosine (per step, to 0 at the end), constant.
double scheduled_lr(const nlohmann::json& schedule, double base_lr, int epoch, int step,
                    int steps_per_epoch, int epochs);

// ---- evaluation (lib/train/evaluate.cpp) ----

struct EvalResult {
  double top1 = 0, top5 = 0, loss = 0;  // top-k in percent
  int64_t images = 0;
  torch::Tensor predictions;  // int64 [images], argmax class
};
EvalResult evaluate(Network& net, const torch::Tensor& images, const torch::Tensor& labels,
                    int64_t batch_size, torch::Device device, bool channels_last);
// Over every batch of a stream (e.g. DataSource::test_batches).
EvalResult evaluate(Network& net, BatchStream& batches);

// ---- checkpoints (lib/train/checkpoint.cpp) ----

struct TrainState {
  int epoch = 0;  // epochs completed
  double best_top1 = -1;
  int best_epoch = -1;
  nlohmann::json history = nlohmann::json::array();  // one record per completed epoch
  double train_seconds = 0;  // wall time spent training so far (across resumes)
  int world_size = 1;        // data-parallel ranks that trained it (resume needs as many)
  // An epoch stopped mid-way by a checkpoint signal: {epoch, step, seconds, ranks: [{loss_sum,
  // correct, seen, generator}]} (per rank: its running sums and augmentation generator); null at
  // an epoch boundary.
  nlohmann::json partial;
};

// Model + optimizer(s) + state, written atomically. Optimizers may be null (model-only files).
void save_checkpoint(const std::string& path, Network& net, torch::optim::Optimizer* opt,
                     torch::optim::Optimizer* threshold_opt, const TrainState& state,
                     const nlohmann::json& config);
// Loads what save_checkpoint wrote; returns the stored config. Optimizers may be null.
nlohmann::json load_checkpoint(const std::string& path, Network& net, torch::optim::Optimizer* opt,
                               torch::optim::Optimizer* threshold_opt, TrainState* state);
// Reads only the stored config and state of a checkpoint.
nlohmann::json checkpoint_config(const std::string& path);
// Copies the weights/buffers that exist in both (e.g. an FP checkpoint into a ternary model).
void load_matching_weights(const std::string& path, Network& net);

// ---- one training step (lib/train/step.cpp), shared by the trainer and `tnn bench-train` ----

// Gradient averaging across data-parallel ranks (lib/dist, tnn/dist.hpp), called by train_step;
// Trainable::sync is null in a single process.
struct GradientSync {
  virtual ~GradientSync() = default;
  virtual void before_forward() = 0;  // once per step, before its first forward pass
  virtual void
  before_backward() = 0;  // the next backward pass reduces every gradient as it is produced
  virtual void after_backward() = 0;  // waits: every gradient is now the mean over ranks
  virtual void average_now(
      torch::optim::Optimizer& opt) = 0;  // opt's gradients, now (TGA's threshold pass)
};

// A model with its optimizers, built from a resolved config exactly as the trainer does:
// weights (+ BN/bias unless exempt) in the main optimizer; the ternarizers' own parameters where
// the method's TrainingPolicy puts them: the threshold optimizer (TGA's delta) or the main one
// without weight decay (TTQ's W_p/W_n).
struct Trainable {
  std::shared_ptr<Network> net;
  // threshold_opt: only for methods whose policy gives their parameters an optimizer of their own
  std::unique_ptr<torch::optim::Optimizer> opt, threshold_opt;
  double lr = 0, threshold_lr = 0;  // base learning rates
  bool two_pass = false;            // sequential two-pass update (policy.passes_per_step == 2)
  std::vector<torch::Tensor> model_params;  // all but the thresholds (frozen in the first pass)
  std::shared_ptr<GradientSync> sync;       // data-parallel runs only
};
ModelConfig model_config_of(const nlohmann::json& config);
// Seeds torch with `seed` before building (reference init). init_checkpoint: FP weights to start
// from (our checkpoint); init_torchvision: a torchvision state_dict file. Either way TGA's delta
// is re-initialised from the loaded weights (main_dc.py).
Trainable make_trainable(const nlohmann::json& config, int seed, torch::Device device,
                         const std::string& init_checkpoint = "",
                         const std::string& init_torchvision = "");
// Sets both optimizers' learning rate for the step: lr for the weights, lr * threshold_lr / lr
// for the threshold optimizer (they share the schedule, as main_dc.py).
void set_step_lr(Trainable& t, double lr);
// One optimisation step on (x, y); returns (loss, logits) of the (last) forward pass.
std::pair<torch::Tensor, torch::Tensor> train_step(Trainable& t, const torch::Tensor& x,
                                                   const torch::Tensor& y);

// ---- checkpoint on request (lib/train/interrupt.cpp) ----

// After install_checkpoint_signals(), SIGUSR1 and SIGTERM make a training run write a checkpoint
// of the epoch in progress at its next step and return with status "interrupted"; running the
// same command continues it exactly (same data order, augmentation and weights). `tnn run` calls
// it.
void install_checkpoint_signals();
int checkpoint_signal();                                   // the signal received, or 0
std::string generator_state(const torch::Generator& gen);  // as hex, for checkpoints
void set_generator_state(torch::Generator& gen, const std::string& hex);

// ---- the run (lib/train/trainer.cpp) ----

struct TrainOptions {
  std::string out_dir;  // result.json, log.jsonl, checkpoints/
  int seed = 1;
  std::string
      data_dir;  // data folder (--data); empty: the dataset's environment variable / default
  std::string init_checkpoint;  // from train.init_from (resolved by the runner), or empty
  std::string
      init_torchvision;  // from train.init_from.torchvision (resolved by the runner), or empty
  bool progress = true;  // progress line on a TTY
  int stop_after_epochs =
      0;  // > 0: stop (as if killed) after this many epochs of this call (tests)
  // > 0 (tests): act as if a checkpoint signal arrived before step N of the first epoch this
  // call trains: a mid-epoch checkpoint, as SIGTERM leaves it.
  int signal_before_step = 0;
  std::shared_ptr<dist::Context> dist;  // data-parallel rank (tnn/dist.hpp); null: one process
};

// Trains `config` (a resolved experiment config) and returns result.json's content. Resumes from
// out_dir/checkpoints/last.pt when it exists and belongs to the same config hash. Data-parallel
// (options.dist): train.batch_size is the global batch, split evenly over the ranks; only rank 0
// writes into out_dir; every rank reads last.pt to resume (a folder shared by all nodes).
nlohmann::json train(const nlohmann::json& config, const TrainOptions& options);

}  // namespace tnn
