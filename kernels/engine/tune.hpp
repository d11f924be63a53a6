// Internal: per-layer autotuning of the engine (auto, auto_s8) and its cache.
#pragma once

#include "executor.hpp"

#include <string>

namespace tnn::kernels::engine_detail {

// Times every registered implementation (references excepted) that runs here and supports each
// weighted node at `batch`, greedily takes the fastest per node (with the cost of converting
// the input from its producer's layout), then times the whole model with that plan and with
// each uniform family of the precision and returns the fastest plan in `choices`.
TuneReport tune(const Graph& g, const ExecContext& c, int64_t batch, double budget_ms,
                Choices* choices);

// Cache of tuned plans: a JSON file keyed by machine slug, model fingerprint, engine mode,
// batch, thread count and ISA. load() returns false when there is no usable entry (missing,
// or an implementation it names does not run or support the layer any more).
std::string tune_key(const Model& m, const std::string& mode, int64_t batch, Isa isa);
bool load_tuned(const std::string& path, const std::string& key, const Graph& g,
                const ExecContext& c, Choices* choices, TuneReport* report);
void save_tuned(const std::string& path, const TuneReport& report);

}  // namespace tnn::kernels::engine_detail
