// SPDX-License-Identifier: Apache-2.0
// The industry plugin: the chemical park (industry.park) and toxic releases (industry.release).
#include "park_model.hpp"
#include "release_model.hpp"

TWIN_PLUGIN("industry", "0.1.0", TWIN_MODEL(twin::industry::ParkModel),
            TWIN_MODEL(twin::industry::ReleaseModel))
