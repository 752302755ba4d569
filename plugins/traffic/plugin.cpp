// SPDX-License-Identifier: Apache-2.0
// The traffic plugin: model type traffic.micro.
#include "traffic_model.hpp"

TWIN_PLUGIN("traffic", "0.1.0", TWIN_MODEL(twin::traffic::TrafficMicro))
