// The ImageNet data path without LibTorch, on the JPEG test folder of ci/make-imagefolder.py:
// folder index (sorted wnids, cache and its invalidation, layout errors), decoding (libjpeg-turbo
// with DCT scaling and window decoding, equal to a whole decode; grayscale, CMYK, PNG named .JPEG
// through the fallback; truncated and non-image files as named errors), transforms and the loader
// (deterministic, independent of the thread count, normalising exactly).
#include <catch2/catch.hpp>

#include "imagefolder.hpp"
#include "tnn/imagedata.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <thread>

using namespace tnn::imagedata;
using Catch::Contains;
namespace fs = std::filesystem;
namespace test = tnn::test;

namespace {
Image decode_file(const std::string& rel, double min_scale = 1.0, Rect region = {}) {
  Decoder d;
  Image img;
  std::string error;
  auto bytes = test::slurp(test::imagefolder() + "/" + rel);
  REQUIRE(d.decode(
      bytes,
      [&](int, int) {
        return DecodeRequest{min_scale, region};
      },
      img, error));
  return img;
}
std::vector<int64_t> every_item(size_t n) {  // 0, 1, ..., n-1: the folder's own order
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), int64_t(0));
  return order;
}
double mean_abs_channel_spread(const Image& img) {  // |R-G| + |G-B| averaged: 0 for gray
  double s = 0;
  for (size_t i = 0; i < img.rgb.size(); i += 3)
    s += std::abs(img.rgb[i] - img.rgb[i + 1]) + std::abs(img.rgb[i + 1] - img.rgb[i + 2]);
  return s / double(img.rgb.size() / 3);
}
}  // namespace

TEST_CASE("imagefolder: classes are the sorted wnids, files sorted, labels follow", "[imagedata]") {
  auto meta = test::imagefolder_meta();
  auto idx = index_folder(test::imagefolder() + "/train", "-");
  REQUIRE(idx.classes.size() == 10);
  CHECK(std::is_sorted(idx.classes.begin(), idx.classes.end()));
  CHECK(idx.classes.front() == "n01004242");  // CIFAR "truck": label 0 here, 9 in CIFAR-10
  CHECK(meta["classes"][idx.classes.front()] == "truck");
  CHECK(idx.files.size() == 80 + 5);  // 8 per class + the odd and unreadable files
  for (size_t i = 0; i < idx.files.size(); ++i) {
    INFO(idx.files[i]);
    CHECK(idx.files[i].rfind(idx.classes[size_t(idx.labels[i])] + "/", 0) == 0);
    if (i > 0 && idx.labels[i] == idx.labels[i - 1]) CHECK(idx.files[i - 1] < idx.files[i]);
  }
  CHECK(!idx.from_cache);
}

TEST_CASE("imagefolder: the index is cached and rebuilt when the tree changes", "[imagedata]") {
  auto tree = test::copy_of_imagefolder("idxcache");
  auto cache = tree.parent_path() / "cache";
  auto a = index_folder((tree / "train").string(), cache.string());
  CHECK(!a.from_cache);
  auto b = index_folder((tree / "train").string(), cache.string());
  CHECK(b.from_cache);
  CHECK(b.files == a.files);
  CHECK(b.labels == a.labels);
  // A new file in a class folder changes that folder's mtime: the cache is not used.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  fs::copy_file(tree / "train" / a.files[0], tree / "train" / a.classes[3] / "zz_new.JPEG");
  auto c = index_folder((tree / "train").string(), cache.string());
  CHECK(!c.from_cache);
  CHECK(c.files.size() == a.files.size() + 1);
  auto d = index_folder((tree / "train").string(), cache.string());
  CHECK(d.from_cache);
  CHECK(d.files == c.files);
  // A removed file likewise.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  fs::remove(tree / "train" / a.classes[3] / "zz_new.JPEG");
  auto e = index_folder((tree / "train").string(), cache.string());
  CHECK(!e.from_cache);
  CHECK(e.files == a.files);
}

TEST_CASE("imagefolder: a malformed tree is an error naming what was expected", "[imagedata]") {
  auto root = test::fresh_temp_dir("badtree");
  CHECK_THROWS_WITH(resolve_imagenet_dir((root / "nope").string()),
                    Contains("nope") && Contains("not a folder"));
  fs::create_directories(root / "train" / "n01");
  CHECK_THROWS_WITH(resolve_imagenet_dir(root.string()),
                    Contains("no val/ folder") && Contains("train/<wnid>/*.JPEG"));
  fs::create_directories(root / "val");
  // ILSVRC-2012 val as distributed: 50,000 files in one folder, not sorted into classes.
  std::ofstream(root / "val" / "ILSVRC2012_val_00000001.JPEG") << "x";
  CHECK_THROWS_WITH(index_folder((root / "val").string(), "-"),
                    Contains("image files directly") && Contains("class folders"));
  // A class folder with no image.
  CHECK_THROWS_WITH(index_folder((root / "train").string(), "-"),
                    Contains("n01") && Contains("without image files"));
  // No class folders at all.
  fs::create_directories(root / "empty");
  CHECK_THROWS_WITH(index_folder((root / "empty").string(), "-"), Contains("no class folders"));
  CHECK_THROWS_WITH(resolve_imagenet_dir(""), Contains("TNN_IMAGENET_DIR") || Contains("--data"));
}

TEST_CASE("decode: an ordinary JPEG through libjpeg-turbo, DCT-scaled when allowed",
          "[imagedata]") {
  auto idx = index_folder(test::imagefolder() + "/train", "-");
  const std::string rel = "train/" + idx.files[0];
  Image full = decode_file(rel, 1.0);
  CHECK(!full.fallback);
  CHECK(full.width == full.full_width);
  CHECK(full.rgb.size() == size_t(full.width) * full.height * 3);
  Image half = decode_file(rel, 0.5);
  CHECK(half.width == (full.width + 1) / 2);
  CHECK(half.height == (full.height + 1) / 2);
  Image eighth = decode_file(rel, 0.01);
  CHECK(eighth.width == (full.width + 7) / 8);
  // The scaled decode is the same picture: compare with a box-downscaled full decode.
  double diff = 0;
  int n = 0;
  for (int y = 0; y + 1 < half.height && 2 * y + 1 < full.height; y += 7)
    for (int x = 0; x + 1 < half.width && 2 * x + 1 < full.width; x += 7)
      for (int c = 0; c < 3; ++c) {
        double box = 0;
        for (int dy = 0; dy < 2; ++dy)
          for (int dx = 0; dx < 2; ++dx)
            box += full.rgb[(size_t(2 * y + dy) * full.width + 2 * x + dx) * 3 + c];
        diff += std::abs(box / 4 - half.rgb[(size_t(y) * half.width + x) * 3 + c]);
        ++n;
      }
  CHECK(diff / n < 8.0);
}

TEST_CASE("decode: a window decode crops exactly as a whole decode, at every DCT scale",
          "[imagedata]") {
  // Random crops of several files and of every JPEG encoding (progressive, 4:2:0 / 4:2:2 / 4:4:4,
  // grayscale): the crop taken from the decoded window must equal, byte for byte, the crop taken
  // from the whole image decoded at the same scale.
  auto idx = index_folder(test::imagefolder() + "/train", "-");
  std::vector<std::string> files;
  for (size_t f = 0; f < idx.files.size() && f < 12; ++f) files.push_back("train/" + idx.files[f]);
  const auto variants = test::imagefolder_meta()["jpeg_variants"];
  REQUIRE(variants.size() == 5);
  for (const auto& v : variants) files.push_back(v.get<std::string>());
  Rng rng(11);
  int compared = 0, windows = 0;
  for (const std::string& rel : files) {
    Image probe = decode_file(rel, 1.0);
    if (probe.fallback) continue;  // the odd files have no window decoding
    for (int t = 0; t < 8; ++t) {
      INFO(rel << " try " << t);
      Rect r =
          random_resized_crop(probe.full_width, probe.full_height, 0.08, 1.0, 0.75, 4.0 / 3.0, rng);
      const int out = 24 + int(rng.integer(0, 40));
      const double min_scale = std::max(out / r.w, out / r.h);
      Image whole = decode_file(rel, min_scale), window = decode_file(rel, min_scale, r);
      REQUIRE(window.scaled_width == whole.width);
      REQUIRE(window.scaled_height == whole.height);
      CHECK(window.left + window.width <= whole.width);
      CHECK(window.top + window.height <= whole.height);
      windows += window.width < whole.width || window.height < whole.height;
      std::vector<uint8_t> a(size_t(out) * out * 3), b(a.size());
      crop_resize(whole, r, out, t % 2 == 1, a.data());
      crop_resize(window, r, out, t % 2 == 1, b.data());
      CHECK(a == b);
      ++compared;
    }
  }
  CHECK(compared >= 80);
  CHECK(windows >= compared / 2);  // most crops really decoded less than the whole image
}

TEST_CASE(
    "decode: grayscale, CMYK and a PNG named .JPEG decode - truncated and non-images are named "
    "errors",
    "[imagedata]") {
  auto odd = test::imagefolder_meta()["odd_files"];
  Image gray = decode_file(odd["grayscale"]["path"]);
  CHECK(mean_abs_channel_spread(gray) == 0.0);  // R = G = B
  CHECK(gray.width >= 160);
  Image cmyk = decode_file(odd["cmyk"]["path"]);
  CHECK(cmyk.fallback);
  CHECK(mean_abs_channel_spread(cmyk) > 1.0);  // colour survived the CMYK round trip
  Image png = decode_file(odd["png_named_jpeg"]["path"]);
  CHECK(png.fallback);
  CHECK(png.width >= 160);
  for (const char* bad : {"truncated", "not_an_image"}) {
    INFO(bad);
    Decoder d;
    Image img;
    std::string error;
    auto bytes = test::slurp(test::imagefolder() + "/" + odd[bad]["path"].get<std::string>());
    CHECK(!d.decode(
        bytes, [](int, int) { return DecodeRequest{}; }, img, error));
    CHECK(!error.empty());
    // A window far above the damage: still an error (the tail is read to the end).
    std::string window_error;
    CHECK(!d.decode(
        bytes,
        [](int w, int h) {
          return DecodeRequest{1.0, Rect{0, 0, 0.3 * w, 0.2 * h}};
        },
        img, window_error));
    CHECK(window_error == error);
  }
}

TEST_CASE("transforms: RandomResizedCrop stays inside the image with area and ratio in range",
          "[imagedata]") {
  Rng rng(7);
  int fallbacks = 0;
  for (int i = 0; i < 2000; ++i) {
    int w = 50 + int(rng.integer(0, 450)), h = 50 + int(rng.integer(0, 450));
    Rect r = random_resized_crop(w, h, 0.08, 1.0, 0.75, 4.0 / 3.0, rng);
    REQUIRE(r.x >= 0);
    REQUIRE(r.y >= 0);
    REQUIRE(r.x + r.w <= w);
    REQUIRE(r.y + r.h <= h);
    double area = r.w * r.h / (double(w) * h), ratio = r.w / r.h;
    if (area > 0.999 || ratio < 0.74 || ratio > 1.34)
      ++fallbacks;
    else
      CHECK(area >= 0.07);
  }
  CHECK(fallbacks < 200);  // the central-crop fallback is rare
  Rect c = resize_center_crop(500, 375, 256, 224);
  CHECK(c.w == Approx(224.0 * 375 / 256));
  CHECK(c.x == Approx((500 - c.w) / 2));
}

TEST_CASE("loader: batches are a pure function of (seed, epoch), whatever the thread count",
          "[imagedata]") {
  auto idx = std::make_shared<FolderIndex>(index_folder(test::imagefolder() + "/val", "-"));
  auto run = [&](int threads, int epoch, bool train) {
    LoaderOptions o;
    o.train = train;
    o.crop = 48;
    o.resize = 56;
    o.batch = 7;
    o.threads = threads;
    o.prefetch = 2;
    o.seed = 5;
    o.epoch = epoch;
    auto order = every_item(idx->files.size());
    if (train) order = epoch_order(int64_t(idx->files.size()), 5, epoch);
    Loader l(idx, order, o);
    std::vector<uint8_t> all;
    std::vector<int64_t> labels;
    HostBatch b;
    int batches = 0;
    while (l.next(b)) {
      CHECK(b.size == 48);
      CHECK(b.pixels.size() == size_t(b.n) * 48 * 48 * 3);
      all.insert(all.end(), b.pixels.begin(), b.pixels.end());
      labels.insert(labels.end(), b.labels.begin(), b.labels.end());
      ++batches;
    }
    CHECK(batches == int((idx->files.size() + 6) / 7));
    return std::make_pair(all, labels);
  };
  auto a = run(1, 0, true), b = run(3, 0, true), c = run(2, 1, true);
  CHECK(a.first == b.first);
  CHECK(a.second == b.second);
  CHECK(a.first != c.first);  // another epoch: other order and crops
  CHECK(a.second.size() == idx->files.size());
  CHECK(run(1, 0, false).first ==
        run(2, 3, false).first);  // eval: no randomness, whatever the epoch
  auto order = epoch_order(100, 1, 0);
  std::sort(order.begin(), order.end());
  for (int64_t i = 0; i < 100; ++i) CHECK(order[size_t(i)] == i);
}

TEST_CASE("loader: unreadable files are left out and named - the readable odd files are loaded",
          "[imagedata]") {
  auto meta = test::imagefolder_meta();
  auto idx = std::make_shared<FolderIndex>(index_folder(test::imagefolder() + "/train", "-"));
  LoaderOptions o;
  o.crop = 32;
  o.batch = 16;
  o.threads = 2;
  const auto order = every_item(idx->files.size());
  Loader l(idx, order, o);
  HostBatch b;
  int64_t images = 0;
  std::vector<std::string> bad;
  while (l.next(b)) {
    images += b.n;
    for (const auto& f : b.bad) bad.push_back(f.path + ": " + f.error);
  }
  REQUIRE(bad.size() == 2);
  CHECK(images == int64_t(idx->files.size()) - 2);
  std::sort(bad.begin(), bad.end());
  std::string all = bad[0] + "\n" + bad[1];
  for (const auto& u : meta["unreadable"]) CHECK_THAT(all, Contains(u.get<std::string>()));
  CHECK_THAT(all, Contains("truncated") || Contains("corrupt"));
  CHECK(l.wait_seconds() >= 0.0);
}

TEST_CASE("loader: normalising in the workers gives (pixel - mean) / std of the uint8 batches",
          "[imagedata]") {
  auto idx = std::make_shared<FolderIndex>(index_folder(test::imagefolder() + "/val", "-"));
  const auto order = every_item(idx->files.size());
  auto first_batch = [&](bool normalize, bool channels_last) {
    LoaderOptions o;
    o.train = true;
    o.crop = 40;
    o.batch = 5;
    o.threads = 2;
    o.normalize = normalize;
    o.channels_last = channels_last;
    Loader l(idx, order, o);
    HostBatch b;
    REQUIRE(l.next(b));
    return b;
  };
  const HostBatch u8 = first_batch(false, true), nhwc = first_batch(true, true),
                  nchw = first_batch(true, false);
  const LoaderOptions o;
  const size_t hw = 40 * 40, n = size_t(u8.n);
  REQUIRE(n > 0);
  REQUIRE(nhwc.values.size() == n * hw * 3);
  REQUIRE(nchw.values.size() == n * hw * 3);
  CHECK(nhwc.pixels.empty());
  size_t mismatches = 0;
  for (size_t k = 0; k < n; ++k)
    for (size_t i = 0; i < hw; ++i)
      for (int c = 0; c < 3; ++c) {
        const float want =
            (float(u8.pixels[(k * hw + i) * 3 + c]) - float(o.mean[c])) * (1.0f / float(o.std[c]));
        mismatches += nhwc.values[(k * hw + i) * 3 + c] != want;
        mismatches += nchw.values[(k * 3 + size_t(c)) * hw + i] != want;
      }
  CHECK(mismatches == 0);
  CHECK(nhwc.labels == u8.labels);
}
