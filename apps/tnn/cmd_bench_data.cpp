// tnn bench-data: images/s of the ImageNet loader as CPU training uses it (read + decode of the
// crop's window + RandomResizedCrop + flip + normalisation to float, all in the loader's threads)
// over DIR/train, and in the same
// run the torchvision peer (ci/bench_data_torchvision.py: a PyTorch DataLoader over ImageFolder
// with the same transforms and as many worker processes as we use threads), alternated round by
// round; the medians and their ratio are printed.
#include "commands.hpp"

#include "tnn/fileio.hpp"
#include "tnn/kernels/machine.hpp"
#include "tnn/runtime.hpp"

#ifdef TNN_HAVE_IMAGEDATA
#include "tnn/imagedata.hpp"
#endif

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <thread>

namespace tnn::cli {

namespace {
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

// Runs the peer script; returns its img/s (its last line reads "<N> img/s").
double run_peer(const std::string& cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  if (!p) throw std::runtime_error("cannot run " + cmd);
  std::array<char, 512> buf{};
  std::string last;
  while (std::fgets(buf.data(), buf.size(), p.get()) != nullptr) last = buf.data();
  double v = 0;
  if (std::sscanf(last.c_str(), "%lf img/s", &v) != 1)
    throw std::runtime_error("torchvision peer failed (" + cmd + "); last line: " + last +
                             " (is python3-torchvision installed? ci/install-deps.sh)");
  return v;
}
}  // namespace

void add_bench_data(CLI::App& app) {
  struct Args {
    std::string data, out, python = "/usr/bin/python3";
    int threads = 0, batch = 64, crop = 224, rounds = 3;
    int64_t images = 1024;
    bool peer = true, whole_decode = false, exact_train = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("bench-data",
                                 "ImageNet loader images/s vs a torchvision DataLoader, same run");
  cmd->add_option("--data", a->data, "ImageFolder root with train/ (default $TNN_IMAGENET_DIR)");
  cmd->add_option("--threads", a->threads,
                  "loader threads = peer worker processes (default: all cores)");
  cmd->add_option("--batch", a->batch, "batch size (default 64)");
  cmd->add_option("--crop", a->crop, "RandomResizedCrop size (default 224)");
  cmd->add_option("--images", a->images, "images per round (default 1024, at most the folder's)");
  cmd->add_option("--rounds", a->rounds, "alternating rounds; medians are reported (default 3)");
  cmd->add_flag("!--no-peer", a->peer, "skip the torchvision peer");
  cmd->add_flag("--exact-train", a->exact_train,
                "resize the crops with PIL's bilinear as torchvision (data.train_resize "
                "torchvision)");
  cmd->add_flag("--whole-decode", a->whole_decode,
                "decode whole images, then crop (the loader's window decoding off)");
  cmd->add_option("--python", a->python,
                  "Python with torchvision for the peer (default /usr/bin/python3)");
  cmd->add_option("--out", a->out, "write the measurements as JSON here");
  cmd->callback([a] {
#ifndef TNN_HAVE_IMAGEDATA
    throw std::runtime_error(
        "bench-data: this build has no image decoding (libjpeg / OpenCV missing at configure "
        "time)");
#else
    namespace fs = std::filesystem;
    using Clock = std::chrono::steady_clock;
    const std::string root = imagedata::resolve_imagenet_dir(a->data);
    auto index = std::make_shared<imagedata::FolderIndex>(
        imagedata::index_folder((fs::path(root) / "train").string()));
    const int64_t n = std::min<int64_t>(a->images, int64_t(index->files.size()));
    const int threads =
        a->threads > 0 ? a->threads : int(std::max(1u, std::thread::hardware_concurrency()));
    std::string peer_cmd =
        a->python + " '" + std::string(TNN_SOURCE_DIR) + "/ci/bench_data_torchvision.py' --data '" +
        root + "' --workers " + std::to_string(threads) + " --batch " + std::to_string(a->batch) +
        " --crop " + std::to_string(a->crop) + " --images " + std::to_string(n) + " 2>&1";
    // The files' mean size says how the folder compares with ImageNet's (about 110 KB a JPEG):
    // Huffman decoding, which no crop avoids, grows with it.
    double bytes = 0;
    auto first_round = imagedata::epoch_order(int64_t(index->files.size()), 1, 0);
    first_round.resize(size_t(n));
    for (int64_t i : first_round)
      bytes += double(fs::file_size(fs::path(index->root) / index->files[size_t(i)]));
    const double mean_kb = bytes / double(std::max<int64_t>(n, 1)) / 1024.0;
    std::vector<double> ours, peer, wait;
    for (int r = 0; r < a->rounds; ++r) {
      imagedata::LoaderOptions o;
      o.crop = a->crop;
      o.batch = a->batch;
      o.threads = threads;
      o.seed = 1;
      o.epoch = r;
      o.window_decode = !a->whole_decode;
      o.exact_train = a->exact_train;
      o.normalize = true;  // as CPU training (lib/data/imagenet.cpp) and the peer's workers do
      auto order = imagedata::epoch_order(int64_t(index->files.size()), 1, r);
      order.resize(size_t(n));
      const auto t0 = Clock::now();
      int64_t seen = 0;
      {
        imagedata::Loader loader(index, order, o);
        imagedata::HostBatch hb;
        while (loader.next(hb)) seen += hb.n;
        wait.push_back(loader.wait_seconds());
      }
      ours.push_back(double(seen) / std::chrono::duration<double>(Clock::now() - t0).count());
      std::printf("round %d: tnn %.1f img/s", r + 1, ours.back());
      if (a->peer) {
        peer.push_back(run_peer(peer_cmd));
        std::printf(", torchvision %.1f img/s", peer.back());
      }
      std::printf("\n");
      std::fflush(stdout);
    }
    const double m = median(ours);
    nlohmann::json out = {{"data", root},
                          {"images_per_round", n},
                          {"mean_file_kb", mean_kb},
                          {"batch", a->batch},
                          {"crop", a->crop},
                          {"threads", threads},
                          {"rounds", a->rounds},
                          {"window_decode", !a->whole_decode},
                          {"train_resize", a->exact_train ? "torchvision" : "fast"},
                          {"machine", kernels::machine_slug()},
                          {"tnn_img_per_s", ours},
                          {"tnn_img_per_s_median", m},
                          {"environment", environment_info()}};
    std::printf("%.1f img/s\n", m);
    if (a->peer) {
      const double pm = median(peer);
      std::printf(
          "torchvision ImageFolder + DataLoader (%d workers): %.1f img/s\nratio tnn / torchvision: "
          "%.2fx\n",
          threads, pm, m / pm);
      out["torchvision_img_per_s"] = peer;
      out["torchvision_img_per_s_median"] = pm;
      out["ratio_to_torchvision"] = m / pm;
      out["peer_command"] = peer_cmd;
    }
    if (!a->out.empty()) write_file_atomic(a->out, out.dump(2) + "\n");
#endif
  });
}

}  // namespace tnn::cli
