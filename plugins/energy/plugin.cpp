// SPDX-License-Identifier: Apache-2.0
// The energy plugin: rooftop PV (energy.pv) and the buildings on their distribution grid
// (energy.grid).
#include "grid_model.hpp"
#include "rooftop_pv.hpp"

TWIN_PLUGIN("energy", "0.2.0", TWIN_MODEL(twin::energy::RooftopPv),
            TWIN_MODEL(twin::energy::GridModel))
