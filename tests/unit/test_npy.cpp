// .npy reading and writing, and the error messages for bad input.
#include "../temp_dir.hpp"
#include "test_helpers.hpp"
#include "tnn/fileio.hpp"
#include "tnn/npy.hpp"

#include <filesystem>

using namespace tnn;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {
// A hand-made v1.0 header with the given descr and shape.
std::string npy_bytes(const std::string& descr, const std::string& shape, size_t data_bytes) {
  std::string h = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  h.append((64 - (10 + h.size() + 1) % 64) % 64, ' ');
  h.push_back('\n');
  std::string b = "\x93NUMPY";
  b.push_back(1);
  b.push_back(0);
  b.push_back(char(h.size() & 0xff));
  b.push_back(char(h.size() >> 8));
  return b + h + std::string(data_bytes, '\0');
}
}  // namespace

TEST_CASE("npy: write then read round trip", "[npy]") {
  auto path = (test::fresh_temp_dir("npy") / "a.npy").string();
  NpyArray a{{2, 3}, {1, 2, 3, 4, 5, -6.5f}};
  write_npy_f32(path, a);
  auto b = read_npy_f32(path);
  CHECK(b.shape == a.shape);
  CHECK(b.data == a.data);
  write_npy_f32(path, NpyArray{{5}, {1, 2, 3, 4, 5}});  // 1-D shape "(5,)"
  CHECK(read_npy_f32(path).shape == std::vector<int64_t>{5});
}

TEST_CASE("npy: bad input gives errors that name the file and the problem", "[npy]") {
  auto dir = test::fresh_temp_dir("npy");
  CHECK_THROWS_WITH(read_npy_f32((dir / "missing.npy").string()),
                    Contains("missing.npy") && Contains("cannot open"));
  write_file_atomic((dir / "text.npy").string(), "hello, not numpy");
  CHECK_THROWS_WITH(read_npy_f32((dir / "text.npy").string()),
                    Contains("text.npy") && Contains("not a .npy"));
  write_file_atomic((dir / "f8.npy").string(), npy_bytes("<f8", "(4,)", 32));
  CHECK_THROWS_WITH(read_npy_f32((dir / "f8.npy").string()),
                    Contains("float32") && Contains("<f8"));
  write_file_atomic((dir / "empty.npy").string(), npy_bytes("<f4", "(0, 3)", 0));
  CHECK_THROWS_WITH(read_npy_f32((dir / "empty.npy").string()), Contains("empty tensor"));
  write_file_atomic((dir / "short.npy").string(), npy_bytes("<f4", "(4,)", 8));
  CHECK_THROWS_WITH(read_npy_f32((dir / "short.npy").string()), Contains("truncated"));
}
