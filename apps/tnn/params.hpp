// Parses repeated `--param key=value` options into a JSON object; values that parse as JSON
// (numbers, true/false, arrays like [0.05,0.1]) keep their type, anything else is a string.
#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace tnn::cli {

inline nlohmann::json parse_key_values(const std::vector<std::string>& items,
                                       const std::string& option) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& item : items) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      throw std::invalid_argument(option + " '" + item + "': expected key=value");
    std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    auto parsed = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
    out[key] = parsed.is_discarded() ? nlohmann::json(value) : parsed;
  }
  return out;
}

}  // namespace tnn::cli
