#include "tnn/npy.hpp"

#include "tnn/fileio.hpp"

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tnn {
namespace {

constexpr char kMagic[] = "\x93NUMPY";

std::runtime_error npy_error(const std::string& path, const std::string& what) {
  return std::runtime_error(path + ": " + what);
}

// Value of key `key` in the header dict, e.g. 'descr': '<f4' -> <f4 (with quotes stripped).
std::string header_value(const std::string& header, const std::string& key,
                         const std::string& path) {
  auto k = header.find("'" + key + "'");
  if (k == std::string::npos)
    throw npy_error(path, "not a valid .npy header: no '" + key + "' key");
  auto colon = header.find(':', k);
  auto start = header.find_first_not_of(" ", colon + 1);
  if (header[start] == '(') return header.substr(start, header.find(')', start) - start + 1);
  auto end = header.find_first_of(",}", start);
  auto v = header.substr(start, end - start);
  while (!v.empty() && (v.back() == ' ')) v.pop_back();
  if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'') v = v.substr(1, v.size() - 2);
  return v;
}

}  // namespace

int64_t NpyArray::numel() const {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

NpyArray read_npy_f32(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw npy_error(path, "cannot open file (does it exist?)");
  char magic[6] = {};
  in.read(magic, 6);
  if (!in || std::memcmp(magic, kMagic, 6) != 0)
    throw npy_error(path, "not a .npy file (missing the \\x93NUMPY magic)");
  unsigned char version[2];
  in.read(reinterpret_cast<char*>(version), 2);
  uint32_t header_len = 0;
  if (version[0] == 1) {
    unsigned char b[2];
    in.read(reinterpret_cast<char*>(b), 2);
    header_len = b[0] | (b[1] << 8);
  } else if (version[0] == 2 || version[0] == 3) {
    unsigned char b[4];
    in.read(reinterpret_cast<char*>(b), 4);
    header_len = b[0] | (b[1] << 8) | (b[2] << 16) | (uint32_t(b[3]) << 24);
  } else {
    throw npy_error(path, "unsupported .npy version " + std::to_string(version[0]));
  }
  std::string header(header_len, '\0');
  in.read(header.data(), header_len);
  if (!in) throw npy_error(path, "truncated .npy header");

  std::string descr = header_value(header, "descr", path);
  if (descr != "<f4" && descr != "=f4")
    throw npy_error(path, "expected dtype float32 ('<f4'), got '" + descr + "'");
  if (header_value(header, "fortran_order", path) != "False")
    throw npy_error(path, "expected C order (fortran_order: False)");
  std::string shape_str = header_value(header, "shape", path);  // "(64, 3, 3, 3)" or "(5,)" or "()"
  NpyArray a;
  std::stringstream ss(shape_str.substr(1, shape_str.size() - 2));
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.find_first_not_of(' ') == std::string::npos) continue;
    a.shape.push_back(std::stoll(item));
  }
  if (a.numel() == 0)
    throw npy_error(path, "empty tensor (shape " + shape_str + "): nothing to ternarize");
  a.data.resize(static_cast<size_t>(a.numel()));
  in.read(reinterpret_cast<char*>(a.data.data()), static_cast<std::streamsize>(a.data.size() * 4));
  if (in.gcount() != static_cast<std::streamsize>(a.data.size() * 4))
    throw npy_error(path, "truncated data: expected " + std::to_string(a.data.size() * 4) +
                              " bytes for shape " + shape_str + ", got " +
                              std::to_string(in.gcount()));
  return a;
}

void write_npy_f32(const std::string& path, const NpyArray& a) {
  std::string shape = "(";
  for (size_t i = 0; i < a.shape.size(); ++i)
    shape += std::to_string(a.shape[i]) +
             (a.shape.size() == 1 ? "," : (i + 1 < a.shape.size() ? ", " : ""));
  shape += ")";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::string bytes(kMagic, 6);
  bytes.push_back(1);
  bytes.push_back(0);
  bytes.push_back(static_cast<char>(header.size() & 0xff));
  bytes.push_back(static_cast<char>(header.size() >> 8));
  bytes += header;
  bytes.append(reinterpret_cast<const char*>(a.data.data()), a.data.size() * sizeof(float));
  write_file_atomic(path, bytes);
}

}  // namespace tnn
