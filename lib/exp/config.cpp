#include "tnn/experiment.hpp"

#include "tnn/fileio.hpp"
#include "tnn/ternarize.hpp"

#include <filesystem>
#include <set>
#include <stdexcept>

namespace tnn {
namespace fs = std::filesystem;

const nlohmann::json& experiment_defaults() {
  static const nlohmann::json d = R"({
    "id": "",
    "description": "",
    "extends": null,
    "depends_on": [],
    "data": { "dataset": "cifar10", "train_limit": 0, "test_limit": 0, "augment": true,
              "crop_size": 224, "resize_size": 256, "crop_scale": [0.08, 1.0],
              "crop_ratio": [0.75, 1.3333333333333333], "dct_scaling": true, "train_resize": "fast",
              "loader_threads": 0, "prefetch_batches": 4, "max_bad_files": 100 },
    "model": { "arch": "resnet20", "first_layer": "ternary", "last_layer": "ternary",
               "channels_last": true, "num_classes": null },
    "quantizer": { "method": "fp", "params": {} },
    "train": {
      "epochs": 200,
      "batch_size": 128,
      "eval_batch_size": 500,
      "optimizer": { "name": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": true,
                     "weight_decay": 3e-4, "weight_decay_on": "all",
                     "betas": [0.9, 0.999], "eps": 1e-8 },
      "schedule": { "name": "multistep", "milestones": [80, 120, 160], "gammas": [0.1, 0.1, 0.5] },
      "threshold_optimizer": { "name": "sgd", "lr": null, "momentum": 0.9, "nesterov": true,
                               "weight_decay": 0.0, "betas": [0.9, 0.999], "eps": 1e-8 },
      "tga_update": "sequential_two_pass",
      "init_from": null,
      "log_every": 50,
      "device": "auto",
      "sync_batchnorm": false
    },
    "select": "final",
    "seeds": [1],
    "profiles": {},
    "expected": {}
  })"_json;
  return d;
}

namespace {

// Objects whose keys are not fixed by the defaults (checked elsewhere or free-form).
bool free_form(const std::string& path) {
  return path == "quantizer.params" || path == "profiles" || path == "expected" ||
         path == "train.init_from";
}

bool same_kind(const nlohmann::json& value, const nlohmann::json& def) {
  if (def.is_null()) return true;  // "derived unless given"
  if (value.is_null()) return true;
  if (def.is_number() && value.is_number()) return true;
  return value.type() == def.type();
}

void validate(const nlohmann::json& j, const nlohmann::json& schema, const std::string& path,
              const std::string& file) {
  for (const auto& [key, value] : j.items()) {
    std::string p = path.empty() ? key : path + "." + key;
    if (!schema.contains(key)) {
      std::string known;
      for (const auto& [k, v] : schema.items()) known += (known.empty() ? "" : ", ") + k;
      throw std::invalid_argument(file + ": " + p + ": unknown field (known here: " + known + ")");
    }
    const auto& def = schema.at(key);
    if (!same_kind(value, def))
      throw std::invalid_argument(file + ": " + p + ": expected a " + std::string(def.type_name()) +
                                  " (default " + def.dump() + "), got " + value.dump());
    if (value.is_object() && !free_form(p)) validate(value, def, p, file);
  }
}

// Deep merge where a key in `over` replaces the one in `base` (null included), objects merge.
void merge_into(nlohmann::json& base, const nlohmann::json& over, const std::string& path) {
  for (const auto& [key, value] : over.items()) {
    std::string p = path.empty() ? key : path + "." + key;
    if (value.is_object() && base.contains(key) && base[key].is_object() && p != "quantizer.params")
      merge_into(base[key], value, p);
    else
      base[key] = value;
  }
}

// Semantic checks the type schema cannot express.
void check_values(const nlohmann::json& c, const std::string& file) {
  auto fail = [&](const std::string& path, const std::string& what) {
    throw std::invalid_argument(file + ": " + path + ": " + what);
  };
  const auto& t = c["train"];
  if (t["epochs"].get<double>() < 1)
    fail("train.epochs", "expected >= 1, got " + t["epochs"].dump());
  if (t["batch_size"].get<double>() < 1) fail("train.batch_size", "expected >= 1");
  auto one_of = [&](const std::string& path, const nlohmann::json& v, std::set<std::string> ok) {
    if (!v.is_string() || !ok.count(v.get<std::string>())) {
      std::string s;
      for (const auto& o : ok) s += (s.empty() ? "" : ", ") + o;
      fail(path, "expected one of {" + s + "}, got " + v.dump());
    }
  };
  one_of("train.optimizer.name", t["optimizer"]["name"], {"sgd", "adam"});
  one_of("train.optimizer.weight_decay_on", t["optimizer"]["weight_decay_on"],
         {"all", "weights_only"});
  one_of("train.threshold_optimizer.name", t["threshold_optimizer"]["name"], {"sgd", "adam"});
  one_of("train.schedule.name", t["schedule"]["name"], {"multistep", "cosine", "constant"});
  one_of("train.tga_update", t["tga_update"], {"sequential_two_pass", "joint"});
  one_of("train.device", t["device"], {"auto", "cpu", "cuda"});
  one_of("select", c["select"], {"final", "best"});
  one_of("data.dataset", c["data"]["dataset"], {"cifar10", "imagenet"});
  one_of("data.train_resize", c["data"]["train_resize"], {"fast", "torchvision"});
  const auto& d = c["data"];
  for (const char* k : {"crop_size", "resize_size"})
    if (d[k].get<double>() < 1) fail(std::string("data.") + k, "expected >= 1, got " + d[k].dump());
  if (d["dataset"] == "imagenet" && d["crop_size"].get<double>() > d["resize_size"].get<double>())
    fail("data.crop_size", "expected <= data.resize_size (" + d["resize_size"].dump() +
                               ": evaluation crops the resized image), got " +
                               d["crop_size"].dump());
  for (const char* k : {"crop_scale", "crop_ratio"})
    if (d[k].size() != 2 || !d[k][0].is_number() || !d[k][1].is_number() ||
        d[k][0].get<double>() <= 0 || d[k][0].get<double>() > d[k][1].get<double>())
      fail(std::string("data.") + k,
           "expected [low, high] with 0 < low <= high, got " + d[k].dump());
  if (d["loader_threads"].get<double>() < 0)
    fail("data.loader_threads", "expected >= 0 (0: all cores)");
  if (d["prefetch_batches"].get<double>() < 1) fail("data.prefetch_batches", "expected >= 1");
  if (d["max_bad_files"].get<double>() < 0) fail("data.max_bad_files", "expected >= 0");
  const auto& nc = c["model"]["num_classes"];
  if (!nc.is_null() && (!nc.is_number_integer() || nc.get<int64_t>() < 1))
    fail("model.num_classes",
         "expected a positive integer or null (the dataset's), got " + nc.dump());
  const auto& s = t["schedule"];
  if (s["name"] == "multistep" && s["milestones"].size() != s["gammas"].size())
    fail("train.schedule.gammas", "expected one gamma per milestone (" +
                                      std::to_string(s["milestones"].size()) + "), got " +
                                      s["gammas"].dump());
  const auto& init = t["init_from"];
  if (!init.is_null() && !init.is_string() &&
      !(init.is_object() && init.size() == 1 && init.contains("torchvision") &&
        init["torchvision"].is_string()))
    fail("train.init_from",
         "expected null, an experiment id, or {\"torchvision\": \"<state_dict file>\"}, got " +
             init.dump());
  if (c["seeds"].empty()) fail("seeds", "expected at least one seed");
  // The quantizer's parameters are checked by its registry entry (names, types, values).
  make_ternarizer({c["quantizer"]["method"].get<std::string>(), c["quantizer"]["params"]},
                  file + ": quantizer");
}

fs::path experiments_root(const fs::path& file) {
  for (fs::path p = fs::absolute(file).parent_path(); !p.empty() && p != p.root_path();
       p = p.parent_path())
    if (p.filename() == "experiments") return p;
  return fs::absolute(file).parent_path();
}

nlohmann::json read_json(const std::string& path) {
  try {
    return nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::parse_error& e) {
    throw std::invalid_argument(path + ": invalid JSON: " + e.what());
  }
}

nlohmann::json load_chain(const fs::path& file, int depth) {
  if (depth > 16)
    throw std::invalid_argument(file.string() + ": extends chain too deep (a cycle?)");
  nlohmann::json j = read_json(file.string());
  if (!j.is_object()) throw std::invalid_argument(file.string() + ": expected a JSON object");
  validate(j, experiment_defaults(), "", file.string());
  nlohmann::json base = nlohmann::json::object();
  if (j.contains("extends") && !j["extends"].is_null()) {
    fs::path parent = file.parent_path() / j["extends"].get<std::string>();
    if (!fs::exists(parent))
      throw std::invalid_argument(file.string() + ": extends: " + parent.string() +
                                  " does not exist");
    base = load_chain(parent, depth + 1);
  }
  base.erase("id");  // ids are never inherited
  merge_into(base, j, "");
  return base;
}

}  // namespace

void set_path(nlohmann::json& j, const std::string& dotted, const nlohmann::json& value) {
  nlohmann::json* cur = &j;
  size_t start = 0;
  while (true) {
    size_t dot = dotted.find('.', start);
    std::string key =
        dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (dot == std::string::npos) {
      (*cur)[key] = value;
      return;
    }
    cur = &(*cur)[key];
    start = dot + 1;
  }
}

std::vector<std::string> Experiment::profile_names() const {
  std::vector<std::string> names;
  for (const auto& [k, v] : config["profiles"].items()) names.push_back(k);
  return names;
}

Experiment load_experiment(const std::string& path) {
  fs::path file(path);
  if (!fs::exists(file)) throw std::invalid_argument(path + ": experiment file not found");
  Experiment e;
  e.file = path;
  nlohmann::json merged = experiment_defaults();
  merge_into(merged, load_chain(file, 0), "");
  // The id is the path under experiments/ without ".json"; a written id must agree.
  fs::path rel = fs::absolute(file).lexically_relative(experiments_root(file));
  std::string derived = rel.replace_extension("").generic_string();
  std::string written = merged.value("id", "");
  if (!written.empty() && written != derived)
    throw std::invalid_argument(path + ": id: '" + written +
                                "' does not match the file's place ('" + derived + "')");
  merged["id"] = derived;
  e.id = derived;
  check_values(merged, path);
  e.config = merged;
  return e;
}

std::string experiment_path(const std::string& root, const std::string& id) {
  return (fs::path(root) / (id + ".json")).string();
}

nlohmann::json resolve_config(const Experiment& e, const std::string& profile,
                              const nlohmann::json& overrides) {
  nlohmann::json c = e.config;
  const auto& profiles = e.config["profiles"];
  if (profiles.contains(profile)) {
    for (const auto& [path, value] : profiles[profile].items()) {
      // The dotted path must name a field of the schema (or a quantizer parameter).
      nlohmann::json probe = nlohmann::json::object();
      set_path(probe, path, value);
      validate(probe, experiment_defaults(), "", e.file + ": profiles." + profile);
      set_path(c, path, value);
    }
  } else if (profile != "paper") {
    std::string known = "paper";  // implicit: the recipe itself, listed once
    for (const auto& n : e.profile_names())
      if (n != "paper") known += ", " + n;
    throw std::invalid_argument(e.file + ": no profile '" + profile + "' (known: " + known + ")");
  }
  for (const auto& [path, value] : overrides.items()) {
    nlohmann::json probe = nlohmann::json::object();
    set_path(probe, path, value);
    validate(probe, experiment_defaults(), "", "--set");
    set_path(c, path, value);
  }
  check_values(c, e.file + " (profile " + profile + ")");
  c["profile"] = profile;
  return c;
}

namespace {
// Drops every field equal to its default, so adding a new field (with a default that keeps the
// old behaviour) does not change the hash of existing runs.
void prune_defaults(nlohmann::json& c, const nlohmann::json& d) {
  for (auto it = c.begin(); it != c.end();) {
    if (d.is_object() && d.contains(it.key())) {
      const auto& def = d.at(it.key());
      if (*it == def) {
        it = c.erase(it);
        continue;
      }
      if (it->is_object() && def.is_object()) {
        prune_defaults(*it, def);
        // Every field at its default: the same as an object equal to the default, e.g. one
        // written before fields were added to it (older checkpoints must still resume).
        if (it->empty()) {
          it = c.erase(it);
          continue;
        }
      }
    }
    ++it;
  }
}
}  // namespace

std::string config_hash(const nlohmann::json& resolved) {
  nlohmann::json c = resolved;
  for (const char* k :
       {"id", "description", "extends", "depends_on", "seeds", "profiles", "expected", "profile"})
    c.erase(k);
  // Where a run executes is not what it is: a run may resume on another kind of machine.
  if (c.contains("train") && c["train"].is_object()) c["train"].erase("device");
  prune_defaults(c, experiment_defaults());
  return md5_bytes(c.dump()).substr(0, 12);
}

}  // namespace tnn
