// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <functional>

namespace twin::core {

// Runs independent work items, possibly in parallel. The scheduler hands it the models of one
// level; results never depend on which thread ran what, because each model writes only its own
// pending buffers and commits happen afterwards in a fixed order.
class Executor {
 public:
  virtual ~Executor();
  // Calls fn(i) once for every i in [0, count) and returns when all calls have finished.
  virtual void parallelFor(std::size_t count, const std::function<void(std::size_t)>& fn) = 0;
  // Number of worker threads used (1 for the serial executor).
  virtual int threads() const = 0;
};

// Runs everything on the calling thread, in index order.
class SerialExecutor final : public Executor {
 public:
  void parallelFor(std::size_t count, const std::function<void(std::size_t)>& fn) override;
  int threads() const override { return 1; }
};

}  // namespace twin::core
