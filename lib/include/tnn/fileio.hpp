// Atomic file writes (temp file in the same folder + fsync + rename), so a crash or kill never
// leaves a half-written result, checkpoint or table behind.
#pragma once

#include <string>

namespace tnn {

void write_file_atomic(const std::string& path, const std::string& bytes);
std::string read_file(const std::string& path);  // throws naming the path
// md5 of a file's bytes as 32 lowercase hex digits (dataset identity in every result).
std::string md5_file(const std::string& path);
std::string md5_bytes(const std::string& bytes);
// sha256 of a file as 64 lowercase hex digits (checkpoint identity in result.json).
std::string sha256_file(const std::string& path);

}  // namespace tnn
