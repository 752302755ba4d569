// SPDX-License-Identifier: Apache-2.0
// The city as run.json records it and as models see it through the plugin ABI (tables, land use,
// turn restrictions, the ray-cast and physics service). Shared by the CLI and the ABI
// conformance tests.
#pragma once

#include "core/executor.hpp"
#include "gis/city_model.hpp"
#include "io/run_builder.hpp"

namespace twin {

// `c` must outlive the result (the physics service builds its mesh from it on first use)
io::CityInfo cityInfo(const gis::CityModel& c, core::Executor* executor = nullptr);

}  // namespace twin
