// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>

#include "core/executor.hpp"

namespace twin::exec {

// Runs the models of one scheduler level on a oneTBB arena of a fixed number of threads.
class TbbExecutor final : public core::Executor {
 public:
  explicit TbbExecutor(int threads);
  ~TbbExecutor() override;
  void parallelFor(std::size_t count, const std::function<void(std::size_t)>& fn) override;
  int threads() const override { return threads_; }

 private:
  struct Arena;
  int threads_;
  std::unique_ptr<Arena> arena_;
};

// Number of hardware threads (at least 1).
int hardwareThreads();

}  // namespace twin::exec
