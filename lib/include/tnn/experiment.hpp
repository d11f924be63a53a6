// Experiment files (experiments/**/*.json): parse, `extends`, validate against the defaults
// (which double as the schema: unknown fields and wrong types are errors naming the file and the
// JSON path), apply a profile, hash the resolved config.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace tnn {

// Every field an experiment may set, with its default. docs/experiments.md documents them.
const nlohmann::json& experiment_defaults();

struct Experiment {
  std::string id;         // e.g. "cifar10/resnet20-wacv19"
  std::string file;       // path it was read from
  nlohmann::json config;  // defaults <- extends chain <- file (profiles not applied)
  std::vector<std::string> profile_names() const;
};

// Reads `path`, follows `extends` (relative to the file), validates. The experiment root (for
// ids and depends_on) is the nearest parent folder named "experiments".
Experiment load_experiment(const std::string& path);

// Finds an experiment by id under `root` (root/<id>.json).
std::string experiment_path(const std::string& root, const std::string& id);

// Applies profile `profile` (dotted-path overrides, e.g. {"train.epochs": 20}) and then
// `overrides` (same form, from the command line) and validates the result. "paper" is the
// experiment as written when it defines no "paper" profile.
nlohmann::json resolve_config(const Experiment& e, const std::string& profile,
                              const nlohmann::json& overrides = nlohmann::json::object());

// md5 of the canonical dump of the fields that determine the run's result (not id, description,
// seeds, profiles or expected values).
std::string config_hash(const nlohmann::json& resolved);

// Sets `value` at a dotted path (creating objects), e.g. set_path(j, "train.epochs", 3).
void set_path(nlohmann::json& j, const std::string& dotted, const nlohmann::json& value);

}  // namespace tnn
