// The ETA's per-epoch cost: a run resumed mid-epoch must not look shorter than it is.
#include <catch2/catch.hpp>

#include "../../lib/train/progress.hpp"

TEST_CASE("EpochCost is unknown until an epoch ends", "[progress]") {
  tnn::EpochCost c;
  CHECK(c.seconds_per_epoch() < 0);
}

TEST_CASE("EpochCost scales a resumed partial epoch by the share of its steps", "[progress]") {
  tnn::EpochCost c;
  // Resumed at step 332 of 391: 59 steps at 0.384 s each, then a full evaluation of 8 s.
  const double share = 59.0 / 391.0, step_seconds = 0.384;
  c.add(share, 59 * step_seconds, 8.0);
  CHECK(c.seconds_per_epoch() == Approx(391 * step_seconds + 8.0));
  // A whole epoch at the same pace keeps the estimate.
  c.add(1.0, 391 * step_seconds, 8.0);
  CHECK(c.seconds_per_epoch() == Approx(391 * step_seconds + 8.0));
}

TEST_CASE("EpochCost averages whole epochs of this call", "[progress]") {
  tnn::EpochCost c;
  c.add(1.0, 140.0, 10.0);
  c.add(1.0, 160.0, 6.0);
  CHECK(c.seconds_per_epoch() == Approx(150.0 + 8.0));
}
