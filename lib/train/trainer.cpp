// The training loop. One call trains one (config, seed) into out_dir, resuming from the last
// epoch checkpoint if one exists; after a kill -9 the resumed run gives the same weights as an
// uninterrupted one on the CPU (data order, crops and flips are drawn from a generator seeded by
// (seed, epoch); model, optimizer and BN state come from the checkpoint).
#include "tnn/train.hpp"

#include "progress.hpp"
#include "tnn/dist.hpp"
#include "tnn/experiment.hpp"
#include "tnn/fileio.hpp"
#include "tnn/pack.hpp"
#include "tnn/run_lock.hpp"
#include "tnn/runtime.hpp"

#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace tnn {
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// One GPU per local rank (local_rank of local_world, 0 of 1 for one process). "auto" takes the
// GPUs only when every local rank sees one of its own, so that nodes alike choose alike (the
// gradient sync picks NCCL or Gloo from the device; two ranks on one GPU is what NCCL refuses).
// One visible GPU per rank of several is what a launcher binding a GPU to each task shows
// (srun --gpus-per-task=1); only an explicit "cuda" takes it, as cuda:0.
torch::Device pick_device(const std::string& want, int local_rank, int local_world) {
  if (want == "cpu") return torch::kCPU;
  const int gpus = torch::cuda::is_available() ? int(torch::cuda::device_count()) : 0;
  if (gpus > 0 && gpus >= local_world)
    return torch::Device(torch::kCUDA, torch::DeviceIndex(local_rank));
  if (want == "cuda") {
    if (gpus == 1) return torch::Device(torch::kCUDA, 0);
    throw std::runtime_error("train.device: cuda requested for " + std::to_string(local_world) +
                             " local rank(s), one GPU each, but " + std::to_string(gpus) +
                             " CUDA device(s) are visible");
  }
  if (gpus > 0)
    std::cerr << "warning: train.device auto: " << gpus << " GPU(s) visible to " << local_world
              << " local ranks, so training on the CPU (with one GPU bound to "
              << "each task, e.g. srun --gpus-per-task=1, set train.device to cuda)\n";
  return torch::kCPU;
}

struct Run {
  const nlohmann::json& cfg;
  const TrainOptions& o;
  torch::Device device{torch::kCPU};
  Trainable t;
};

nlohmann::json result_json(const Run& r, const TrainState& st, const DataSource& data,
                           const std::string& status, const nlohmann::json& env) {
  nlohmann::json res;
  res["format"] = "ternary-bench result v1";
  res["status"] = status;
  res["experiment"] = r.cfg["id"];
  res["profile"] = r.cfg["profile"];
  res["seed"] = r.o.seed;
  res["config_hash"] = config_hash(r.cfg);
  res["config"] = r.cfg;
  res["epochs_done"] = st.epoch;
  res["epochs"] = r.cfg["train"]["epochs"];
  res["history"] = st.history;
  if (!st.history.empty()) {
    const auto& last = st.history.back();
    res["final"] = {
        {"top1", last["test_top1"]}, {"top5", last["test_top5"]}, {"epoch", last["epoch"]}};
    for (const auto& h : st.history)
      if (h["epoch"] == st.best_epoch)
        res["best"] = {{"top1", h["test_top1"]}, {"top5", h["test_top5"]}, {"epoch", h["epoch"]}};
  }
  res["select"] = r.cfg["select"];
  res["dataset"] = data.identity();
  if (!data.errors().is_null()) res["data_errors"] = data.errors();  // unreadable files, counted
  res["wall_seconds"] = st.train_seconds;
  double images = 0;
  for (const auto& h : st.history) images += h["train_images"].get<double>();
  res["train_images_per_second"] = st.train_seconds > 0 ? images / st.train_seconds : 0.0;
  res["environment"] = env;
  return res;
}

}  // namespace

nlohmann::json train(const nlohmann::json& cfg, const TrainOptions& o) {
  const auto wall_start = Clock::now();
  // Data parallelism (tnn/dist.hpp): only rank 0 writes into the run folder.
  dist::Context* dp = o.dist.get();
  const int world = dp ? dp->world() : 1, rank = dp ? dp->rank() : 0;
  const bool writer = rank == 0;
  fs::path out(o.out_dir), ckpt_dir = fs::path(o.out_dir) / "checkpoints";
  // One writer per run folder: a second process refuses, naming this one.
  std::unique_ptr<RunLock> lock;
  std::string lock_error;
  if (writer) {
    fs::create_directories(ckpt_dir);
    try {
      lock = std::make_unique<RunLock>(o.out_dir);
    } catch (const std::runtime_error& e) {
      lock_error = e.what();
    }
  }
  if (dp) lock_error = dp->from_rank0(lock_error);
  if (!lock_error.empty()) throw std::runtime_error(writer ? lock_error : "rank 0: " + lock_error);
  const std::string hash = config_hash(cfg);
  const auto& tc = cfg["train"];
  const int epochs = tc["epochs"], global_batch = tc["batch_size"], log_every = tc["log_every"];
  if (global_batch % world != 0)
    throw std::invalid_argument("train.batch_size " + std::to_string(global_batch) +
                                " (the global batch) is not a multiple of the " +
                                std::to_string(world) + " data-parallel ranks");
  const int batch = global_batch / world;  // this rank's

  const dist::LaunchInfo one_process;
  const dist::LaunchInfo& launch = dp ? dp->launch() : one_process;
  Run r{cfg, o, pick_device(tc["device"], launch.local_rank, launch.local_world), {}};
  auto data = open_dataset(cfg, o.data_dir, r.device);  // CIFAR-10 or ImageNet (data.dataset)
  r.t = make_trainable(cfg, o.seed, r.device, o.init_checkpoint, o.init_torchvision);
  Network& net = *r.t.net;
  if (net.config().num_classes != data->num_classes())
    throw std::runtime_error(cfg["id"].get<std::string>() + ": model.num_classes is " +
                             std::to_string(net.config().num_classes) + " but the dataset has " +
                             std::to_string(data->num_classes()) + " classes");

  TrainState st;
  const fs::path last = ckpt_dir / "last.pt";
  bool resume = fs::exists(last);
  if (dp) {  // rank 0 decides; every rank then reads the same checkpoint
    resume = dp->from_rank0(resume ? "1" : "0") == "1";
    if (resume && !fs::exists(last))
      throw std::runtime_error("rank " + std::to_string(rank) + ": cannot see " + last.string() +
                               ", which rank 0 resumes from: the run folder must be on a "
                               "filesystem shared by all ranks");
  }
  if (resume) {
    auto meta = checkpoint_config(last.string());
    if (config_hash(meta["config"]) != hash)
      throw std::runtime_error(last.string() + ": belongs to a different configuration (hash " +
                               config_hash(meta["config"]) + ", this run " + hash +
                               "); use a fresh --out folder or delete it");
    load_checkpoint(last.string(), net, r.t.opt.get(), r.t.threshold_opt.get(), &st);
    if (st.world_size != world)
      throw std::runtime_error(
          last.string() + ": written by a run of " + std::to_string(st.world_size) +
          " data-parallel rank(s); this one has " + std::to_string(world) + ". Resume it with " +
          std::to_string(st.world_size) + " (tnn run --nproc " + std::to_string(st.world_size) +
          ", or as many srun tasks), or train into a fresh --out folder: with another world size "
          "the batch statistics and augmentation streams differ, so it would not continue the same "
          "run");
  }
  st.world_size = world;
  if (dp)
    r.t.sync =
        dist::make_data_parallel(o.dist, net, tc["sync_batchnorm"]);  // rank 0's weights to all

  const std::string name = cfg["id"].get<std::string>() + "/" + cfg["profile"].get<std::string>() +
                           "/seed" + std::to_string(o.seed);
  Progress progress(writer ? (out / "log.jsonl").string() : "", o.progress, name);
  const nlohmann::json env = environment_info();
  if (st.epoch > 0 || !st.partial.is_null())
    progress.epoch_line(name + ": resuming after epoch " + std::to_string(st.epoch) +
                        (st.partial.is_null() ? ""
                                              : ", step " + st.partial["step"].dump() +
                                                    " of epoch " + std::to_string(st.epoch + 1)));
  // A run resumed over several sessions records each segment's commit and machine (result.json
  // "segments"), not only the last one's.
  progress.log({{"event", st.epoch > 0 || !st.partial.is_null() ? "resume" : "start"},
                {"epoch", st.epoch},
                {"step", st.partial.is_null() ? nlohmann::json(0) : st.partial["step"]},
                {"config_hash", hash},
                {"seed", o.seed},
                {"device", r.device.str()},
                {"threads", torch::get_num_threads()},
                {"git_commit", env["git_commit"]},
                {"git_dirty", env["git_dirty"]},
                {"hostname", env["hostname"]},
                {"world_size", world}});
  if (lock && !lock->taken_over_from().empty())
    progress.log({{"event", "lock_taken_over"}, {"from", lock->taken_over_from()}});

  const int64_t n = data->train_size();
  const int64_t per_rank = (n + world - 1) / world;  // the sampler pads to equal shards
  const int steps = int((per_rank + batch - 1) / batch);
  const Shard shard{world, rank};
  nlohmann::json distributed;  // per-rank throughput and communication (data-parallel runs)
  // Which checkpoint files the result vouches for (sha256), so committed evidence can be verified.
  auto checkpoint_digests = [&](bool finished) {
    nlohmann::json c = nlohmann::json::object();
    for (const char* f : {"final.pt", "best.pt", "last.pt"}) {
      const fs::path p = ckpt_dir / f;
      if (finished && std::string(f) == "last.pt") continue;  // deleted right after this write
      if (fs::exists(p)) c[f] = {{"sha256", sha256_file(p.string())}, {"bytes", fs::file_size(p)}};
    }
    return c;
  };
  auto write_result = [&](const std::string& status) {
    auto res = result_json(r, st, *data, status, env);
    res["sparsity"] = sparsity_report(net);
    res["footprint"] = footprint_report(net);
    if (dp) res["distributed"] = distributed;
    if (!writer) return res;
    res["segments"] = Progress::segments((out / "log.jsonl").string());
    res["checkpoints"] = checkpoint_digests(status == "finished");
    write_file_atomic((out / "result.json").string(), res.dump(2) + "\n");
    return res;
  };
  auto checkpoint = [&](const fs::path& path, bool with_optimizers) {
    if (writer)
      save_checkpoint(path.string(), net, with_optimizers ? r.t.opt.get() : nullptr,
                      with_optimizers ? r.t.threshold_opt.get() : nullptr, st, cfg);
  };
  const double comm_at_start = dp ? dp->comm_seconds() : 0,
               wait_at_start = dp ? dp->wait_seconds() : 0;
  int steps_this_call = 0;
  // best.pt is kept only when the experiment selects the best epoch; otherwise the final weights
  // are the result and the best epoch is reported from the history.
  const bool keep_best = cfg["select"] == "best";

  int epochs_this_call = 0;
  EpochCost epoch_cost;  // for the ETA
  for (int epoch = st.epoch; epoch < epochs; ++epoch) {
    const auto t_epoch = Clock::now();
    // Order, crops, flips: f(seed, epoch); this rank's shard of the epoch (DistributedSampler).
    auto batches = data->train_epoch(o.seed, epoch, batch, shard);
    net.train();
    double loss_sum = 0;
    int64_t correct = 0, seen = 0;
    torch::Tensor loss_acc =
        torch::zeros({}, torch::TensorOptions().device(r.device).dtype(torch::kDouble));
    torch::Tensor correct_acc =
        torch::zeros({}, torch::TensorOptions().device(r.device).dtype(torch::kLong));
    int first_step = 0;
    double seconds_before = 0;    // of this epoch, before a checkpoint signal stopped it
    int64_t seen_before = 0;      // images of this epoch trained before that signal
    if (!st.partial.is_null()) {  // continue the epoch where a checkpoint signal stopped it
      const auto& mine = st.partial["ranks"].at(size_t(rank));
      first_step = st.partial["step"];
      seconds_before = st.partial["seconds"];
      loss_acc.fill_(mine["loss_sum"].get<double>());
      correct_acc.fill_(mine["correct"].get<int64_t>());
      seen = seen_before = mine["seen"];
      batches->resume_at(first_step, mine["generator"]);
      st.partial = nullptr;
    }
    Batch b;
    for (int s = first_step; s < steps; ++s) {
      // A checkpoint signal (SIGUSR1/SIGTERM, tnn/train.hpp): save the epoch in progress and stop.
      const bool test_signal =
          o.signal_before_step > 0 && epochs_this_call == 0 && s == o.signal_before_step;
      if (test_signal || (dp ? dp->any(checkpoint_signal() != 0) : checkpoint_signal() != 0)) {
        nlohmann::json mine = {{"loss_sum", loss_acc.item<double>()},
                               {"correct", correct_acc.item<int64_t>()},
                               {"seen", seen},
                               {"generator", batches->augment_state()}};
        nlohmann::json ranks = nlohmann::json::array();
        if (dp) {
          for (const auto& text : dp->gather_text(mine.dump()))
            ranks.push_back(nlohmann::json::parse(text));
        } else {
          ranks.push_back(mine);
        }
        const double seconds = seconds_before + seconds_since(t_epoch);
        st.partial = {{"epoch", epoch}, {"step", s}, {"seconds", seconds}, {"ranks", ranks}};
        st.train_seconds += seconds - seconds_before;
        checkpoint(last, true);
        const int sig = test_signal ? SIGTERM : checkpoint_signal();
        progress.log({{"event", "interrupted"}, {"signal", sig}, {"epoch", epoch}, {"step", s}});
        progress.epoch_line(name + ": signal " + std::to_string(sig) +
                            ": checkpoint written at epoch " + std::to_string(epoch + 1) +
                            ", step " + std::to_string(s) + " of " + std::to_string(steps) +
                            "; the same command continues the run");
        return write_result("interrupted");
      }
      // Data-parallel ranks must take the same number of steps: a rank whose shard ran out early
      // (whole batches of unreadable ImageNet files) stops the others at the collective timeout.
      if (!batches->next(b)) break;
      double lr = scheduled_lr(tc["schedule"], r.t.lr, epoch, s, steps, epochs);
      set_step_lr(r.t, lr);
      const auto& y = b.y;
      const int64_t len = y.size(0);  // smaller when unreadable images were skipped
      auto [loss, logits] = train_step(r.t, b.x, y);
      auto l = loss.detach();
      loss_acc += l * double(len);
      correct_acc += logits.detach().argmax(1).eq(y).sum();
      seen += len;
      // A sync per step is cheap on the CPU; on the GPU check at log points only.
      const bool check = !r.device.is_cuda() || (s + 1) % log_every == 0 || s + 1 == steps;
      if (check) {
        loss_sum = loss_acc.item<double>();
        correct = correct_acc.item<int64_t>();
        if (!std::isfinite(loss_sum)) {
          progress.log({{"event", "diverged"}, {"epoch", epoch}, {"step", s}, {"loss", loss_sum}});
          write_result("failed: non-finite loss at epoch " + std::to_string(epoch + 1) + " step " +
                       std::to_string(s + 1) + "; the last good checkpoint (epoch " +
                       std::to_string(st.epoch) + ") is kept");
          throw std::runtime_error(name + ": training diverged (loss " + std::to_string(loss_sum) +
                                   ") at epoch " + std::to_string(epoch + 1) + ", step " +
                                   std::to_string(s + 1) +
                                   "; last good checkpoint: " + last.string());
        }
        const double elapsed = seconds_since(t_epoch),
                     rate = double(seen - seen_before) / std::max(elapsed, 1e-9);
        double per_epoch = epoch_cost.seconds_per_epoch();
        if (per_epoch < 0) per_epoch = double(n) / rate;
        double eta = double(per_rank - seen) / rate + per_epoch * (epochs - epoch - 1);
        progress.step(epoch + 1, epochs, s + 1, steps, loss_sum / seen, 100.0 * correct / seen,
                      rate, eta);
        if ((s + 1) % log_every == 0)
          progress.log({{"event", "step"},
                        {"epoch", epoch + 1},
                        {"step", s + 1},
                        {"lr", lr},
                        {"loss", loss_sum / seen},
                        {"train_top1", 100.0 * correct / seen},
                        {"img_per_s", rate}});
      }
    }
    if (seen == 0)
      throw std::runtime_error(name + ": epoch " + std::to_string(epoch + 1) +
                               " had no readable training images");
    loss_sum =
        loss_acc.item<double>();  // fewer batches than planned when unreadable images were skipped
    correct = correct_acc.item<int64_t>();
    const double train_time_here = seconds_since(t_epoch);
    const double train_time = seconds_before + train_time_here;
    const double data_wait = batches->wait_seconds();
    batches.reset();
    steps_this_call += steps - first_step;
    if (dp) {  // the epoch's figures over all ranks; per-rank throughput and communication
      auto sums = dp->sum({loss_sum, double(correct), double(seen)});
      const double rank_img_s = seen / train_time;
      loss_sum = sums[0];
      correct = int64_t(sums[1]);
      seen = int64_t(sums[2]);
      auto rows = dp->gather(
          {rank_img_s, dp->comm_seconds() - comm_at_start, dp->wait_seconds() - wait_at_start});
      distributed = {{"world_size", world},
                     {"backend", dp->backend()},
                     {"launcher", dp->launch().launcher},
                     {"sync_batchnorm", tc["sync_batchnorm"]},
                     {"ranks", nlohmann::json::array()}};
      double comm = 0, wait = 0;
      for (int k = 0; k < world; ++k) {
        auto peer = dp->peers()[size_t(k)];
        distributed["ranks"].push_back({{"rank", k},
                                        {"host", peer["host"]},
                                        {"pid", peer["pid"]},
                                        {"img_per_s", rows[size_t(k)][0]},
                                        {"comm_seconds", rows[size_t(k)][1]},
                                        {"comm_wait_seconds", rows[size_t(k)][2]}});
        comm += rows[size_t(k)][1] / world;
        wait += rows[size_t(k)][2] / world;
      }
      // Mean over ranks, per optimisation step, over this call's epochs.
      distributed["comm_seconds_per_step"] = comm / steps_this_call;
      distributed["comm_wait_seconds_per_step"] = wait / steps_this_call;
    }
    EvalResult ev = dp ? dist::evaluate_sharded(*dp, net, *data, tc["eval_batch_size"])
                       : evaluate(net, *data->test_batches(tc["eval_batch_size"]));
    const double epoch_seconds =
        seconds_since(t_epoch);  // this call's part (train_seconds has the rest)
    st.train_seconds += epoch_seconds;
    epoch_cost.add(double(steps - first_step) / steps, train_time_here,
                   epoch_seconds - train_time_here);
    st.epoch = epoch + 1;
    auto sp = sparsity_report(net);
    const auto zeros = sp["mac_weighted_zero_fraction_first_term"];
    nlohmann::json rec = {{"epoch", st.epoch},
                          {"lr", scheduled_lr(tc["schedule"], r.t.lr, epoch, 0, steps, epochs)},
                          {"train_loss", loss_sum / seen},
                          {"train_top1", 100.0 * correct / seen},
                          {"test_loss", ev.loss},
                          {"test_top1", ev.top1},
                          {"test_top5", ev.top5},
                          {"train_images", seen},
                          {"train_seconds", train_time},
                          {"img_per_s", seen / train_time},
                          {"data_wait_seconds", data_wait},  // the step waited for the loader
                          {"mac_weighted_zero_fraction_first_term", zeros}};
    st.history.push_back(rec);
    if (ev.top1 > st.best_top1) {
      st.best_top1 = ev.top1;
      st.best_epoch = st.epoch;
      if (keep_best) checkpoint(ckpt_dir / "best.pt", false);
    }
    checkpoint(last, true);
    nlohmann::json log_rec = rec;
    log_rec["event"] = "epoch";
    log_rec["sparsity"] = sp["layers"];
    progress.log(log_rec);
    ++epochs_this_call;
    char line[256];
    std::snprintf(
        line, sizeof line,
        "%s epoch %d/%d loss %.4f train %.2f%% test %.2f%% (best %.2f%% @%d) %.0f img/s (data wait "
        "%.1f s) ETA %s",
        name.c_str(), st.epoch, epochs, loss_sum / seen, 100.0 * correct / seen, ev.top1,
        st.best_top1, st.best_epoch, seen / train_time, data_wait,
        Progress::format_duration(epoch_cost.seconds_per_epoch() * (epochs - st.epoch)).c_str());
    progress.epoch_line(line);
    if (st.epoch < epochs) write_result("running");
    if (o.stop_after_epochs > 0 && epochs_this_call >= o.stop_after_epochs && st.epoch < epochs)
      return write_result("interrupted");
  }
  // A finished run keeps final.pt only (weights and quantizer state, no optimizer state): the
  // result is written first, so a crash in between leaves last.pt to resume from.
  checkpoint(ckpt_dir / "final.pt", false);
  auto res = write_result("finished");
  if (writer) {
    fs::remove(last);
    if (!keep_best) fs::remove(ckpt_dir / "best.pt");
  }
  progress.log({{"event", "finished"},
                {"epochs", st.epoch},
                {"wall_seconds_this_call", seconds_since(wall_start)}});
  return res;
}

}  // namespace tnn
