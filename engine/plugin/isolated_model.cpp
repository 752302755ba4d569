// SPDX-License-Identifier: Apache-2.0
// --isolate-plugins: a plugin model instance in a child process of its own.
//
// The engine forks once per instance after the plugin and the city are loaded, so the child
// holds the same library, parameters and city tables without copying them. The child creates
// the instance (create + init), then serves the core::Model calls that arrive on a Unix stream
// socket until it is told to quit or its parent dies (PR_SET_PDEATHSIG). Each step carries the
// inputs, the step's clock and the instance's random stream to the child and brings back the
// status, the outputs written, the stream and an end request, so an isolated run computes the
// same bits as one in a single process. Log records of the child are forwarded to the engine's
// log as they happen.
//
// What isolation buys: a plugin that dereferences a bad pointer, aborts, calls exit() or runs
// out of memory ends its own process; the engine sees the socket close, reads the child's exit
// status and fails the run with the model's name, its plugin file and the signal. A call that
// runs longer than callTimeoutS is answered by stopping the child (SIGKILL), so a hung plugin
// ends the run cleanly too. The price: one process per instance, a socket round trip per step,
// the host's parallel_for runs on the child's one thread, and each child builds its own ray
// structures on first use.
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "core/bytes.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "plugin/loader.hpp"

namespace twin::plugin {
namespace {
using core::ByteReader;
using core::ByteWriter;
using core::ErrorCode;
using core::fail;

enum class Msg : std::uint32_t {
  Hello = 1,  // child -> parent after create/init: ok or the error
  Step,
  SetParam,
  Save,
  Load,
  Kpis,
  Publish,
  Quit,
  Log = 100,  // child -> parent, any time during a call
  Reply = 101
};

struct Header {
  std::uint32_t kind = 0;
  std::uint32_t pad = 0;
  std::uint64_t size = 0;
};

// a message larger than this is a broken child, not a big frame
constexpr std::uint64_t kMaxMessage = std::uint64_t{1} << 34;

bool writeAll(int fd, const void* data, std::size_t n) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  while (n > 0) {
    const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

bool sendMsg(int fd, Msg kind, const std::vector<std::uint8_t>& payload) {
  const Header h{static_cast<std::uint32_t>(kind), 0, payload.size()};
  return writeAll(fd, &h, sizeof h) &&
         (payload.empty() || writeAll(fd, payload.data(), payload.size()));
}

enum class ReadResult { Ok, Closed, Timeout };

// Reads n bytes; waits at most until `deadline` (steady clock ns; 0: forever).
ReadResult readAll(int fd, void* data, std::size_t n, std::int64_t deadline) {
  auto* p = static_cast<std::uint8_t*>(data);
  while (n > 0) {
    int waitMs = -1;
    if (deadline > 0) {
      const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count();
      if (now >= deadline)
        return ReadResult::Timeout;
      waitMs = static_cast<int>(std::min<std::int64_t>((deadline - now) / 1'000'000 + 1, 60'000));
    }
    pollfd pfd{fd, POLLIN, 0};
    const int pr = ::poll(&pfd, 1, waitMs);
    if (pr < 0 && errno == EINTR)
      continue;
    if (pr < 0)
      return ReadResult::Closed;
    if (pr == 0)
      continue;  // the deadline is checked above
    const ssize_t r = ::recv(fd, p, n, 0);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return ReadResult::Closed;
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  return ReadResult::Ok;
}

void putString(ByteWriter& w, std::string_view s) {
  w.putBytes({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
}
std::string getString(ByteReader& r) {
  auto b = r.getBytes();
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// --- the values that cross the socket ---

void putParam(ByteWriter& w, const core::ParamValue& p) {
  putString(w, p.name);
  w.put<std::uint32_t>(static_cast<std::uint32_t>(p.value.index()));
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          putString(w, v);
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          w.put<std::uint64_t>(v.size());
          for (const std::string& s : v)
            putString(w, s);
        } else {
          w.put<T>(v);
        }
      },
      p.value);
}
core::ParamValue getParam(ByteReader& r) {
  core::ParamValue p;
  p.name = getString(r);
  switch (r.get<std::uint32_t>()) {
    case 0:
      p.value = r.get<double>();
      break;
    case 1:
      p.value = r.get<std::int64_t>();
      break;
    case 2:
      p.value = r.get<bool>();
      break;
    case 3:
      p.value = getString(r);
      break;
    default: {
      std::vector<std::string> items;
      const auto n = r.get<std::uint64_t>();
      for (std::uint64_t i = 0; i < n && r.ok(); ++i)
        items.push_back(getString(r));
      p.value = std::move(items);
    }
  }
  return p;
}

void putLayer(ByteWriter& w, const core::Layer& l) {
  putString(w, l.name);
  putString(w, l.title);
  putString(w, l.unit);
  w.put<std::int32_t>(static_cast<std::int32_t>(l.kind));
  w.put<std::int32_t>(static_cast<std::int32_t>(l.scale));
  w.put(l.valueMin);
  w.put(l.valueMax);
  w.put<std::uint64_t>(l.instances.size());
  for (const core::InstanceItem& i : l.instances)
    w.put(i);
  w.putDoubles(l.values);
  w.put<std::uint64_t>(l.polygons.size());
  for (const core::GroundPolygon& g : l.polygons) {
    w.putDoubles(g.xy);
    w.put(g.value);
  }
  w.put<std::uint64_t>(l.lines.size());
  for (const core::GroundLine& g : l.lines) {
    w.putDoubles(g.xy);
    w.put(g.value);
  }
  w.put<std::uint64_t>(l.points.size());
  for (const core::GroundPoint& g : l.points)
    w.put(g);
  w.put(l.raster.originX);
  w.put(l.raster.originY);
  w.put(l.raster.cellM);
  w.put<std::uint64_t>(l.raster.nx);
  w.put<std::uint64_t>(l.raster.ny);
  w.putDoubles(l.raster.values);
  w.put<std::uint64_t>(l.labels.size());
  for (const core::Label& g : l.labels) {
    w.put(g.x);
    w.put(g.y);
    w.put(g.z);
    putString(w, g.text);
  }
}

core::Layer getLayer(ByteReader& r, std::size_t size) {
  core::Layer l;
  l.name = getString(r);
  l.title = getString(r);
  l.unit = getString(r);
  l.kind = static_cast<core::LayerKind>(r.get<std::int32_t>());
  l.scale = static_cast<core::ColourScale>(r.get<std::int32_t>());
  l.valueMin = r.get<double>();
  l.valueMax = r.get<double>();
  auto n = r.get<std::uint64_t>();
  for (std::uint64_t i = 0; i < n && r.ok() && i <= size; ++i)
    l.instances.push_back(r.get<core::InstanceItem>());
  r.getDoubles(l.values);
  n = r.get<std::uint64_t>();
  for (std::uint64_t i = 0; i < n && r.ok() && i <= size; ++i) {
    core::GroundPolygon& g = l.polygons.emplace_back();
    r.getDoubles(g.xy);
    g.value = r.get<double>();
  }
  n = r.get<std::uint64_t>();
  for (std::uint64_t i = 0; i < n && r.ok() && i <= size; ++i) {
    core::GroundLine& g = l.lines.emplace_back();
    r.getDoubles(g.xy);
    g.value = r.get<double>();
  }
  n = r.get<std::uint64_t>();
  for (std::uint64_t i = 0; i < n && r.ok() && i <= size; ++i)
    l.points.push_back(r.get<core::GroundPoint>());
  l.raster.originX = r.get<double>();
  l.raster.originY = r.get<double>();
  l.raster.cellM = r.get<double>();
  l.raster.nx = static_cast<std::size_t>(r.get<std::uint64_t>());
  l.raster.ny = static_cast<std::size_t>(r.get<std::uint64_t>());
  r.getDoubles(l.raster.values);
  n = r.get<std::uint64_t>();
  for (std::uint64_t i = 0; i < n && r.ok() && i <= size; ++i) {
    core::Label& g = l.labels.emplace_back();
    g.x = r.get<double>();
    g.y = r.get<double>();
    g.z = r.get<double>();
    g.text = getString(r);
  }
  return l;
}

// a reply: ok, or the error's code and message, then the payload
void putStatus(ByteWriter& w, const core::Status& st) {
  w.put<std::uint8_t>(st ? 1 : 0);
  if (!st) {
    w.put<std::int32_t>(static_cast<std::int32_t>(st.error().code));
    putString(w, st.error().message);
  }
}

// --- the child ---

int g_childFd = -1;  // the child's end of the socket, for the forwarding log sink

[[noreturn]] void serve(int fd, const ModelType& type, InstanceDef def) {
  g_childFd = fd;
  core::setLogSink([](core::LogLevel level, std::string_view source, std::string_view message) {
    ByteWriter w;
    w.put<std::int32_t>(static_cast<std::int32_t>(level));
    putString(w, source);
    putString(w, message);
    sendMsg(g_childFd, Msg::Log, w.bytes());
  });
  def.isolate = false;
  def.executor = nullptr;  // the worker threads did not cross fork(): parallel_for runs here
  auto made = instantiate(type, def);
  {
    ByteWriter w;
    putStatus(w, made ? core::Status{} : core::Status{core::Unexpected(made.error())});
    if (!sendMsg(fd, Msg::Hello, w.bytes()) || !made)
      ::_exit(0);
  }
  core::Model& model = **made;
  std::vector<std::uint8_t> payload;
  for (;;) {
    Header h;
    if (readAll(fd, &h, sizeof h, 0) != ReadResult::Ok || h.size > kMaxMessage)
      break;
    payload.resize(h.size);
    if (h.size > 0 && readAll(fd, payload.data(), h.size, 0) != ReadResult::Ok)
      break;
    ByteReader in(payload);
    ByteWriter out;
    switch (static_cast<Msg>(h.kind)) {
      case Msg::Step: {
        core::StepContext ctx;
        core::Calendar cal;
        ctx.tick = in.get<core::Tick>();
        ctx.periodTicks = in.get<core::Tick>();
        ctx.timeS = in.get<double>();
        ctx.dtS = in.get<double>();
        cal.startUnixS = in.get<std::int64_t>();
        cal.utcOffsetS = in.get<std::int32_t>();
        cal.tickNs = in.get<std::int64_t>();
        ctx.calendar = &cal;
        core::RngStream rng;
        for (auto& word : rng.s)
          word = in.get<std::uint64_t>();
        const auto nIn = in.get<std::uint64_t>();
        std::vector<std::vector<double>> inputs(std::min<std::uint64_t>(nIn, h.size));
        for (auto& v : inputs)
          in.getDoubles(v);
        const auto nOut = in.get<std::uint64_t>();
        std::vector<std::vector<double>> pending(std::min<std::uint64_t>(nOut, h.size));
        std::vector<std::uint8_t> written(pending.size(), 0);
        std::vector<std::span<const double>> spans(inputs.begin(), inputs.end());
        ctx.bind(spans.data(), spans.size(), &pending, written.data(), &rng);
        core::ModelStatus st = core::ModelStatus::Fatal;
        try {
          st = model.step(ctx);
        } catch (...) {
        }
        out.put<std::int32_t>(static_cast<std::int32_t>(st));
        for (auto word : rng.s)
          out.put(word);
        out.put<std::uint8_t>(ctx.endRequested() ? 1 : 0);
        out.put<std::uint64_t>(pending.size());
        for (std::size_t i = 0; i < pending.size(); ++i) {
          out.put<std::uint8_t>(written[i]);
          if (written[i] != 0)
            out.putDoubles(pending[i]);
        }
        putString(out, st == core::ModelStatus::Error || st == core::ModelStatus::Fatal
                           ? model.lastError()
                           : std::string());
        break;
      }
      case Msg::SetParam:
        putStatus(out, model.setParameter(getParam(in)));
        break;
      case Msg::Save: {
        auto s = model.saveState();
        putStatus(out, s ? core::Status{} : core::Status{core::Unexpected(s.error())});
        if (s)
          out.putBytes(*s);
        break;
      }
      case Msg::Load: {
        auto bytes = in.getBytes();
        putStatus(out, model.loadState(bytes));
        break;
      }
      case Msg::Kpis: {
        auto k = model.kpiValues();
        putStatus(out, k ? core::Status{} : core::Status{core::Unexpected(k.error())});
        if (k)
          out.putDoubles(*k);
        break;
      }
      case Msg::Publish: {
        const std::string prefix = getString(in);
        core::Frame frame;
        frame.tick = in.get<core::Tick>();
        frame.timeS = in.get<double>();
        const core::Status st = model.publish(prefix, frame);
        putStatus(out, st);
        out.put<std::uint64_t>(frame.layers.size());
        for (const core::Layer& l : frame.layers)
          putLayer(out, l);
        break;
      }
      default:  // Quit, or a message this child does not know
        made->reset();
        ::_exit(0);
    }
    if (!sendMsg(fd, Msg::Reply, out.bytes()))
      break;
  }
  // the parent is gone: nobody is left to answer
  made->reset();
  ::_exit(0);
}

std::string signalText(int sig) {
  const char* d = ::strsignal(sig);
  return "signal " + std::to_string(sig) + (d != nullptr ? " (" + std::string(d) + ")" : "");
}

// --- the parent's side ---

class IsolatedModel final : public core::Model {
 public:
  IsolatedModel(const ModelType& type, const InstanceDef& def)
      : type_(type), name_(def.name), timeoutS_(def.callTimeoutS) {}
  ~IsolatedModel() override {
    if (pid_ <= 0)
      return;
    if (!dead_ && sendMsg(fd_, Msg::Quit, {})) {
      // the child destroys its instance and exits; it gets a few seconds for that
      char c;
      const std::int64_t deadline = nowNs() + 5'000'000'000;
      (void)readAll(fd_, &c, 1, deadline);
    }
    ::kill(pid_, SIGKILL);  // harmless when it has exited; it is ours to reap
    int ws = 0;
    ::waitpid(pid_, &ws, 0);
    ::close(fd_);
  }
  IsolatedModel(const IsolatedModel&) = delete;
  IsolatedModel& operator=(const IsolatedModel&) = delete;

  core::Status start(const InstanceDef& def) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
      return fail(ErrorCode::Internal,
                  describeInstance(type_, name_) +
                      ": cannot make a socket for its process: " + std::strerror(errno));
    }
    std::fflush(stdout);  // a child that calls exit() must not write the parent's buffers again
    std::fflush(stderr);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
      const int e = errno;
      ::close(sv[0]);
      ::close(sv[1]);
      return fail(ErrorCode::Internal, describeInstance(type_, name_) +
                                           ": cannot start its process: " + std::strerror(e));
    }
    if (pid == 0) {
      ::close(sv[0]);
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // the engine's end is the child's end
      if (::getppid() != parent)
        ::_exit(0);
      ::signal(SIGINT, SIG_IGN);  // Ctrl-C is the engine's to handle
      ::signal(SIGTERM, SIG_DFL);
      serve(sv[1], type_, def);
    }
    ::close(sv[1]);
    pid_ = pid;
    fd_ = sv[0];
    auto hello = call(Msg::Hello, {}, "create", false);
    if (!hello)
      return core::Unexpected(hello.error());
    ByteReader r(*hello);
    return readStatus(r);
  }

  core::ModelStatus step(core::StepContext& ctx) override {
    ByteWriter w;
    w.put<core::Tick>(ctx.tick);
    w.put<core::Tick>(ctx.periodTicks);
    w.put(ctx.timeS);
    w.put(ctx.dtS);
    w.put<std::int64_t>(ctx.calendar->startUnixS);
    w.put<std::int32_t>(ctx.calendar->utcOffsetS);
    w.put<std::int64_t>(ctx.calendar->tickNs);
    for (auto word : ctx.rng().s)
      w.put(word);
    w.put<std::uint64_t>(ctx.inputCount());
    for (std::size_t i = 0; i < ctx.inputCount(); ++i)
      w.putDoubles(ctx.input(i));
    w.put<std::uint64_t>(ctx.outputCount());
    auto reply = call(Msg::Step, w.bytes(), "step");
    if (!reply) {
      setLastError(reply.error().message);
      return core::ModelStatus::Fatal;
    }
    ByteReader r(*reply);
    const auto st = static_cast<core::ModelStatus>(r.get<std::int32_t>());
    for (auto& word : ctx.rng().s)
      word = r.get<std::uint64_t>();
    const bool end = r.get<std::uint8_t>() != 0;
    const auto nOut = r.get<std::uint64_t>();
    std::vector<double> v;
    for (std::uint64_t i = 0; i < nOut && r.ok(); ++i) {
      if (r.get<std::uint8_t>() != 0) {
        r.getDoubles(v);
        if (i < ctx.outputCount())
          ctx.output(static_cast<std::size_t>(i), v);
      }
    }
    std::string why = getString(r);
    if (!r.ok() || nOut != ctx.outputCount()) {
      setLastError("its process sent a malformed step reply");
      return core::ModelStatus::Fatal;
    }
    if (end)
      ctx.requestEnd();
    if (st == core::ModelStatus::Error || st == core::ModelStatus::Fatal)
      setLastError(std::move(why));
    return st;
  }

  core::Status setParameter(const core::ParamValue& value) override {
    ByteWriter w;
    putParam(w, value);
    auto reply = call(Msg::SetParam, w.bytes(), "set_param");
    if (!reply)
      return core::Unexpected(reply.error());
    ByteReader r(*reply);
    return readStatus(r);
  }

  core::Result<std::vector<std::uint8_t>> saveState() override {
    auto reply = call(Msg::Save, {}, "save_state");
    if (!reply)
      return core::Unexpected(reply.error());
    ByteReader r(*reply);
    if (core::Status st = readStatus(r); !st)
      return core::Unexpected(st.error());
    auto bytes = r.getBytes();
    if (!r.ok())
      return fail(ErrorCode::ModelFailed, "its process sent a malformed snapshot");
    return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
  }

  core::Status loadState(std::span<const std::uint8_t> state) override {
    ByteWriter w;
    w.putBytes(state);
    auto reply = call(Msg::Load, w.bytes(), "load_state");
    if (!reply)
      return core::Unexpected(reply.error());
    ByteReader r(*reply);
    return readStatus(r);
  }

  core::Result<std::vector<double>> kpiValues() override {
    auto reply = call(Msg::Kpis, {}, "kpi_values");
    if (!reply)
      return core::Unexpected(reply.error());
    ByteReader r(*reply);
    if (core::Status st = readStatus(r); !st)
      return core::Unexpected(st.error());
    std::vector<double> v;
    r.getDoubles(v);
    if (!r.ok())
      return fail(ErrorCode::ModelFailed, "its process sent malformed KPI values");
    return v;
  }

  std::string lastError() const override {
    std::lock_guard lock(mutex_);
    return lastError_;
  }

  core::Status publish(const std::string& prefix, core::Frame& frame) override {
    ByteWriter w;
    putString(w, prefix);
    w.put<core::Tick>(frame.tick);
    w.put(frame.timeS);
    auto reply = call(Msg::Publish, w.bytes(), "publish");
    if (!reply)
      return core::Unexpected(reply.error());
    ByteReader r(*reply);
    core::Status st = readStatus(r);
    const auto n = r.get<std::uint64_t>();
    for (std::uint64_t i = 0; i < n && r.ok(); ++i)
      frame.layers.push_back(getLayer(r, reply->size()));
    if (!r.ok())
      return fail(ErrorCode::ModelFailed, "its process sent malformed layers");
    return st;
  }

 private:
  static std::int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  void setLastError(std::string e) {
    std::lock_guard lock(mutex_);
    lastError_ = std::move(e);
  }
  static core::Status readStatus(ByteReader& r) {
    if (r.get<std::uint8_t>() != 0)
      return {};
    const auto code = static_cast<ErrorCode>(r.get<std::int32_t>());
    std::string message = getString(r);
    return fail(code, message);
  }

  // Sends a request and waits for its reply, forwarding the child's log records meanwhile.
  // `timed`: the call has callTimeoutS to answer (when > 0). A child that dies or does not
  // answer in time is reaped and described.
  core::Result<std::vector<std::uint8_t>> call(Msg kind, const std::vector<std::uint8_t>& payload,
                                               const char* what, bool timed = true) {
    if (dead_)
      return fail(ErrorCode::ModelFailed, deathNote_);
    const std::int64_t began = nowNs();
    if (kind != Msg::Hello && !sendMsg(fd_, kind, payload))
      return died(what, false);
    const std::int64_t deadline =
        timed && timeoutS_ > 0 ? began + static_cast<std::int64_t>(timeoutS_ * 1e9) : 0;
    const Msg expected = kind == Msg::Hello ? Msg::Hello : Msg::Reply;
    std::vector<std::uint8_t> body;
    for (;;) {
      Header h;
      ReadResult rr = readAll(fd_, &h, sizeof h, deadline);
      if (rr == ReadResult::Ok && h.size > kMaxMessage)
        rr = ReadResult::Closed;
      if (rr == ReadResult::Ok) {
        body.resize(h.size);
        if (h.size > 0)
          rr = readAll(fd_, body.data(), h.size, deadline);
      }
      if (rr == ReadResult::Timeout)
        return died(what, true, static_cast<double>(nowNs() - began) * 1e-9);
      if (rr == ReadResult::Closed)
        return died(what, false);
      if (static_cast<Msg>(h.kind) == Msg::Log) {
        ByteReader r(body);
        const auto level = static_cast<core::LogLevel>(r.get<std::int32_t>());
        const std::string source = getString(r);
        const std::string message = getString(r);
        if (r.ok())
          core::log(level, source, message);
        continue;
      }
      if (static_cast<Msg>(h.kind) != expected)
        return died(what, false);
      return body;
    }
  }

  // The child is gone or must go: stop it, reap it and say what happened.
  core::Unexpected died(const char* what, bool timedOut, double seconds = 0.0) {
    if (timedOut)
      ::kill(pid_, SIGKILL);
    int ws = 0;
    pid_t got = 0;
    const std::int64_t deadline = nowNs() + 2'000'000'000;
    while ((got = ::waitpid(pid_, &ws, WNOHANG)) == 0 && nowNs() < deadline)
      ::usleep(10'000);
    if (got == 0) {  // a closed socket but a live process: it is stopped as well
      ::kill(pid_, SIGKILL);
      got = ::waitpid(pid_, &ws, 0);
    }
    std::string how;
    if (timedOut) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.1f s", seconds);
      how = "its " + std::string(what) + " did not finish within " + buf +
            " (--step-timeout); its process was stopped";
    } else if (got > 0 && WIFSIGNALED(ws)) {
      how = "its process was killed by " + signalText(WTERMSIG(ws)) + " in " + what;
    } else if (got > 0 && WIFEXITED(ws)) {
      how = "its process exited with status " + std::to_string(WEXITSTATUS(ws)) + " in " + what +
            " (a crash caught by a sanitizer, or exit() in the plugin)";
    } else {
      how = "its process stopped answering in " + std::string(what);
    }
    how += " (--isolate-plugins: the engine was not harmed)";
    dead_ = true;
    pid_ = -1;
    deathNote_ = how;
    setLastError(how);
    ::close(fd_);
    fd_ = -1;
    return core::Unexpected(ErrorCode::ModelFailed, how);
  }

  ModelType type_;
  std::string name_;
  double timeoutS_ = 0.0;
  pid_t pid_ = -1;
  int fd_ = -1;
  bool dead_ = false;
  std::string deathNote_;
  mutable std::mutex mutex_;
  std::string lastError_;
};

}  // namespace

core::Result<std::unique_ptr<core::Model>> instantiateIsolated(const ModelType& type,
                                                               const InstanceDef& def) {
  auto m = std::make_unique<IsolatedModel>(type, def);
  if (core::Status st = m->start(def); !st) {
    return fail(st.error().code,
                st.error().message.find(describeInstance(type, def.name)) == 0
                    ? st.error().message
                    : describeInstance(type, def.name) + ": " + st.error().message);
  }
  return std::unique_ptr<core::Model>(std::move(m));
}

}  // namespace twin::plugin
