// SPDX-License-Identifier: Apache-2.0
#include "core/scheduler.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <map>
#include <mutex>
#include <thread>

#include "core/bytes.hpp"
#include "core/hash.hpp"
#include "core/log.hpp"

namespace twin::core {
namespace {

constexpr Tick kNever = std::numeric_limits<Tick>::max();
constexpr std::uint32_t kSnapshotMagic = 0x54574E31;  // "TWN1"
constexpr std::uint32_t kEndedTag = 0x444E4445;       // "ENDD": the run was ended by a model

// running aggregate of the samples a producer published since the consumer last read
struct Accumulator {
  std::uint64_t count = 0;
  std::vector<double> values;  // sum, min, max per entity, or concatenated events

  void clear() {
    count = 0;
    values.clear();
  }
  void add(Adapter adapter, std::span<const double> sample) {
    if (adapter == Adapter::Events) {
      values.insert(values.end(), sample.begin(), sample.end());
      count += sample.size();
      return;
    }
    // an entity array that changed length restarts the aggregate with the new shape
    if (count == 0 || values.size() != sample.size()) {
      values.assign(sample.begin(), sample.end());
      count = 1;
      return;
    }
    for (std::size_t i = 0; i < sample.size(); ++i) {
      switch (adapter) {
        case Adapter::Mean:
        case Adapter::Sum:
          values[i] += sample[i];
          break;
        case Adapter::Min:
          values[i] = std::min(values[i], sample[i]);
          break;
        case Adapter::Max:
          values[i] = std::max(values[i], sample[i]);
          break;
        case Adapter::Hold:
        case Adapter::Events:
          break;
      }
    }
    ++count;
  }
  void merge(Adapter adapter, const Accumulator& other) {
    if (other.count == 0)
      return;
    if (adapter == Adapter::Events) {
      values.insert(values.end(), other.values.begin(), other.values.end());
      count += other.count;
      return;
    }
    if (count == 0 || values.size() != other.values.size()) {
      values = other.values;
      count = other.count;
      return;
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
      switch (adapter) {
        case Adapter::Mean:
        case Adapter::Sum:
          values[i] += other.values[i];
          break;
        case Adapter::Min:
          values[i] = std::min(values[i], other.values[i]);
          break;
        case Adapter::Max:
          values[i] = std::max(values[i], other.values[i]);
          break;
        case Adapter::Hold:
        case Adapter::Events:
          break;
      }
    }
    count += other.count;
  }
  void save(ByteWriter& w) const {
    w.put(count);
    w.putDoubles(values);
  }
  void load(ByteReader& r) {
    count = r.get<std::uint64_t>();
    r.getDoubles(values);
  }
};

struct OutputSlot {
  std::vector<double> current;   // committed value
  std::vector<double> previous;  // value before the last commit (delayed reads in that tick)
  Tick commitTick = -1;
  std::vector<std::size_t> accumulating;  // connections with a non-hold adapter
};

struct InputSlot {
  int connection = -1;
  std::vector<double> buffer;  // adapted or unit-converted value
};

struct Slot {
  std::string name;
  std::string typeName;
  Tick period = 1;
  int level = 0;
  std::unique_ptr<Model> model;
  std::vector<PortSpec> ports;
  std::vector<std::size_t> inputPorts;   // indices into ports
  std::vector<std::size_t> outputPorts;  // indices into ports
  std::vector<InputSlot> inputs;
  std::vector<std::span<const double>> inputViews;
  std::vector<OutputSlot> outputs;
  std::vector<std::vector<double>> pending;
  std::vector<std::uint8_t> written;
  RngStream rng;
  Tick nextDue = 0;
  std::uint64_t steps = 0;
  std::int64_t nanos = 0;
  ModelStatus lastStatus = ModelStatus::Ok;
  StepContext ctx;
};

struct Connection {
  std::size_t fromSlot = 0, fromOutput = 0, toSlot = 0, toInput = 0;
  LinkKind link = LinkKind::Direct;
  Adapter adapter = Adapter::Hold;
  UnitConversion conversion;
  Accumulator main;
  Accumulator staged;  // delayed links: the sample of the producer's current tick
  Tick stagedTick = -1;
};

}  // namespace

struct Scheduler::Impl {
  std::vector<Slot> slots;         // scenario order
  std::vector<std::size_t> order;  // slots sorted by (level, scenario order)
  std::vector<Connection> connections;
  std::vector<InterventionDef> interventions;  // sorted by tick, stable
  std::vector<int> interventionSlot;
  std::size_t nextIntervention = 0;
  std::vector<Observer> observers;
  std::vector<std::size_t> levelDue;  // scratch: due slots of one level
  SerialExecutor serial;
  StepFailure failure;
  bool failed = false;
  Tick endedAt = -1;  // the tick after which a model ended the run, -1 while it goes on
  // the watchdog's view: when each slot's running step began (steady-clock ns, 0: idle) and
  // the tick being processed
  std::unique_ptr<std::atomic<std::int64_t>[]> stepStart;
  std::atomic<Tick> currentTick{0};

  void gather(Slot& s, Tick t);
  void commit(Slot& s, Tick t);
};

Scheduler::Scheduler(std::unique_ptr<Impl> impl, SchedulerDef def)
    : impl_(std::move(impl)), def_(def) {}
Scheduler::~Scheduler() = default;

Result<std::unique_ptr<Scheduler>> Scheduler::create(const SchedulerDef& def,
                                                     std::vector<ModelEntryDef> models,
                                                     std::vector<ConnectionDef> connections,
                                                     std::vector<InterventionDef> interventions) {
  auto impl = std::make_unique<Impl>();
  std::vector<std::string> problems;
  std::map<std::string, std::size_t, std::less<>> byName;

  // slots, in scenario order
  for (ModelEntryDef& m : models) {
    Slot s;
    s.name = m.name;
    s.typeName = m.typeName;
    s.period = m.periodTicks;
    s.model = std::move(m.model);
    s.ports = std::move(m.ports);
    if (s.period <= 0)
      problems.push_back("model '" + s.name + "': period must be positive");
    if (!s.model)
      problems.push_back("model '" + s.name + "': no model instance");
    if (!byName.emplace(s.name, impl->slots.size()).second) {
      problems.push_back("model '" + s.name + "' is declared twice");
    }
    for (std::size_t p = 0; p < s.ports.size(); ++p) {
      if (s.ports[p].direction == PortDirection::In) {
        s.inputPorts.push_back(p);
      } else {
        s.outputPorts.push_back(p);
      }
    }
    s.inputs.resize(s.inputPorts.size());
    s.inputViews.resize(s.inputPorts.size());
    s.outputs.resize(s.outputPorts.size());
    s.pending.resize(s.outputPorts.size());
    s.written.assign(s.outputPorts.size(), 0);
    s.rng = makeRngStream(def.seed, s.name);
    impl->slots.push_back(std::move(s));
  }

  auto findPort = [&](std::size_t slot, std::string_view port, PortDirection dir) -> int {
    const Slot& s = impl->slots[slot];
    const auto& list = dir == PortDirection::In ? s.inputPorts : s.outputPorts;
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (s.ports[list[i]].name == port)
        return static_cast<int>(i);
    }
    return -1;
  };

  // connections: endpoints, types, shapes, units, one producer per input
  for (const ConnectionDef& c : connections) {
    const std::string label = c.fromModel + "." + c.fromPort + " -> " + c.toModel + "." + c.toPort;
    auto from = byName.find(c.fromModel);
    auto to = byName.find(c.toModel);
    if (from == byName.end() || to == byName.end()) {
      problems.push_back(label + ": unknown model '" +
                         (from == byName.end() ? c.fromModel : c.toModel) + "'");
      continue;
    }
    int out = findPort(from->second, c.fromPort, PortDirection::Out);
    int in = findPort(to->second, c.toPort, PortDirection::In);
    if (out < 0) {
      problems.push_back(label + ": model '" + c.fromModel + "' has no output port '" + c.fromPort +
                         "'");
    }
    if (in < 0) {
      problems.push_back(label + ": model '" + c.toModel + "' has no input port '" + c.toPort +
                         "'");
    }
    if (out < 0 || in < 0)
      continue;
    Slot& src = impl->slots[from->second];
    Slot& dst = impl->slots[to->second];
    const PortSpec& ps = src.ports[src.outputPorts[static_cast<std::size_t>(out)]];
    const PortSpec& pd = dst.ports[dst.inputPorts[static_cast<std::size_t>(in)]];
    Connection conn;
    conn.fromSlot = from->second;
    conn.fromOutput = static_cast<std::size_t>(out);
    conn.toSlot = to->second;
    conn.toInput = static_cast<std::size_t>(in);
    conn.link = c.link;
    conn.adapter = c.adapter;
    if (ps.type != pd.type) {
      problems.push_back(label + ": value type " + std::string(toString(ps.type)) +
                         " does not match " + std::string(toString(pd.type)));
    }
    const bool events = c.adapter == Adapter::Events;
    if (!events && ps.shape != pd.shape) {
      problems.push_back(label + ": shape " + std::string(toString(ps.shape)) + " does not match " +
                         std::string(toString(pd.shape)));
    }
    if (events && pd.shape != PortShape::Entity) {
      problems.push_back(label + ": the events adapter needs an entity (array) input");
    }
    auto conv = unitConversion(ps.unit, pd.unit);
    if (!conv) {
      problems.push_back(label + ": " + conv.error().message);
    } else {
      conn.conversion = *conv;
    }
    if (dst.inputs[static_cast<std::size_t>(in)].connection >= 0) {
      problems.push_back(label + ": input '" + c.toModel + "." + c.toPort +
                         "' already has a producer");
      continue;
    }
    dst.inputs[static_cast<std::size_t>(in)].connection =
        static_cast<int>(impl->connections.size());
    if (c.adapter != Adapter::Hold) {
      src.outputs[static_cast<std::size_t>(out)].accumulating.push_back(impl->connections.size());
    }
    impl->connections.push_back(std::move(conn));
  }

  // required inputs
  for (const Slot& s : impl->slots) {
    for (std::size_t i = 0; i < s.inputPorts.size(); ++i) {
      const PortSpec& p = s.ports[s.inputPorts[i]];
      if (p.required && s.inputs[i].connection < 0) {
        problems.push_back("model '" + s.name + "': required input '" + p.name +
                           "' is not connected");
      }
    }
  }

  // levels: longest path over direct links (Kahn); what is left over lies on a cycle
  const std::size_t n = impl->slots.size();
  std::vector<std::vector<std::size_t>> succ(n);
  std::vector<int> indegree(n, 0);
  for (const Connection& c : impl->connections) {
    if (c.link == LinkKind::Direct) {
      succ[c.fromSlot].push_back(c.toSlot);
      ++indegree[c.toSlot];
    }
  }
  std::vector<std::size_t> ready;
  for (std::size_t i = 0; i < n; ++i) {
    if (indegree[i] == 0)
      ready.push_back(i);
  }
  std::size_t visited = 0;
  while (!ready.empty()) {
    std::size_t u = ready.back();
    ready.pop_back();
    ++visited;
    for (std::size_t v : succ[u]) {
      impl->slots[v].level = std::max(impl->slots[v].level, impl->slots[u].level + 1);
      if (--indegree[v] == 0)
        ready.push_back(v);
    }
  }
  if (visited != n) {
    std::string cycle;
    for (std::size_t i = 0; i < n; ++i) {
      if (indegree[i] > 0)
        cycle += (cycle.empty() ? "" : ", ") + impl->slots[i].name;
    }
    problems.push_back("feedback loop of direct connections between models " + cycle +
                       "; mark one link of the loop 'delayed'");
  }

  // interventions, in tick order (stable: file order within a tick)
  for (InterventionDef& iv : interventions) {
    auto it = byName.find(iv.model);
    if (it == byName.end()) {
      problems.push_back("intervention on unknown model '" + iv.model + "'");
      continue;
    }
    if (iv.at < 0)
      problems.push_back("intervention before the start of the run");
    impl->interventionSlot.push_back(static_cast<int>(it->second));
    impl->interventions.push_back(std::move(iv));
  }
  {
    std::vector<std::size_t> idx(impl->interventions.size());
    for (std::size_t i = 0; i < idx.size(); ++i)
      idx[i] = i;
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
      return impl->interventions[a].at < impl->interventions[b].at;
    });
    std::vector<InterventionDef> sorted;
    std::vector<int> sortedSlot;
    for (std::size_t i : idx) {
      sorted.push_back(std::move(impl->interventions[i]));
      sortedSlot.push_back(impl->interventionSlot[i]);
    }
    impl->interventions = std::move(sorted);
    impl->interventionSlot = std::move(sortedSlot);
  }

  if (def.calendar.tickNs <= 0)
    problems.push_back("base tick must be positive");
  if (def.endTick < 0)
    problems.push_back("run duration must not be negative");

  if (!problems.empty()) {
    std::string msg;
    for (const std::string& p : problems)
      msg += (msg.empty() ? "" : "\n") + p;
    return fail(ErrorCode::BadInput, msg);
  }

  impl->order.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    impl->order[i] = i;
  std::stable_sort(impl->order.begin(), impl->order.end(), [&](std::size_t a, std::size_t b) {
    return impl->slots[a].level < impl->slots[b].level;
  });
  for (Slot& s : impl->slots) {
    s.ctx.periodTicks = s.period;
    s.ctx.dtS = def.calendar.seconds(s.period);
    s.ctx.calendar = nullptr;  // set below once the scheduler owns its def
  }
  impl->stepStart = std::make_unique<std::atomic<std::int64_t>[]>(impl->slots.size());
  auto sched = std::unique_ptr<Scheduler>(new Scheduler(std::move(impl), def));
  for (Slot& s : sched->impl_->slots) {
    s.ctx.calendar = &sched->def_.calendar;
    s.ctx.bind(s.inputViews.data(), s.inputViews.size(), &s.pending, s.written.data(), &s.rng);
  }
  return sched;
}

void Scheduler::addObserver(Observer observer) {
  impl_->observers.push_back(std::move(observer));
}

Tick Scheduler::nextDueTick() const {
  Tick next = kNever;
  for (const Slot& s : impl_->slots)
    next = std::min(next, s.nextDue);
  if (impl_->nextIntervention < impl_->interventions.size()) {
    next = std::min(next, impl_->interventions[impl_->nextIntervention].at);
  }
  return std::min(next, def_.endTick);
}

Result<bool> Scheduler::advance(Tick stop) {
  if (impl_->failed)
    return fail(ErrorCode::ModelFailed, impl_->failure.message);
  if (impl_->endedAt >= 0)
    return false;
  const Tick t = nextDueTick();
  if (t >= def_.endTick || t >= stop)
    return false;
  Status st = processTick(t);
  if (!st)
    return Unexpected(st.error());
  return true;
}

Tick Scheduler::endedAt() const {
  return impl_->endedAt;
}

namespace {
std::int64_t steadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

Status Scheduler::runUntil(Tick stop) {
  // the step watchdog runs beside the steps while this call lasts
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  std::thread watchdog;
  if (def_.stepTimeoutS > 0 && def_.onStepTimeout) {
    watchdog = std::thread([&] {
      const auto limitNs = static_cast<std::int64_t>(def_.stepTimeoutS * 1e9);
      std::unique_lock lock(m);
      while (!cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return done; })) {
        const std::int64_t now = steadyNs();
        for (std::size_t i = 0; i < impl_->slots.size(); ++i) {
          const std::int64_t began = impl_->stepStart[i].load(std::memory_order_relaxed);
          if (began != 0 && now - began > limitNs) {
            const Slot& s = impl_->slots[i];
            def_.onStepTimeout(s.name, s.typeName, impl_->currentTick.load(),
                               static_cast<double>(now - began) * 1e-9);
            return;
          }
        }
      }
    });
  }
  auto finish = [&] {
    if (watchdog.joinable()) {
      {
        std::lock_guard lock(m);
        done = true;
      }
      cv.notify_all();
      watchdog.join();
    }
  };
  for (;;) {
    auto r = advance(stop);
    if (!r) {
      finish();
      return Unexpected(r.error());
    }
    if (!*r) {
      finish();
      return {};
    }
  }
}

void Scheduler::Impl::gather(Slot& s, Tick t) {
  for (std::size_t i = 0; i < s.inputs.size(); ++i) {
    InputSlot& in = s.inputs[i];
    if (in.connection < 0) {
      s.inputViews[i] = {};
      continue;
    }
    Connection& c = connections[static_cast<std::size_t>(in.connection)];
    const OutputSlot& out = slots[c.fromSlot].outputs[c.fromOutput];
    // the held value as this link sees it: delayed links never see this tick's commit
    const std::vector<double>& held =
        (c.link == LinkKind::Delayed && out.commitTick == t) ? out.previous : out.current;
    std::span<const double> view;
    if (c.adapter == Adapter::Hold) {
      view = held;
    } else {
      if (c.link == LinkKind::Delayed && c.stagedTick >= 0 && c.stagedTick < t) {
        c.main.merge(c.adapter, c.staged);
        c.staged.clear();
        c.stagedTick = -1;
      }
      Accumulator& acc = c.main;
      in.buffer.clear();
      if (acc.count == 0) {
        // nothing new: events are empty, sums are zero, the others hold the last value
        if (c.adapter == Adapter::Sum) {
          in.buffer.assign(held.size(), 0.0);
        } else if (c.adapter != Adapter::Events) {
          in.buffer.assign(held.begin(), held.end());
        }
      } else if (c.adapter == Adapter::Mean) {
        in.buffer.resize(acc.values.size());
        const double inv = 1.0 / static_cast<double>(acc.count);
        for (std::size_t k = 0; k < acc.values.size(); ++k)
          in.buffer[k] = acc.values[k] * inv;
      } else {
        in.buffer.assign(acc.values.begin(), acc.values.end());
      }
      acc.clear();
      view = in.buffer;
    }
    if (!c.conversion.isIdentity()) {
      // sums and differences scale but do not shift: only levels carry the offset
      const double offset = c.adapter == Adapter::Sum ? 0.0 : c.conversion.offset;
      if (view.data() != in.buffer.data())
        in.buffer.assign(view.begin(), view.end());
      for (double& v : in.buffer)
        v = v * c.conversion.factor + offset;
      view = in.buffer;
    }
    s.inputViews[i] = view;
  }
}

void Scheduler::Impl::commit(Slot& s, Tick t) {
  for (std::size_t o = 0; o < s.outputs.size(); ++o) {
    OutputSlot& out = s.outputs[o];
    const bool written = s.written[o] != 0;
    if (written) {
      std::swap(out.previous, out.current);
      std::swap(out.current, s.pending[o]);
      out.commitTick = t;
      s.written[o] = 0;
    }
    for (std::size_t ci : out.accumulating) {
      Connection& c = connections[ci];
      if (c.adapter == Adapter::Events && !written)
        continue;
      if (c.link == LinkKind::Delayed) {
        if (c.stagedTick >= 0 && c.stagedTick != t) {
          c.main.merge(c.adapter, c.staged);
          c.staged.clear();
        }
        c.staged.add(c.adapter, out.current);
        c.stagedTick = t;
      } else {
        c.main.add(c.adapter, out.current);
      }
    }
  }
}

Status Scheduler::processTick(Tick t) {
  Impl& im = *impl_;
  im.currentTick.store(t);
  // 1. interventions due now, in file order
  while (im.nextIntervention < im.interventions.size() &&
         im.interventions[im.nextIntervention].at <= t) {
    const InterventionDef& iv = im.interventions[im.nextIntervention];
    Slot& s = im.slots[static_cast<std::size_t>(im.interventionSlot[im.nextIntervention])];
    Status st = s.model->setParameter(iv.value);
    if (!st) {
      im.failed = true;
      im.failure = {s.name, t,
                    "intervention setting '" + iv.value.name + "' failed: " + st.error().message};
      return fail(ErrorCode::ModelFailed, im.failure.message);
    }
    ++im.nextIntervention;
  }
  Executor& exec = def_.executor != nullptr ? *def_.executor : im.serial;
  const bool parallel = exec.threads() > 1;

  // 2.-4. levels in order; due models of a level step (maybe in parallel), then commit
  std::size_t k = 0;
  while (k < im.order.size()) {
    const int level = im.slots[im.order[k]].level;
    im.levelDue.clear();
    for (; k < im.order.size() && im.slots[im.order[k]].level == level; ++k) {
      if (im.slots[im.order[k]].nextDue == t)
        im.levelDue.push_back(im.order[k]);
    }
    if (im.levelDue.empty())
      continue;
    auto stepOne = [&](std::size_t j) {
      Slot& s = im.slots[im.levelDue[j]];
      im.gather(s, t);
      s.ctx.tick = t;
      s.ctx.timeS = def_.calendar.seconds(t);
      std::chrono::steady_clock::time_point t0;
      if (def_.profile)
        t0 = std::chrono::steady_clock::now();
      std::atomic<std::int64_t>& began = im.stepStart[im.levelDue[j]];
      began.store(steadyNs(), std::memory_order_relaxed);
      try {
        s.lastStatus = s.model->step(s.ctx);
      } catch (...) {
        s.lastStatus = ModelStatus::Fatal;
      }
      began.store(0, std::memory_order_relaxed);
      if (def_.profile) {
        s.nanos += std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::steady_clock::now() - t0)
                       .count();
      }
    };
    if (parallel && im.levelDue.size() > 1) {
      exec.parallelFor(im.levelDue.size(), stepOne);
    } else {
      for (std::size_t j = 0; j < im.levelDue.size(); ++j)
        stepOne(j);
    }
    // commit in stable (level, scenario) order; the first failure in that order wins
    for (std::size_t idx : im.levelDue) {
      Slot& s = im.slots[idx];
      ++s.steps;
      s.nextDue = t + s.period;
      if (s.lastStatus == ModelStatus::Error || s.lastStatus == ModelStatus::Fatal) {
        if (!im.failed) {
          im.failed = true;
          std::string why = s.model->lastError();
          im.failure = {s.name, t, why.empty() ? "step returned an error" : why};
        }
        continue;
      }
      if (s.lastStatus == ModelStatus::Discard) {
        std::fill(s.written.begin(), s.written.end(), 0);
        log(LogLevel::Warning, s.name,
            "step at " + def_.calendar.iso(t) + " was discarded; outputs keep their values");
      }
      im.commit(s, t);
    }
    if (im.failed) {
      lastTick_ = t;
      return fail(ErrorCode::ModelFailed, im.failure.message);
    }
  }
  // models that were due but idle in no level cannot exist: every slot is in `order`
  lastTick_ = t;
  // a model that finished its work ends the run after this tick
  for (Slot& slot : im.slots) {
    if (slot.ctx.endRequested()) {
      slot.ctx.clearEndRequest();
      if (im.endedAt < 0) {
        im.endedAt = t;
        log(LogLevel::Info, slot.name,
            "finished its work; the run ends at " + def_.calendar.iso(t));
      }
    }
  }
  // 5. observers read committed state
  for (const Observer& ob : im.observers)
    ob(*this, t);
  return {};
}

std::size_t Scheduler::modelCount() const {
  return impl_->slots.size();
}
const std::string& Scheduler::modelName(std::size_t m) const {
  return impl_->slots[m].name;
}
Result<Frame> Scheduler::publishFrame() {
  Frame frame;
  frame.tick = lastTick_;
  frame.timeS = lastTick_ >= 0 ? def_.calendar.seconds(lastTick_) : 0.0;
  for (std::size_t m = 0; m < modelCount(); ++m) {
    const std::size_t before = frame.layers.size();
    if (Status st = model(m).publish(modelName(m), frame); !st) {
      return fail(st.error().code,
                  "model " + modelName(m) + " could not publish its layers: " + st.error().message);
    }
    for (std::size_t l = before; l < frame.layers.size(); ++l) {
      for (std::size_t k = 0; k < l; ++k) {
        if (frame.layers[k].name == frame.layers[l].name) {
          return fail(ErrorCode::ModelFailed, "model " + modelName(m) + " published layer " +
                                                  frame.layers[l].name + " twice");
        }
      }
      if (Status st = resolveRange(frame.layers[l]); !st)
        return Unexpected(st.error());
    }
  }
  return frame;
}

Model& Scheduler::model(std::size_t m) {
  return *impl_->slots[m].model;
}
const std::vector<PortSpec>& Scheduler::ports(std::size_t m) const {
  return impl_->slots[m].ports;
}
Tick Scheduler::period(std::size_t m) const {
  return impl_->slots[m].period;
}
int Scheduler::findModel(std::string_view name) const {
  for (std::size_t i = 0; i < impl_->slots.size(); ++i) {
    if (impl_->slots[i].name == name)
      return static_cast<int>(i);
  }
  return -1;
}
int Scheduler::findOutput(std::size_t m, std::string_view port) const {
  const Slot& s = impl_->slots[m];
  for (std::size_t i = 0; i < s.outputPorts.size(); ++i) {
    if (s.ports[s.outputPorts[i]].name == port)
      return static_cast<int>(i);
  }
  return -1;
}
std::span<const double> Scheduler::outputValue(std::size_t m, std::size_t o) const {
  return impl_->slots[m].outputs[o].current;
}
Tick Scheduler::outputCommitTick(std::size_t m, std::size_t o) const {
  return impl_->slots[m].outputs[o].commitTick;
}
const PortSpec& Scheduler::outputSpec(std::size_t m, std::size_t o) const {
  const Slot& s = impl_->slots[m];
  return s.ports[s.outputPorts[o]];
}
std::size_t Scheduler::outputCount(std::size_t m) const {
  return impl_->slots[m].outputPorts.size();
}
std::uint64_t Scheduler::stepCount(std::size_t m) const {
  return impl_->slots[m].steps;
}
std::int64_t Scheduler::stepNanos(std::size_t m) const {
  return impl_->slots[m].nanos;
}
std::uint64_t Scheduler::totalSteps() const {
  std::uint64_t total = 0;
  for (const Slot& s : impl_->slots)
    total += s.steps;
  return total;
}
const StepFailure* Scheduler::failure() const {
  return impl_->failed ? &impl_->failure : nullptr;
}

Result<std::vector<std::uint8_t>> Scheduler::snapshot() {
  ByteWriter w;
  w.put(kSnapshotMagic);
  w.put(lastTick_);
  w.put<std::uint64_t>(impl_->nextIntervention);
  w.put<std::uint64_t>(impl_->slots.size());
  for (Slot& s : impl_->slots) {
    w.put(s.rng.s);
    w.put(s.nextDue);
    w.put(s.steps);
    for (const OutputSlot& o : s.outputs) {
      w.put(o.commitTick);
      w.putDoubles(o.current);
      w.putDoubles(o.previous);
    }
    auto state = s.model->saveState();
    if (!state) {
      return fail(ErrorCode::ModelFailed,
                  "model '" + s.name + "' could not save its state: " + state.error().message);
    }
    w.putBytes(*state);
  }
  for (const Connection& c : impl_->connections) {
    c.main.save(w);
    c.staged.save(w);
    w.put(c.stagedTick);
  }
  // a run a model ended stays ended when restored (only then: the snapshots and state hashes
  // of runs that go to their end keep their form)
  if (impl_->endedAt >= 0) {
    w.put(kEndedTag);
    w.put(impl_->endedAt);
  }
  return std::move(w.bytes());
}

Status Scheduler::restore(std::span<const std::uint8_t> bytes) {
  ByteReader r(bytes);
  auto bad = [](const std::string& why) {
    return fail(ErrorCode::BadInput, "snapshot does not fit this scenario: " + why);
  };
  if (r.get<std::uint32_t>() != kSnapshotMagic)
    return bad("not a citytwin snapshot");
  const Tick last = r.get<Tick>();
  const auto nextIv = r.get<std::uint64_t>();
  if (r.get<std::uint64_t>() != impl_->slots.size())
    return bad("different number of models");
  for (Slot& s : impl_->slots) {
    s.rng.s = r.get<decltype(s.rng.s)>();
    s.nextDue = r.get<Tick>();
    s.steps = r.get<std::uint64_t>();
    for (OutputSlot& o : s.outputs) {
      o.commitTick = r.get<Tick>();
      r.getDoubles(o.current);
      r.getDoubles(o.previous);
    }
    auto state = r.getBytes();
    if (!r.ok())
      return bad("truncated");
    Status st = s.model->loadState(state);
    if (!st)
      return bad("model '" + s.name + "': " + st.error().message);
  }
  for (Connection& c : impl_->connections) {
    c.main.load(r);
    c.staged.load(r);
    c.stagedTick = r.get<Tick>();
  }
  Tick endedAt = -1;
  if (r.ok() && !r.atEnd()) {
    if (r.get<std::uint32_t>() != kEndedTag)
      return bad("trailing bytes");
    endedAt = r.get<Tick>();
  }
  if (!r.ok() || !r.atEnd())
    return bad("truncated or trailing bytes");
  if (nextIv > impl_->interventions.size())
    return bad("intervention cursor out of range");
  lastTick_ = last;
  impl_->endedAt = endedAt;
  impl_->nextIntervention = static_cast<std::size_t>(nextIv);
  impl_->failed = false;
  return {};
}

Result<std::uint64_t> Scheduler::stateHash() {
  auto snap = snapshot();
  if (!snap)
    return Unexpected(snap.error());
  Fnv1a64 h;
  h.add(std::as_bytes(std::span(snap->data(), snap->size())));
  return h.value();
}

}  // namespace twin::core
