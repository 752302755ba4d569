// SPDX-License-Identifier: Apache-2.0
// MPI ensembles (citytwin sweep under mpirun or srun): a dynamic work queue over MPI messages.
// Rank 0 hands out task indices one at a time to the ranks that ask; each worker runs its task
// and reports back, so long and short runs balance. Without MPI at build time (TWIN_HAVE_MPI
// undefined) every function here says so and the sweep runs locally.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace twin::cli {

// Whether this binary was built with MPI.
bool mpiBuilt();
// Whether a launcher started this process as one of several ranks (Open MPI's mpirun, a PMI
// launcher such as Slurm's srun, or MPICH's hydra), from the environment it sets.
bool startedByMpiLauncher();

// Initialises MPI (once); false with `error` when it cannot.
bool mpiInit(std::string& error);
void mpiFinalize();
int mpiRank();
int mpiSize();

struct TaskResult {
  int exitCode = 0;
  std::string error;  // the run's last error line when exitCode != 0
};

// Runs tasks 0..count-1 on ranks 1..size-1. Rank 0 only coordinates: `onDone(i, result)` is
// called there as each result arrives (in arrival order). Workers call `work(i)` for each task
// they get. Every rank returns when all tasks are done.
void mpiWorkQueue(std::size_t count, const std::function<TaskResult(std::size_t)>& work,
                  const std::function<void(std::size_t, const TaskResult&)>& onDone);

}  // namespace twin::cli
