// SPDX-License-Identifier: Apache-2.0
// Models used by the plugin, scenario and CLI tests: a counter (with an optional slow-down, for
// kill tests) and a model that fails in step at a given time.
#include <array>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <thread>

#include "twin/plugin.hpp"

namespace {

class Counter {
 public:
  static constexpr const char* kTypeName = "test.counter";
  static constexpr const char* kVersion = "0.1.0";
  static constexpr const char* kSummary = "Counts its steps; sums its load input (tests only)";
  static constexpr std::array<TwinPortDesc, 3> kPorts{{
      {"load", TWIN_PORT_IN, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "W/m2", "summed every step"},
      {"count", TWIN_PORT_OUT, TWIN_VALUE_I64, TWIN_SHAPE_SCALAR, 0, "1", "steps so far"},
      {"total", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "W/m2", "load times gain"},
  }};
  static constexpr std::array<TwinParamDesc, 2> kParams{{
      {"sleep", TWIN_PARAM_NUMBER, "s", "0s", 0, "wall time to sleep per step"},
      {"gain", TWIN_PARAM_NUMBER, "1", "1", 1, "multiplies the load"},
  }};
  static constexpr std::array<TwinKpiDesc, 2> kKpis{{
      {"steps", "1", "number of steps"},
      {"load_sum", "W/m2", "sum of the load input"},
  }};
  explicit Counter(const twin::sdk::Config& c)
      : sleepS_(c.number("sleep")), gain_(c.number("gain")) {}
  void init() {}
  TwinStatus step(twin::sdk::Step& s) {
    if (sleepS_ > 0)
      std::this_thread::sleep_for(std::chrono::duration<double>(sleepS_));
    ++count_;
    const double load = s.inputOr(0, 0.0);
    sum_ += load;
    s.output(0, static_cast<double>(count_));
    s.output(1, load * gain_ + static_cast<double>(s.randomU64() % 7));
    return TWIN_OK;
  }
  void setParam(const TwinParamValue& v) { gain_ = v.number; }
  std::vector<std::uint8_t> saveState() const {
    return twin::sdk::StateWriter().put(count_).put(sum_).put(gain_).take();
  }
  void loadState(std::span<const std::uint8_t> s) {
    twin::sdk::StateReader r(s);
    count_ = r.get<std::int64_t>();
    sum_ = r.get<double>();
    gain_ = r.get<double>();
    r.expectEnd();
  }
  std::vector<double> kpis() const { return {static_cast<double>(count_), sum_}; }

 private:
  double sleepS_;
  double gain_;
  std::int64_t count_ = 0;
  double sum_ = 0.0;
};

class Failing {
 public:
  static constexpr const char* kTypeName = "test.failing";
  static constexpr const char* kVersion = "0.1.0";
  static constexpr const char* kSummary = "Fails in step at a given time (tests only)";
  static constexpr std::array<TwinPortDesc, 1> kPorts{{
      {"value", TWIN_PORT_OUT, TWIN_VALUE_F64, TWIN_SHAPE_SCALAR, 0, "1", "always 1"},
  }};
  static constexpr std::array<TwinParamDesc, 2> kParams{{
      {"fail_at", TWIN_PARAM_NUMBER, "s", nullptr, 0, "sim time of the failure"},
      {"mode", TWIN_PARAM_STRING, nullptr, "throw", 0, "throw or status"},
  }};
  static constexpr std::array<TwinKpiDesc, 0> kKpis{};
  explicit Failing(const twin::sdk::Config& c)
      : failAt_(c.number("fail_at")), mode_(c.text("mode")) {
    if (failAt_ < 0)
      throw std::invalid_argument("fail_at must not be negative");
  }
  void init() {}
  TwinStatus step(twin::sdk::Step& s) {
    if (s.timeS() >= failAt_) {
      if (mode_ == "status")
        return TWIN_ERROR;
      throw std::runtime_error("simulated failure in step");
    }
    s.output(0, 1.0);
    return TWIN_OK;
  }
  std::vector<std::uint8_t> saveState() const { return {}; }
  void loadState(std::span<const std::uint8_t>) {}
  std::vector<double> kpis() const { return {}; }

 private:
  double failAt_;
  std::string mode_;
};

}  // namespace

TWIN_PLUGIN("test-models", "0.1.0", TWIN_MODEL(Counter), TWIN_MODEL(Failing))
