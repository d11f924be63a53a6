// ImageNet-style image data without LibTorch: the ImageFolder index (ILSVRC-2012 layout, cached),
// JPEG decoding (libjpeg-turbo, DCT-domain scaling; OpenCV for the odd files), the train/eval
// transforms and a multi-threaded loader producing uint8 NHWC batches. Only the hand-off to the
// trainer (lib/data/imagenet.cpp) needs ATen. Built when libjpeg(-turbo) and OpenCV's imgcodecs are
// found (TNN_HAVE_IMAGEDATA); see docs/imagenet.md.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tnn::imagedata {

// ---- the folder index (lib/data/imagefolder_index.cpp) ----

// One split (train/ or val/) of an ImageFolder tree: class = sorted sub-folder name (the wnid,
// torchvision's convention), files sorted by name inside each class, walked recursively.
struct FolderIndex {
  std::string root;                  // absolute path of the split folder
  std::vector<std::string> classes;  // sorted wnids; label = position
  std::vector<std::string> files;    // paths relative to root
  std::vector<int32_t> labels;
  std::string signature;  // of the folder tree's directories (mtime + name); invalidates the cache
  bool from_cache = false;
};

// Image file extensions ImageFolder accepts (case-insensitive).
bool is_image_file(const std::string& name);

// Indexes `split_dir`, reusing `<cache_dir>/imagefolder-<md5 of the path>.tsv` when its signature
// still matches (the split folder's and every class folder's mtime: adding, removing or renaming a
// file changes them). cache_dir "" = $TNN_CACHE_DIR, else $XDG_CACHE_HOME/ternary-bench, else
// ~/.cache/ternary-bench; "-" disables the cache. Errors name the folder and what was expected.
FolderIndex index_folder(const std::string& split_dir, const std::string& cache_dir = "");

// --data flag, then $TNN_IMAGENET_DIR; the folder must hold train/ and val/ with class folders.
// Throws naming what was tried and the expected layout.
std::string resolve_imagenet_dir(const std::string& flag);

// ---- decoding (lib/data/image_decode.cpp) ----

struct Rect {
  double x = 0, y = 0, w = 0, h = 0;  // in full-size pixel coordinates
};

// What the caller needs of a file, decided once its size is known: the smallest acceptable scale
// (1 = full size) and the region it will crop (full-size pixels; w == 0: the whole image).
struct DecodeRequest {
  double min_scale = 1.0;
  Rect region;
};

// A decoded window of an image: `rgb` holds width x height pixels whose top-left is (left, top) in
// the image scaled to scaled_width x scaled_height (the file's size times the DCT scale).
struct Image {
  int width = 0, height = 0;                // the decoded window
  int left = 0, top = 0;                    // its origin in the scaled image
  int scaled_width = 0, scaled_height = 0;  // the whole image after DCT scaling
  int full_width = 0, full_height = 0;      // the file's size
  std::vector<uint8_t> rgb;                 // HWC, RGB
  bool fallback = false;  // decoded by OpenCV (PNG, CMYK, ...) rather than libjpeg-turbo
};

// One per thread (holds a libjpeg-turbo decompressor). JPEGs in YCbCr or grayscale go through
// libjpeg-turbo and only what the request needs is decoded: scaled in the DCT domain by the
// smallest of 1/2, 1/4, 1/8 that keeps min_scale, and cut to the region (widened by a 2-pixel
// margin, then to whole iMCU columns): other rows and columns are only Huffman-decoded, not
// transformed. Other files (a PNG named .JPEG, CMYK/YCCK JPEGs, ...) go through OpenCV's imdecode
// at full size. A corrupt or truncated file is an error (libjpeg warnings included), returned in
// `error`, wherever the region lies.
class Decoder {
 public:
  Decoder();
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;
  // `plan(full_width, full_height)` returns the DecodeRequest for the file.
  template <class F>
  bool decode(const std::string& bytes, F&& plan, Image& out, std::string& error) {
    int w = 0, h = 0;
    if (!read_jpeg_header(bytes, w, h)) return decode_other(bytes, out, error);
    return decode_jpeg(plan(w, h), out, error);
  }

 private:
  struct State;
  // false (and the decompressor reset): not a JPEG that libjpeg turns into RGB.
  bool read_jpeg_header(const std::string& bytes, int& w, int& h);
  bool decode_jpeg(const DecodeRequest& req, Image& out, std::string& error);
  bool decode_other(const std::string& bytes, Image& out, std::string& error);
  std::unique_ptr<State> s_;
};

// ---- transforms (lib/data/image_transforms.cpp) ----

// splitmix64: a small, portable generator, so crops are the same on every platform.
struct Rng {
  uint64_t state;
  explicit Rng(uint64_t seed) : state(seed) {}
  uint64_t next();
  double uniform(double lo, double hi);     // [lo, hi)
  int64_t integer(int64_t lo, int64_t hi);  // [lo, hi] inclusive
};
uint64_t mix_seed(uint64_t a, uint64_t b, uint64_t c = 0);

// torchvision's RandomResizedCrop.get_params: 10 tries of area ~ U(scale) * W * H and
// log-aspect ~ U(log ratio); else the central crop with the ratio clamped.
Rect random_resized_crop(int width, int height, double scale_lo, double scale_hi, double ratio_lo,
                         double ratio_hi, Rng& rng);
// Resize(shorter side -> resize) then CenterCrop(crop), as one region of the full-size image.
Rect resize_center_crop(int width, int height, int resize, int crop);

// torchvision's eval transform on a PIL image, Resize(resize) (shorter side, PIL's antialiased
// bilinear) + CenterCrop(crop), bit for bit (lib/data/image_resample_pil.cpp). `img` must be at
// full scale (no DCT scaling), whole or a window holding eval_source_region(); writes crop*crop*3
// bytes (HWC RGB) to `dst`. Throws if crop > resize (torchvision would pad).
void resize_center_crop_exact(const Image& img, int resize, int crop, uint8_t* dst);
// torchvision's F.resized_crop + hflip on a PIL image, bit for bit: the whole-pixel box `r`
// resized to out x out with PIL's bilinear, mirrored if `flip`. `img` at full scale, holding `r`.
void crop_resize_exact(const Image& img, const Rect& r, int out, bool flip, uint8_t* dst);
// The source pixels (full-size coordinates) that resize_center_crop_exact reads.
Rect eval_source_region(int width, int height, int resize, int crop);

// Crops `r` (full-size coordinates; mapped onto the decoded window) and resizes it to out x out
// (bilinear), optionally mirrored; writes out*out*3 bytes (HWC RGB) to `dst`.
void crop_resize(const Image& img, const Rect& r, int out, bool flip, uint8_t* dst);

// ---- the loader (lib/data/image_loader.cpp) ----

struct LoaderOptions {
  bool train = true;  // RandomResizedCrop + flip; else Resize + CenterCrop
  int crop = 224, resize = 256;
  double scale_lo = 0.08, scale_hi = 1.0, ratio_lo = 3.0 / 4.0, ratio_hi = 4.0 / 3.0;
  bool flip = true;
  bool dct_scaling = true;    // decode at a reduced size when the crop is much larger than `crop`
  bool window_decode = true;  // decode only the crop's window (else the whole image, then crop)
  // Eval: torchvision's Resize + CenterCrop bit for bit (no DCT scaling; PIL's resampling), else
  // one region resized by OpenCV's bilinear (faster, within a few levels of torchvision's).
  bool exact_eval = true;
  // Train: the random crop resized by PIL's bilinear as torchvision does (no DCT scaling; slower),
  // else DCT scaling + OpenCV's bilinear.
  bool exact_train = false;
  // CPU training: the workers also normalise, (pixel - mean) / std as float in one pass per image
  // (HostBatch::values, NHWC or NCHW); otherwise the batch stays uint8 and the device normalises
  // (a GPU: 4x less to copy). mean and std on the 0-255 scale, torchvision's ImageNet values
  // (the same as kImageNetMean / kImageNetStd of tnn/dataset.hpp: a test checks it).
  bool normalize = false;
  bool channels_last = true;  // layout of the normalised values: NHWC in memory, else NCHW
  double mean[3] = {0.485 * 255, 0.456 * 255, 0.406 * 255};
  double std[3] = {0.229 * 255, 0.224 * 255, 0.225 * 255};
  int threads = 0;   // 0: hardware threads
  int prefetch = 4;  // ready batches kept ahead of the consumer
  int64_t batch = 256;
  uint64_t seed = 1;  // with the epoch, determines every crop and flip
  int epoch = 0;
};

struct BadFile {
  std::string path, error;
};

// A batch of decoded, cropped images: pixels [n, crop, crop, 3] uint8 (NHWC), or with
// LoaderOptions::normalize the normalised `values` instead (pixels then empty), labels [n].
// Unreadable files are left out (n < requested) and listed in `bad`.
struct HostBatch {
  int64_t index = 0;
  int64_t n = 0;
  int size = 0;
  std::vector<uint8_t> pixels;
  std::vector<float> values;  // [n, crop, crop, 3] if channels_last, else [n, 3, crop, crop]
  std::vector<int64_t> labels;
  std::vector<BadFile> bad;
  std::vector<Rect> crops;     // train: each image's crop box (full-size pixels), in batch order
  std::vector<uint8_t> flips;  // train: 1 where the image was mirrored
};

// Batches whose buffers are kept for reuse: a batch is 10-40 MB, above glibc's mmap threshold, so
// a fresh one is mapped and zeroed page by page every time (about 15 % of the loader's time).
// Shared between a loader and whoever still holds its batches (thread-safe).
class BatchPool {
 public:
  explicit BatchPool(size_t keep) : keep_(keep) {}
  std::unique_ptr<HostBatch> take();  // a kept batch (its buffers' capacity intact) or new
  void give(std::unique_ptr<HostBatch> batch);  // kept while fewer than `keep` are, else freed

 private:
  std::mutex m_;
  std::vector<std::unique_ptr<HostBatch>> free_;
  size_t keep_;
};

// The permutation of an epoch: a pure function of (seed, epoch), Fisher-Yates on Rng.
std::vector<int64_t> epoch_order(int64_t n, uint64_t seed, int epoch);

// Worker threads build whole batches of `order` (indices into the index); at most `prefetch`
// batches wait ready; next() hands them out in order. The result does not depend on the number of
// threads (each image's crop and flip come from (seed, epoch, position)).
class Loader {
 public:
  Loader(std::shared_ptr<const FolderIndex> index, std::vector<int64_t> order, LoaderOptions o);
  ~Loader();
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;
  // Blocks until the next batch is ready; false after the last one. `out`'s previous buffers go
  // to the pool for reuse.
  bool next(HostBatch& out);
  // Where next()'s callers may return batches they take from it (see imagenet.cpp).
  const std::shared_ptr<BatchPool>& pool() const { return pool_; }
  int64_t batches() const { return num_batches_; }
  double wait_seconds() const { return wait_seconds_; }  // time next() spent blocked

 private:
  void work();
  void build(int64_t b, HostBatch& out, Decoder& dec);

  std::shared_ptr<const FolderIndex> index_;
  std::vector<int64_t> order_;
  LoaderOptions o_;
  int64_t num_batches_ = 0;
  std::mutex m_;
  std::condition_variable work_cv_, ready_cv_;
  int64_t claimed_ = 0, delivered_ = 0;
  std::map<int64_t, std::unique_ptr<HostBatch>> ready_;
  std::string failure_;  // an exception in a worker, rethrown by next()
  bool stop_ = false;
  double wait_seconds_ = 0;
  std::shared_ptr<BatchPool> pool_;
  std::vector<std::thread> workers_;
};

}  // namespace tnn::imagedata
