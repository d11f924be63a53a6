// The multi-threaded ImageNet loader: worker threads each build whole batches (read, decode the
// crop's window with DCT scaling, crop, resize, flip, and for CPU training normalise) into uint8
// NHWC or float buffers; at most `prefetch` finished batches wait; the consumer receives them in
// order. Every crop and flip is drawn from a generator seeded by (seed, epoch, position in the
// epoch), so the batches do not depend on the thread count or on scheduling. No LibTorch here.
#include "tnn/imagedata.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <stdexcept>

namespace tnn::imagedata {

std::vector<int64_t> epoch_order(int64_t n, uint64_t seed, int epoch) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[size_t(i)] = i;
  Rng rng(mix_seed(seed, uint64_t(epoch), 0x5eed));
  for (int64_t i = n - 1; i > 0; --i) std::swap(order[size_t(i)], order[size_t(rng.integer(0, i))]);
  return order;
}

namespace {
bool read_all(const std::string& path, std::string& bytes, std::string& error) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    error = "cannot open";
    return false;
  }
  bytes.resize(size_t(in.tellg()));
  in.seekg(0);
  if (!in.read(bytes.data(), std::streamsize(bytes.size()))) {
    error = "cannot read";
    return false;
  }
  return true;
}

// (pixel - mean) / std for one HWC uint8 image, written NHWC or NCHW: the same float operations
// as normalize_nhwc (lib/data/dataset.cpp), so both give the same values.
void normalize_image(const uint8_t* px, int s, const LoaderOptions& o, float* dst) {
  float mean[3], inv[3];
  for (int c = 0; c < 3; ++c) {
    mean[c] = float(o.mean[c]);
    inv[c] = 1.0f / float(o.std[c]);
  }
  const size_t hw = size_t(s) * s;
  if (o.channels_last) {
    for (size_t i = 0; i < hw; ++i)
      for (int c = 0; c < 3; ++c) dst[i * 3 + c] = (float(px[i * 3 + c]) - mean[c]) * inv[c];
  } else {
    for (int c = 0; c < 3; ++c)
      for (size_t i = 0; i < hw; ++i) dst[c * hw + i] = (float(px[i * 3 + c]) - mean[c]) * inv[c];
  }
}
}  // namespace

std::unique_ptr<HostBatch> BatchPool::take() {
  std::lock_guard<std::mutex> lk(m_);
  if (free_.empty()) return std::make_unique<HostBatch>();
  auto b = std::move(free_.back());
  free_.pop_back();
  return b;
}

void BatchPool::give(std::unique_ptr<HostBatch> batch) {
  std::lock_guard<std::mutex> lk(m_);
  if (batch && free_.size() < keep_) free_.push_back(std::move(batch));
}

Loader::Loader(std::shared_ptr<const FolderIndex> index, std::vector<int64_t> order,
               LoaderOptions o)
    : index_(std::move(index)), order_(std::move(order)), o_(o) {
  if (o_.batch < 1) throw std::invalid_argument("loader: batch must be >= 1");
  if (o_.crop < 1) throw std::invalid_argument("loader: crop size must be >= 1");
  num_batches_ = (int64_t(order_.size()) + o_.batch - 1) / o_.batch;
  int threads =
      o_.threads > 0 ? o_.threads : int(std::max(1u, std::thread::hardware_concurrency()));
  threads = int(std::min<int64_t>(threads, std::max<int64_t>(1, num_batches_)));
  if (o_.prefetch < 1) o_.prefetch = 1;
  pool_ = std::make_shared<BatchPool>(size_t(threads) + 2);
  for (int t = 0; t < threads; ++t) workers_.emplace_back([this] { work(); });
}

Loader::~Loader() {
  {
    std::lock_guard<std::mutex> lk(m_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& w : workers_) w.join();
}

void Loader::work() {
  Decoder dec;
  while (true) {
    int64_t b = 0;
    {
      std::unique_lock<std::mutex> lk(m_);
      // Bounded prefetch: do not run more than `prefetch` batches ahead of the consumer.
      work_cv_.wait(lk, [&] {
        return stop_ || claimed_ >= num_batches_ || claimed_ < delivered_ + o_.prefetch;
      });
      if (stop_ || claimed_ >= num_batches_) return;
      b = claimed_++;
    }
    auto out = pool_->take();
    try {
      build(b, *out, dec);
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lk(m_);
      if (failure_.empty()) failure_ = e.what();
      ready_cv_.notify_all();
      return;
    }
    {
      std::lock_guard<std::mutex> lk(m_);
      ready_[b] = std::move(out);
    }
    ready_cv_.notify_all();
  }
}

void Loader::build(int64_t b, HostBatch& out, Decoder& dec) {
  const int64_t start = b * o_.batch,
                end = std::min<int64_t>(start + o_.batch, int64_t(order_.size()));
  const int s = o_.crop;
  const size_t image_bytes = size_t(s) * s * 3;
  out.index = b;
  out.size = s;
  out.n = 0;  // the batch may come from the pool: its buffers keep their capacity, not their data
  out.bad.clear();
  out.crops.clear();
  out.flips.clear();
  if (o_.normalize) {
    out.values.resize(size_t(end - start) * image_bytes);
    out.pixels.resize(image_bytes);  // one image's scratch before normalising
  } else {
    out.pixels.resize(size_t(end - start) * image_bytes);
  }
  out.labels.clear();
  std::string bytes, error;
  Image img;
  // Exact transforms resample the full-scale pixels as PIL does: no DCT scaling.
  const bool exact = o_.train ? o_.exact_train : o_.exact_eval;
  for (int64_t pos = start; pos < end; ++pos) {
    const int64_t item = order_[size_t(pos)];
    const std::string path = index_->root + "/" + index_->files[size_t(item)];
    Rng rng(mix_seed(o_.seed, uint64_t(o_.epoch), uint64_t(pos)));
    Rect r;
    auto plan = [&](int w, int h) {
      DecodeRequest req;
      if (exact && !o_.train) {
        if (o_.window_decode) req.region = eval_source_region(w, h, o_.resize, s);
        return req;
      }
      r = o_.train
              ? random_resized_crop(w, h, o_.scale_lo, o_.scale_hi, o_.ratio_lo, o_.ratio_hi, rng)
              : resize_center_crop(w, h, o_.resize, s);
      // DCT scaling may shrink the image as long as the crop keeps >= `crop` pixels each way.
      if (o_.dct_scaling && !exact) req.min_scale = std::max(double(s) / r.w, double(s) / r.h);
      if (o_.window_decode) req.region = r;
      return req;
    };
    bool ok = read_all(path, bytes, error) && dec.decode(bytes, plan, img, error);
    if (!ok) {
      out.bad.push_back({path, error});
      continue;
    }
    if (img.fallback)
      plan(img.full_width, img.full_height);  // not probed as a JPEG: crop drawn now
    const bool flip = o_.train && o_.flip && (rng.next() >> 63) != 0;
    uint8_t* dst = out.pixels.data() + (o_.normalize ? 0 : size_t(out.n) * image_bytes);
    if (exact && o_.train)
      crop_resize_exact(img, r, s, flip, dst);
    else if (exact)
      resize_center_crop_exact(img, o_.resize, s, dst);
    else
      crop_resize(img, r, s, flip, dst);
    if (o_.train) {
      out.crops.push_back(r);
      out.flips.push_back(flip ? 1 : 0);
    }
    if (o_.normalize) normalize_image(dst, s, o_, out.values.data() + size_t(out.n) * image_bytes);
    out.labels.push_back(index_->labels[size_t(item)]);
    ++out.n;
  }
  if (o_.normalize) {
    out.values.resize(size_t(out.n) * image_bytes);
    out.pixels.clear();
  } else {
    out.pixels.resize(size_t(out.n) * image_bytes);
  }
}

bool Loader::next(HostBatch& out) {
  std::unique_lock<std::mutex> lk(m_);
  if (delivered_ >= num_batches_) return false;
  const auto t0 = std::chrono::steady_clock::now();
  ready_cv_.wait(lk, [&] { return !failure_.empty() || ready_.count(delivered_) > 0; });
  wait_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!failure_.empty()) throw std::runtime_error("image loader: " + failure_);
  auto it = ready_.find(delivered_);
  std::swap(out, *it->second);  // the caller's previous buffers are reused, not freed
  pool_->give(std::move(it->second));
  ready_.erase(it);
  ++delivered_;
  lk.unlock();
  work_cv_.notify_all();
  return true;
}

}  // namespace tnn::imagedata
