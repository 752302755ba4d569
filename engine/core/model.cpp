// SPDX-License-Identifier: Apache-2.0
#include "core/model.hpp"

#include <array>

#include "core/executor.hpp"

namespace twin::core {

Model::~Model() = default;

Status Model::setParameter(const ParamValue& value) {
  return fail(ErrorCode::BadInput, "parameter '" + value.name + "' cannot be changed at run time");
}

Result<std::vector<std::uint8_t>> Model::saveState() {
  return std::vector<std::uint8_t>{};
}

Status Model::loadState(std::span<const std::uint8_t> state) {
  if (!state.empty()) {
    return fail(ErrorCode::BadInput, "model has no state but was given some");
  }
  return {};
}

Result<std::vector<double>> Model::kpiValues() {
  return std::vector<double>{};
}

std::string Model::lastError() const {
  return {};
}

Status Model::publish(const std::string& /*prefix*/, Frame& /*frame*/) {
  return {};
}

Executor::~Executor() = default;

void SerialExecutor::parallelFor(std::size_t count, const std::function<void(std::size_t)>& fn) {
  for (std::size_t i = 0; i < count; ++i)
    fn(i);
}

std::string_view toString(ValueType t) {
  switch (t) {
    case ValueType::F64:
      return "f64";
    case ValueType::I64:
      return "i64";
    case ValueType::Bool:
      return "bool";
  }
  return "?";
}
std::string_view toString(PortShape s) {
  return s == PortShape::Scalar ? "scalar" : "entity";
}
std::string_view toString(PortDirection d) {
  return d == PortDirection::In ? "in" : "out";
}

namespace {
constexpr std::array<std::pair<Adapter, std::string_view>, 6> kAdapters{{
    {Adapter::Hold, "hold"},
    {Adapter::Mean, "mean"},
    {Adapter::Sum, "sum"},
    {Adapter::Min, "min"},
    {Adapter::Max, "max"},
    {Adapter::Events, "events"},
}};
}  // namespace

std::string_view toString(Adapter a) {
  for (const auto& [value, name] : kAdapters) {
    if (value == a)
      return name;
  }
  return "?";
}

bool parseAdapter(std::string_view text, Adapter& out) {
  for (const auto& [value, name] : kAdapters) {
    if (name == text) {
      out = value;
      return true;
    }
  }
  return false;
}

}  // namespace twin::core
