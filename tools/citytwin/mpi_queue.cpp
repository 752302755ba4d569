// SPDX-License-Identifier: Apache-2.0
#include "mpi_queue.hpp"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#ifdef TWIN_HAVE_MPI
// the C API only: the deprecated C++ bindings would need their own library
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace twin::cli {

bool startedByMpiLauncher() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"}) {
    if (const char* v = std::getenv(var); v != nullptr && *v != '\0')
      return true;
  }
  return false;
}

#ifdef TWIN_HAVE_MPI

namespace {
constexpr int kTagResult = 1;  // worker -> 0: [int64 index or -1][int32 exit code][error text]
constexpr int kTagTask = 2;    // 0 -> worker: [int64 index or -1: stop]
bool g_initialised = false;

std::string packResult(std::int64_t index, const TaskResult& r) {
  const auto code = static_cast<std::int32_t>(r.exitCode);
  std::string b;
  b.append(reinterpret_cast<const char*>(&index), sizeof index);
  b.append(reinterpret_cast<const char*>(&code), sizeof code);
  b += r.error;
  return b;
}
}  // namespace

bool mpiBuilt() {
  return true;
}

bool mpiInit(std::string& error) {
  if (g_initialised)
    return true;
  if (MPI_Init(nullptr, nullptr) != MPI_SUCCESS) {
    error = "MPI_Init failed";
    return false;
  }
  g_initialised = true;
  return true;
}

void mpiFinalize() {
  if (g_initialised)
    MPI_Finalize();
  g_initialised = false;
}

int mpiRank() {
  int r = 0;
  if (g_initialised)
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int mpiSize() {
  int n = 1;
  if (g_initialised)
    MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}

void mpiWorkQueue(std::size_t count, const std::function<TaskResult(std::size_t)>& work,
                  const std::function<void(std::size_t, const TaskResult&)>& onDone) {
  const int size = mpiSize();
  if (mpiRank() == 0) {
    std::size_t next = 0, done = 0;
    int stopped = 0;
    // every worker asks once without a result, then with each result; it gets the next task
    // or a stop
    while (stopped < size - 1) {
      // polled with a pause, not MPI_Probe: Open MPI waits by spinning, and a coordinator
      // that spins takes a core from the runs on the same node
      MPI_Status st;
      for (int flag = 0;;) {
        MPI_Iprobe(MPI_ANY_SOURCE, kTagResult, MPI_COMM_WORLD, &flag, &st);
        if (flag != 0)
          break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      int bytes = 0;
      MPI_Get_count(&st, MPI_CHAR, &bytes);
      std::vector<char> b(static_cast<std::size_t>(bytes));
      MPI_Recv(b.data(), bytes, MPI_CHAR, st.MPI_SOURCE, kTagResult, MPI_COMM_WORLD,
               MPI_STATUS_IGNORE);
      std::int64_t index = -1;
      std::int32_t code = 0;
      std::memcpy(&index, b.data(), sizeof index);
      std::memcpy(&code, b.data() + sizeof index, sizeof code);
      if (index >= 0) {
        TaskResult r{code, std::string(b.begin() + sizeof index + sizeof code, b.end())};
        ++done;
        onDone(static_cast<std::size_t>(index), r);
      }
      std::int64_t task = next < count ? static_cast<std::int64_t>(next++) : -1;
      if (task < 0)
        ++stopped;
      MPI_Send(&task, sizeof task, MPI_CHAR, st.MPI_SOURCE, kTagTask, MPI_COMM_WORLD);
    }
    (void)done;
  } else {
    std::string msg = packResult(-1, {});
    for (;;) {
      MPI_Send(msg.data(), static_cast<int>(msg.size()), MPI_CHAR, 0, kTagResult, MPI_COMM_WORLD);
      std::int64_t task = -1;
      MPI_Recv(&task, sizeof task, MPI_CHAR, 0, kTagTask, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (task < 0)
        break;
      msg = packResult(task, work(static_cast<std::size_t>(task)));
    }
  }
  MPI_Barrier(MPI_COMM_WORLD);
}

#else

bool mpiBuilt() {
  return false;
}
bool mpiInit(std::string& error) {
  error = "this citytwin was built without MPI (install libopenmpi-dev and rebuild)";
  return false;
}
void mpiFinalize() {}
int mpiRank() {
  return 0;
}
int mpiSize() {
  return 1;
}
void mpiWorkQueue(std::size_t, const std::function<TaskResult(std::size_t)>&,
                  const std::function<void(std::size_t, const TaskResult&)>&) {}

#endif

}  // namespace twin::cli
