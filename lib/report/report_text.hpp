// Number formatting shared by the report writers (paper tables, results index).
#pragma once

#include <cstdio>
#include <string>

namespace tnn::report {

inline std::string fmt(double v, int prec = 2) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", prec, v);
  return b;
}
inline std::string signed_fmt(double v) {
  return (v >= 0 ? "+" : "") + fmt(v);
}

}  // namespace tnn::report
