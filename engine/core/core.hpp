// SPDX-License-Identifier: Apache-2.0
// Front header of engine/core: integer time, units, status, logging, ports, models, the
// scheduler, random streams and state hashing. Standard library only.
#pragma once

#include "core/bytes.hpp"
#include "core/executor.hpp"
#include "core/hash.hpp"
#include "core/log.hpp"
#include "core/model.hpp"
#include "core/rng.hpp"
#include "core/scheduler.hpp"
#include "core/status.hpp"
#include "core/time.hpp"
#include "core/units.hpp"
