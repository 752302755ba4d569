// SPDX-License-Identifier: Apache-2.0
#include "exec/tbb_executor.hpp"

#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <thread>

namespace twin::exec {

struct TbbExecutor::Arena {
  explicit Arena(int threads) : arena(threads) {}
  tbb::task_arena arena;
};

TbbExecutor::TbbExecutor(int threads)
    : threads_(std::max(1, threads)), arena_(std::make_unique<Arena>(threads_)) {}

TbbExecutor::~TbbExecutor() = default;

void TbbExecutor::parallelFor(std::size_t count, const std::function<void(std::size_t)>& fn) {
  arena_->arena.execute([&] {
    // grain size 1: each model step is a task of its own
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, count, 1),
                      [&](const tbb::blocked_range<std::size_t>& r) {
                        for (std::size_t i = r.begin(); i != r.end(); ++i)
                          fn(i);
                      });
  });
}

int hardwareThreads() {
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

}  // namespace twin::exec
