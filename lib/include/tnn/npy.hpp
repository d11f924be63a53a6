// Minimal .npy (NumPy format 1.0/2.0) reader and writer for little-endian float32 arrays in C
// order: what `tnn ternarize` exchanges with NumPy. Anything else is rejected with a message that
// names the file and what was expected.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tnn {

struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> data;
  int64_t numel() const;
};

NpyArray read_npy_f32(const std::string& path);
// Atomic: writes path + ".tmp" and renames it over `path`.
void write_npy_f32(const std::string& path, const NpyArray& array);

}  // namespace tnn
