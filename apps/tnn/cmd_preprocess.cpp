// tnn preprocess: the ImageNet loader's output for the first N images of a split, as the network
// receives it (normalised float32 NCHW .npy, what `tnn forward` reads), with the files and labels
// in order. To see what training and evaluation feed the model, and to compare it with another
// pipeline (the CI test compares both transforms with torchvision's, pixel for pixel).
#include "commands.hpp"

#include "tnn/fileio.hpp"
#include "tnn/npy.hpp"

#ifdef TNN_HAVE_IMAGEDATA
#include "tnn/imagedata.hpp"
#endif

#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <numeric>
#include <set>
#include <stdexcept>

namespace tnn::cli {

void add_preprocess(CLI::App& app) {
  struct Args {
    std::string data, split = "val", out, list;
    int crop = 224, resize = 256, epoch = 0;
    int64_t limit = 64, seed = 1;
    bool fast_eval = false, exact_train = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "preprocess", "the ImageNet loader's normalised NCHW float32 batch for N images (.npy)");
  cmd->add_option("--data", a->data, "ImageFolder root with train/ and val/ ($TNN_IMAGENET_DIR)");
  cmd->add_option("--split", a->split,
                  "val (Resize + CenterCrop) or train (RandomResizedCrop + "
                  "flip, drawn from --seed and --epoch); default val")
      ->check(CLI::IsMember({"val", "train"}));
  cmd->add_option("--limit", a->limit, "images: the first N of the split's order (default 64)");
  cmd->add_option("--crop", a->crop, "output size (default 224)");
  cmd->add_option("--resize", a->resize, "val: the shorter side before the crop (default 256)");
  cmd->add_option("--seed", a->seed, "train: seed of the order, crops and flips (default 1)");
  cmd->add_option("--epoch", a->epoch, "train: epoch (default 0)");
  cmd->add_flag("--fast-eval", a->fast_eval,
                "val: OpenCV's bilinear on one region instead of torchvision's exact pixels");
  cmd->add_flag("--exact-train", a->exact_train,
                "train: the crop resized with PIL's bilinear as torchvision (data.train_resize "
                "torchvision)");
  cmd->add_option("--out", a->out, "float32 .npy [N, 3, crop, crop] to write")->required();
  cmd->add_option("--list", a->list, "also write the images' paths and labels, in order (JSON)");
  cmd->callback([a] {
#ifndef TNN_HAVE_IMAGEDATA
    throw std::runtime_error(
        "preprocess: this build has no image decoding (libjpeg / OpenCV missing at configure "
        "time)");
#else
    namespace fs = std::filesystem;
    const std::string root = imagedata::resolve_imagenet_dir(a->data);
    auto index = std::make_shared<imagedata::FolderIndex>(
        imagedata::index_folder((fs::path(root) / a->split).string()));
    const int64_t total = int64_t(index->files.size());
    std::vector<int64_t> order(size_t(total), 0);
    if (a->split == "train")
      order = imagedata::epoch_order(total, uint64_t(a->seed), a->epoch);
    else
      std::iota(order.begin(), order.end(), int64_t(0));  // eval: the folder's own order
    order.resize(size_t(std::min<int64_t>(std::max<int64_t>(a->limit, 1), total)));
    imagedata::LoaderOptions o;
    o.train = a->split == "train";
    o.crop = a->crop;
    o.resize = a->resize;
    o.exact_eval = !a->fast_eval;
    o.exact_train = a->exact_train;
    o.batch = int64_t(order.size());
    o.seed = uint64_t(a->seed);
    o.epoch = a->epoch;
    o.normalize = true;
    o.channels_last = false;  // NCHW in memory, as .npy [N, 3, H, W]
    imagedata::Loader loader(index, order, o);
    imagedata::HostBatch b;
    if (!loader.next(b)) throw std::runtime_error("preprocess: no image in " + index->root);
    for (const auto& bad : b.bad)
      std::cerr << "tnn: skipped " << bad.path << ": " << bad.error << "\n";
    NpyArray out;
    out.shape = {b.n, 3, b.size, b.size};
    out.data = std::move(b.values);
    write_npy_f32(a->out, out);
    if (!a->list.empty()) {
      // The images kept, in batch order (unreadable ones are left out of both), with each train
      // image's crop box (x, y, w, h in the file's pixels) and flip.
      nlohmann::json files = nlohmann::json::array();
      std::set<std::string> skipped;
      for (const auto& bad : b.bad) skipped.insert(bad.path);
      for (int64_t i : order) {
        const std::string path = index->root + "/" + index->files[size_t(i)];
        if (skipped.count(path) != 0) continue;
        nlohmann::json f = {{"path", path}, {"label", index->labels[size_t(i)]}};
        const size_t k = files.size();
        if (k < b.crops.size()) {
          const auto& r = b.crops[k];
          f["crop"] = {r.x, r.y, r.w, r.h};
          f["flip"] = b.flips[k] != 0;
        }
        files.push_back(f);
      }
      write_file_atomic(a->list,
                        nlohmann::json{{"split", a->split}, {"images", files}}.dump(1) + "\n");
    }
    std::cout << a->out << ": [" << b.n << ", 3, " << b.size << ", " << b.size << "] from "
              << index->root << "\n";
#endif
  });
}

}  // namespace tnn::cli
