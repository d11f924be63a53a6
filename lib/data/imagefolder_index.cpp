// The ImageFolder index of one split (train/ or val/): sorted class folders (wnids), image files
// sorted by name inside each, walked recursively, as torchvision's ImageFolder does, so labels
// (and pretrained models' outputs) line up. Walking 1.28 M files takes minutes on a network disk,
// so the index is cached and reused while the folders' mtimes are unchanged. No LibTorch here.
#include "tnn/imagedata.hpp"

#include <sys/stat.h>

#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tnn::imagedata {
namespace fs = std::filesystem;

namespace {

const char* kLayout =
    "expected the ILSVRC-2012 ImageFolder layout DIR/train/<wnid>/*.JPEG and DIR/val/<wnid>/*.JPEG "
    "(validation images sorted into class folders, as torchvision's ImageFolder expects)";

uint64_t fnv1a(const std::string& s, uint64_t h = 1469598103934665603ULL) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}
std::string hex(uint64_t v) {
  char b[17];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v));
  return b;
}

int64_t mtime_ns(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return -1;
  return int64_t(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

std::vector<std::string> class_folders(const fs::path& split) {
  std::vector<std::string> classes;
  std::vector<std::string> loose_images;
  for (const auto& e :
       fs::directory_iterator(split, fs::directory_options::follow_directory_symlink)) {
    if (e.is_directory())
      classes.push_back(e.path().filename().string());
    else if (is_image_file(e.path().filename().string()))
      loose_images.push_back(e.path().filename().string());
  }
  if (!loose_images.empty())
    throw std::runtime_error(split.string() + ": holds " + std::to_string(loose_images.size()) +
                             " image files directly (e.g. " + loose_images.front() +
                             "): " + kLayout + "; sort them into class folders first");
  if (classes.empty()) throw std::runtime_error(split.string() + ": no class folders; " + kLayout);
  std::sort(classes.begin(), classes.end());
  return classes;
}

// The folder tree's fingerprint: each class folder's name and mtime (and the split folder's).
std::string signature_of(const fs::path& split, const std::vector<std::string>& classes) {
  std::ostringstream s;
  s << mtime_ns(split);
  for (const auto& c : classes) s << '\n' << c << ' ' << mtime_ns(split / c);
  return hex(fnv1a(s.str())) + "-" + std::to_string(classes.size());
}

fs::path default_cache_dir() {
  if (const char* d = std::getenv("TNN_CACHE_DIR"); d != nullptr && *d) return d;
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d != nullptr && *d)
    return fs::path(d) / "ternary-bench";
  if (const char* d = std::getenv("HOME"); d != nullptr && *d)
    return fs::path(d) / ".cache" / "ternary-bench";
  return fs::temp_directory_path() / "ternary-bench-cache";
}

// Cache file: "tnn imagefolder index v1\t<signature>\t<classes>\t<files>", the class names one per
// line, then "label\trelative path" per file.
bool read_cache(const fs::path& file, const std::string& signature, FolderIndex& idx) {
  std::ifstream in(file);
  if (!in) return false;
  std::string line;
  if (!std::getline(in, line)) return false;
  std::istringstream head(line);
  std::string magic1, sig;
  size_t n_classes = 0, n_files = 0;
  std::getline(head, magic1, '\t');
  head >> sig >> n_classes >> n_files;
  if (magic1 != "tnn imagefolder index v1" || sig != signature) return false;
  idx.classes.clear();
  for (size_t i = 0; i < n_classes && std::getline(in, line); ++i) idx.classes.push_back(line);
  idx.files.reserve(n_files);
  idx.labels.reserve(n_files);
  while (std::getline(in, line)) {
    auto tab = line.find('\t');
    if (tab == std::string::npos) return false;
    idx.labels.push_back(int32_t(std::atoi(line.substr(0, tab).c_str())));
    idx.files.push_back(line.substr(tab + 1));
  }
  return idx.classes.size() == n_classes && idx.files.size() == n_files;
}

void write_cache(const fs::path& file, const FolderIndex& idx) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  fs::path tmp = file.string() + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp);
    if (!out) return;  // a read-only cache place only costs the walk next time
    out << "tnn imagefolder index v1\t" << idx.signature << '\t' << idx.classes.size() << '\t'
        << idx.files.size() << '\n';
    for (const auto& c : idx.classes) out << c << '\n';
    for (size_t i = 0; i < idx.files.size(); ++i)
      out << idx.labels[i] << '\t' << idx.files[i] << '\n';
    if (!out) {
      fs::remove(tmp, ec);
      return;
    }
  }
  fs::rename(tmp, file, ec);
  if (ec) fs::remove(tmp, ec);
}

}  // namespace

bool is_image_file(const std::string& name) {
  auto dot = name.rfind('.');
  if (dot == std::string::npos) return false;
  std::string ext = name.substr(dot + 1);
  for (auto& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
  for (const char* e : {"jpg", "jpeg", "png", "ppm", "bmp", "pgm", "tif", "tiff", "webp"})
    if (ext == e) return true;
  return false;
}

FolderIndex index_folder(const std::string& split_dir, const std::string& cache_dir) {
  fs::path split = fs::absolute(split_dir).lexically_normal();
  if (!fs::is_directory(split))
    throw std::runtime_error(split.string() + ": not a folder; " + kLayout);
  FolderIndex idx;
  idx.root = split.string();
  auto classes = class_folders(split);
  idx.signature = signature_of(split, classes);
  fs::path cache;
  if (cache_dir != "-") {
    fs::path dir = cache_dir.empty() ? default_cache_dir() : fs::path(cache_dir);
    cache = dir / ("imagefolder-" + hex(fnv1a(idx.root)) + ".tsv");
    if (read_cache(cache, idx.signature, idx) && idx.classes == classes) {
      idx.from_cache = true;
      return idx;
    }
  }
  idx.classes = classes;
  idx.files.clear();
  idx.labels.clear();
  for (size_t c = 0; c < classes.size(); ++c) {
    std::vector<std::string> files;
    fs::path cdir = split / classes[c];
    for (const auto& e :
         fs::recursive_directory_iterator(cdir, fs::directory_options::follow_directory_symlink))
      if (!e.is_directory() && is_image_file(e.path().filename().string()))
        files.push_back(e.path().lexically_relative(split).generic_string());
    if (files.empty())
      throw std::runtime_error(cdir.string() +
                               ": class folder without image files (.JPEG, .jpg, .png, ...); " +
                               kLayout);
    std::sort(files.begin(), files.end());
    for (auto& f : files) {
      idx.files.push_back(std::move(f));
      idx.labels.push_back(int32_t(c));
    }
  }
  if (!cache.empty()) write_cache(cache, idx);
  return idx;
}

std::string resolve_imagenet_dir(const std::string& flag) {
  auto check = [](const std::string& d, const std::string& from) {
    fs::path p(d);
    if (!fs::is_directory(p)) throw std::runtime_error(from + d + ": not a folder; " + kLayout);
    for (const char* split : {"train", "val"})
      if (!fs::is_directory(p / split))
        throw std::runtime_error(from + d + ": no " + split + "/ folder; " + kLayout);
    return d;
  };
  if (!flag.empty()) return check(flag, "--data ");
  const char* env = std::getenv("TNN_IMAGENET_DIR");
  if (env != nullptr && *env) return check(env, "TNN_IMAGENET_DIR=");
  throw std::runtime_error(
      std::string("ImageNet not found: give --data DIR or set TNN_IMAGENET_DIR; ") + kLayout);
}

}  // namespace tnn::imagedata
