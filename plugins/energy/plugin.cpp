// SPDX-License-Identifier: Apache-2.0
// The energy plugin: model type energy.pv so far (energy.grid joins it as its issue lands).
#include "rooftop_pv.hpp"

TWIN_PLUGIN("energy", "0.1.0", TWIN_MODEL(twin::energy::RooftopPv))
