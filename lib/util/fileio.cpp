#include "tnn/fileio.hpp"

#ifdef TNN_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

#include <fcntl.h>
#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace tnn {

void write_file_atomic(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw std::runtime_error(path + ": cannot create temporary file " + tmp);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      throw std::runtime_error(path + ": write failed (disk full?)");
    }
    done += static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    throw std::runtime_error(path + ": cannot rename " + tmp + " into place");
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open file (does it exist?)");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

#ifdef TNN_HAVE_OPENSSL
namespace {
std::string hex(const unsigned char* d, unsigned n) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (unsigned i = 0; i < n; ++i) {
    s.push_back(digits[d[i] >> 4]);
    s.push_back(digits[d[i] & 15]);
  }
  return s;
}

std::string digest_bytes(const std::string& bytes, const EVP_MD* md) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, md, nullptr);
  return hex(digest, len);
}

std::string digest_file(const std::string& path, const EVP_MD* md) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open file (does it exist?)");
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, md, nullptr);
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    EVP_DigestUpdate(ctx, buf.data(), static_cast<size_t>(in.gcount()));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(ctx, digest, &len);
  EVP_MD_CTX_free(ctx);
  return hex(digest, len);
}
}  // namespace

std::string md5_bytes(const std::string& bytes) {
  return digest_bytes(bytes, EVP_md5());
}
std::string md5_file(const std::string& path) {
  return digest_file(path, EVP_md5());
}
std::string sha256_file(const std::string& path) {
  return digest_file(path, EVP_sha256());
}
#else
// Without OpenSSL headers: coreutils' md5sum / sha256sum (present on every Linux host we run on).
namespace {
std::string digest_file(const std::string& path, const std::string& tool, size_t hex_len) {
  if (!std::ifstream(path)) throw std::runtime_error(path + ": cannot open file (does it exist?)");
  std::string cmd = tool + " '" + path + "'";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out(hex_len, '\0');
  if (p == nullptr || std::fread(out.data(), 1, hex_len, p) != hex_len) {
    if (p) pclose(p);
    throw std::runtime_error(path + ": " + tool + " failed");
  }
  pclose(p);
  return out;
}
}  // namespace

std::string md5_file(const std::string& path) {
  return digest_file(path, "md5sum", 32);
}
std::string sha256_file(const std::string& path) {
  return digest_file(path, "sha256sum", 64);
}

std::string md5_bytes(const std::string& bytes) {
  std::string tmp = "/tmp/tnn-md5-" + std::to_string(::getpid());
  write_file_atomic(tmp, bytes);
  std::string h = md5_file(tmp);
  std::remove(tmp.c_str());
  return h;
}
#endif

}  // namespace tnn
