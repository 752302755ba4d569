// SPDX-License-Identifier: Apache-2.0
// The weather plugin: model type weather.tmy.
#include "tmy_weather.hpp"

TWIN_PLUGIN("weather", "1.0.0", TWIN_MODEL(twin::weather::TmyWeather))
