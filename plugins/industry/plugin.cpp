// SPDX-License-Identifier: Apache-2.0
// The industry plugin: model type industry.release so far (industry.park joins it).
#include "release_model.hpp"

TWIN_PLUGIN("industry", "0.1.0", TWIN_MODEL(twin::industry::ReleaseModel))
