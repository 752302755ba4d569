// SPDX-License-Identifier: Apache-2.0
// Scenario validation: the schema of DESIGN.md §4 plus what the model types declare.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <sstream>

#include "core/hash.hpp"
#include "core/units.hpp"
#include "io/scenario.hpp"

namespace twin::io {
namespace fs = std::filesystem;
using core::ErrorCode;
using core::fail;
using plugin::ParamKind;
using plugin::ParamSpec;

namespace {

bool isIdentifier(std::string_view s) {
  if (s.empty() || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

class Validator {
 public:
  Validator(const ScenarioDocument& doc, const plugin::Registry& registry,
            std::vector<Diagnostic>& problems)
      : doc_(doc), registry_(registry), problems_(problems) {}

  core::Result<Scenario> run();

 private:
  void problem(const Location& where, std::string message) {
    problems_.push_back({where, std::move(message)});
  }

  std::string suggestion(std::string_view key, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t bestD = std::string::npos;
    for (const std::string& c : candidates) {
      const std::size_t d = editDistance(key, c);
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    const std::size_t limit = std::max<std::size_t>(2, key.size() / 3);
    if (!best.empty() && bestD <= limit) {
      suggested_.push_back(best);
      return "; did you mean '" + best + "'?";
    }
    return "";
  }

  // a required key that is missing, unless a misspelt key was already reported for it
  void missing(const Node& parent, std::string_view key, const std::string& message) {
    for (const Node::Entry& e : parent.entries) {
      if (editDistance(e.key, key) <= std::max<std::size_t>(2, key.size() / 3) &&
          std::find(suggested_.begin(), suggested_.end(), key) != suggested_.end()) {
        return;
      }
    }
    problem(parent.where, message);
  }

  std::string listOf(const std::vector<std::string>& keys) {
    std::string out;
    for (const auto& k : keys)
      out += (out.empty() ? "" : ", ") + k;
    return out;
  }

  // reports keys of `map` not in `allowed`
  void checkKeys(const Node& map, const std::vector<std::string>& allowed,
                 std::string_view context) {
    for (const Node::Entry& e : map.entries) {
      if (std::find(allowed.begin(), allowed.end(), e.key) == allowed.end()) {
        problem(e.keyWhere, "unknown key '" + e.key + "' in " + std::string(context) +
                                suggestion(e.key, allowed) +
                                " (expected one of: " + listOf(allowed) + ")");
      }
    }
  }

  const Node* requireMap(const Node& parent, std::string_view key, bool required) {
    const Node::Entry* e = parent.findEntry(key);
    if (e == nullptr) {
      if (required)
        missing(parent, key, "missing required key '" + std::string(key) + "'");
      return nullptr;
    }
    if (!e->value.isMap()) {
      problem(e->value.where, "'" + std::string(key) + "' must be a map, found " +
                                  std::string(e->value.kindName()));
      return nullptr;
    }
    return &e->value;
  }

  std::optional<std::string> scalar(const Node& parent, std::string_view key, bool required,
                                    std::string_view expected) {
    const Node::Entry* e = parent.findEntry(key);
    if (e == nullptr) {
      if (required) {
        missing(parent, key,
                "missing required key '" + std::string(key) + "' (" + std::string(expected) + ")");
      }
      return std::nullopt;
    }
    if (!e->value.isScalar()) {
      problem(e->value.where, "'" + std::string(key) + "' must be " + std::string(expected) +
                                  ", found " + std::string(e->value.kindName()));
      return std::nullopt;
    }
    return e->value.scalar;
  }

  std::optional<std::int64_t> durationNs(const Node& n, std::string_view what) {
    if (!n.isScalar()) {
      problem(n.where, std::string(what) + " must be a duration like 15min, found " +
                           std::string(n.kindName()));
      return std::nullopt;
    }
    auto d = core::parseDurationNs(n.scalar);
    if (!d) {
      problem(n.where, std::string(what) + ": " + d.error().message);
      return std::nullopt;
    }
    return *d;
  }

  std::string resolvePath(const std::string& text, const Location& where) {
    if (text.rfind("asset:", 0) == 0) {
      return (fs::path(assetDir()) / text.substr(6)).lexically_normal().string();
    }
    fs::path p(text);
    if (p.is_relative())
      p = fs::path(where.file).parent_path() / p;
    std::error_code ec;
    fs::path abs = fs::absolute(p, ec);
    return (ec ? p : abs).lexically_normal().string();
  }

  bool checkFile(const std::string& path, const Location& where, std::string_view what) {
    if (const std::string why = whyNotAReadableFile(path); !why.empty()) {
      problem(where, std::string(what) + " " + why + ": " + path);
      return false;
    }
    return true;
  }

  // converts one parameter value; false (with a problem) when it does not fit the spec
  bool convertParam(const ParamSpec& spec, const Node& n, core::ParamValue& out,
                    std::string_view owner) {
    out.name = spec.name;
    const std::string what = "parameter '" + std::string(owner) + "." + spec.name + "'";
    if (spec.kind == ParamKind::List) {
      if (!n.isSeq()) {
        problem(n.where, what + " must be a list, found " + std::string(n.kindName()));
        return false;
      }
      std::vector<std::string> items;
      for (const Node& i : n.items) {
        if (!i.isScalar()) {
          problem(i.where, what + ": list items must be plain values");
          return false;
        }
        items.push_back(i.scalar);
      }
      out.value = std::move(items);
      return true;
    }
    if (!n.isScalar()) {
      problem(n.where, what + " must be a single value, found " + std::string(n.kindName()));
      return false;
    }
    const std::string& text = n.scalar;
    switch (spec.kind) {
      case ParamKind::Number: {
        auto q = core::parseQuantity(text);
        if (!q) {
          problem(n.where, what + ": " + q.error().message);
          return false;
        }
        auto declared = core::parseUnit(spec.unit);
        if (!declared) {
          problem(n.where, what + ": the model declares a bad unit: " + declared.error().message);
          return false;
        }
        if (!q->unit.sameDimension(*declared)) {
          if (q->unit.isDimensionless() && !declared->isDimensionless()) {
            problem(n.where, what + " needs a unit of " + core::dimensionName(*declared) +
                                 " (e.g. '" + text + spec.unit + "'), got a bare number");
          } else {
            problem(n.where, what + ": '" + text + "' is " + core::dimensionName(q->unit) +
                                 ", expected " + core::dimensionName(*declared) + " (" + spec.unit +
                                 ")");
          }
          return false;
        }
        out.value = declared->fromSi(q->si());
        return true;
      }
      case ParamKind::Integer: {
        std::int64_t v = 0;
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc() || ptr != text.data() + text.size()) {
          problem(n.where, what + " must be a whole number, got '" + text + "'");
          return false;
        }
        out.value = v;
        return true;
      }
      case ParamKind::Bool: {
        if (text == "true" || text == "yes" || text == "on") {
          out.value = true;
        } else if (text == "false" || text == "no" || text == "off") {
          out.value = false;
        } else {
          problem(n.where, what + " must be true or false, got '" + text + "'");
          return false;
        }
        return true;
      }
      case ParamKind::String:
        out.value = text;
        return true;
      case ParamKind::Path: {
        if (text.empty()) {  // an optional file left out (the model's default "")
          out.value = std::string();
          return true;
        }
        const std::string path = resolvePath(text, n.where);
        if (!checkFile(path, n.where, what + ": file"))
          return false;
        out.value = path;
        return true;
      }
      case ParamKind::Folder: {
        if (text.empty()) {
          out.value = std::string();
          return true;
        }
        const std::string path = resolvePath(text, n.where);
        std::error_code ec;
        if (!fs::is_directory(path, ec)) {
          problem(n.where, what + ": " +
                               (fs::exists(path, ec) ? "not a folder: " : "folder not found: ") +
                               path);
          return false;
        }
        out.value = path;
        return true;
      }
      case ParamKind::List:
        break;
    }
    return false;
  }

  // flattens nested maps of a model entry into dotted parameter names
  void flatten(const Node& map, const std::string& prefix,
               std::vector<std::pair<std::string, const Node::Entry*>>& out) {
    for (const Node::Entry& e : map.entries) {
      const std::string name = prefix.empty() ? e.key : prefix + "." + e.key;
      if (prefix.empty() && (e.key == "type" || e.key == "period"))
        continue;
      if (e.value.isMap()) {
        flatten(e.value, name, out);
      } else {
        out.emplace_back(name, &e);
      }
    }
  }

  void validateTime(const Node& root, Scenario& s);
  void validateCity(const Node& root, Scenario& s);
  void validateModels(const Node& root, Scenario& s);
  void validateConnections(const Node& root, Scenario& s);
  void validateInterventions(const Node& root, Scenario& s);
  void validateOutputs(const Node& root, Scenario& s);
  void validateCameras(const Node& root, Scenario& s);
  // a list of exactly n numbers (metres or degrees as written)
  bool numbers(const Node& n, std::size_t count, double* out, std::string_view what) {
    if (!n.isSeq() || n.items.size() != count) {
      problem(n.where,
              std::string(what) + " must be a list of " + std::to_string(count) + " numbers");
      return false;
    }
    for (std::size_t i = 0; i < count; ++i) {
      auto q =
          n.items[i].isScalar()
              ? core::parseQuantity(n.items[i].scalar)
              : core::Result<core::Quantity>(core::fail(core::ErrorCode::BadInput, "not a number"));
      if (!q || (!q->unit.isDimensionless() && q->unit.dims != core::parseUnit("m")->dims)) {
        problem(n.items[i].where, std::string(what) + ": item " + std::to_string(i + 1) +
                                      " is not a number of metres");
        return false;
      }
      out[i] = q->si();
    }
    return true;
  }

  const ScenarioDocument& doc_;
  const plugin::Registry& registry_;
  std::vector<Diagnostic>& problems_;
  std::vector<std::string> suggested_;
  bool timeOk_ = false;
};

void Validator::validateTime(const Node& root, Scenario& s) {
  const Node* time = requireMap(root, "time", true);
  if (time == nullptr)
    return;
  checkKeys(*time, {"start", "duration", "tick"}, "'time'");
  bool ok = true;
  if (auto start = scalar(*time, "start", true, "an ISO 8601 date-time")) {
    auto z = core::parseIsoDateTime(*start);
    if (!z) {
      problem(time->find("start")->where, z.error().message);
      ok = false;
    } else {
      s.calendar.startUnixS = z->unixS;
      s.calendar.utcOffsetS = z->utcOffsetS;
    }
  } else {
    ok = false;
  }
  std::int64_t tickNs = 10'000'000;
  if (const Node* t = time->find("tick")) {
    if (auto d = durationNs(*t, "'tick'")) {
      if (*d <= 0) {
        problem(t->where, "'tick' must be positive");
        ok = false;
      } else {
        tickNs = *d;
      }
    } else {
      ok = false;
    }
  }
  s.calendar.tickNs = tickNs;
  if (const Node* d = time->find("duration")) {
    if (auto ns = durationNs(*d, "'duration'")) {
      if (*ns <= 0) {
        problem(d->where, "'duration' must be positive");
        ok = false;
      } else if (*ns % tickNs != 0) {
        problem(d->where, "'duration' " + d->scalar + " is not a whole number of ticks (" +
                              core::formatDurationNs(tickNs) + ")");
        ok = false;
      } else {
        s.durationNs = *ns;
        s.endTick = *ns / tickNs;
      }
    } else {
      ok = false;
    }
  } else {
    missing(*time, "duration", "missing required key 'duration' (e.g. 24h)");
    ok = false;
  }
  timeOk_ = ok;
}

void Validator::validateCity(const Node& root, Scenario& s) {
  const Node* city = requireMap(root, "city", false);
  if (city == nullptr)
    return;
  checkKeys(*city, {"sources", "crs", "population"}, "'city'");
  if (const Node* src = city->find("sources")) {
    if (!src->isSeq()) {
      problem(src->where, "'city.sources' must be a list of files");
    } else {
      for (const Node& item : src->items) {
        CitySourceSpec spec;
        const Node* file = &item;
        if (item.isMap()) {
          checkKeys(item, {"file", "layer", "crs", "kind", "fields"}, "a city source");
          file = item.find("file");
          if (file == nullptr) {
            missing(item, "file", "missing required key 'file' (the source's path)");
            continue;
          }
          if (auto v = scalar(item, "layer", false, "a layer name"))
            spec.layer = *v;
          if (auto v = scalar(item, "crs", false, "a CRS like EPSG:25832"))
            spec.crs = *v;
          if (auto v = scalar(item, "kind", false, "buildings, roads or landuse")) {
            if (*v != "buildings" && *v != "roads" && *v != "landuse") {
              problem(item.find("kind")->where,
                      "'kind' must be buildings, roads or landuse, got '" + *v + "'");
            }
            spec.kind = *v;
          }
          if (const Node* fields = requireMap(item, "fields", false)) {
            for (const Node::Entry& e : fields->entries) {
              if (!e.value.isScalar()) {
                problem(e.value.where, "'fields' maps a tag to a column name");
                continue;
              }
              spec.fields[e.key] = e.value.scalar;
            }
          }
        }
        if (!file->isScalar()) {
          problem(file->where, "a city source is a file path or a map with 'file'");
          continue;
        }
        spec.path = resolvePath(file->scalar, file->where);
        std::error_code ec;
        if (whyNotAReadableFile(spec.path) == "not found") {
          // city data is often downloaded separately: say how to get it
          const fs::path readme = fs::path(file->where.file).parent_path() / "README.md";
          problem(
              file->where,
              "city source not found: " + spec.path +
                  (fs::exists(readme, ec) ? "; " + readme.string() + " says where to get it" : "") +
                  " (tools/fetch-city NAME --bbox W,S,E,N downloads OSM data)");
          continue;
        }
        if (checkFile(spec.path, file->where, "city source")) {
          s.city.sources.push_back(spec);
        }
      }
    }
  }
  if (auto crs = scalar(*city, "crs", false, "a CRS like EPSG:25832 or auto")) {
    const bool epsg =
        crs->rfind("EPSG:", 0) == 0 && crs->size() > 5 &&
        std::all_of(crs->begin() + 5, crs->end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!epsg && *crs != "auto") {
      problem(city->find("crs")->where,
              "'city.crs' must be EPSG:<code> or auto, got '" + *crs + "'");
    } else {
      s.city.crs = *crs;
    }
  }
  if (auto pop = scalar(*city, "population", false, "a number of people")) {
    auto q = core::parseQuantity(*pop);
    if (!q || !q->unit.isDimensionless() || q->si() < 0) {
      problem(city->find("population")->where,
              "'city.population' must be a non-negative number, got '" + *pop + "'");
    } else {
      s.city.population = q->si();
    }
  }
}

void Validator::validateModels(const Node& root, Scenario& s) {
  const Node* models = requireMap(root, "models", true);
  if (models == nullptr)
    return;
  if (models->entries.empty())
    problem(models->where, "'models' is empty; add at least one model");
  std::vector<std::string> typeNames;
  for (const plugin::ModelType& t : registry_.types())
    typeNames.push_back(t.typeName);
  for (const Node::Entry& e : models->entries) {
    ModelInstanceSpec m;
    m.name = e.key;
    m.where = e.keyWhere;
    if (!isIdentifier(e.key)) {
      problem(e.keyWhere, "model name '" + e.key +
                              "' must be lower-case letters, digits and '_', starting with a "
                              "letter");
    }
    if (!e.value.isMap()) {
      problem(e.value.where, "model '" + e.key + "' must be a map with 'type' and 'period'");
      continue;
    }
    auto type = scalar(e.value, "type", true, "a model type like weather.tmy");
    if (!type) {
      if (!e.value.findEntry("type"))
        continue;
      continue;
    }
    m.typeName = *type;
    m.type = registry_.find(*type);
    if (m.type == nullptr) {
      problem(e.value.find("type")->where,
              "unknown model type '" + *type + "'" + suggestion(*type, typeNames) +
                  (typeNames.empty() ? " (no plugins were found)"
                                     : " (available: " + listOf(typeNames) + ")"));
      continue;
    }
    if (const Node* period = e.value.find("period")) {
      if (auto ns = durationNs(*period, "'period'")) {
        if (*ns <= 0) {
          problem(period->where, "'period' must be positive");
        } else if (timeOk_ && *ns % s.calendar.tickNs != 0) {
          problem(period->where, "'period' " + period->scalar +
                                     " is not a multiple of the base tick " +
                                     core::formatDurationNs(s.calendar.tickNs));
        } else if (timeOk_) {
          m.periodNs = *ns;
          m.periodTicks = *ns / s.calendar.tickNs;
        }
      }
    } else {
      missing(e.value, "period",
              "model '" + e.key + "' is missing required key 'period' (e.g. 15min)");
    }
    // parameters: what the scenario sets, then defaults
    std::vector<std::pair<std::string, const Node::Entry*>> given;
    flatten(e.value, "", given);
    std::vector<std::string> paramNames{"type", "period"};
    for (const ParamSpec& p : m.type->params)
      paramNames.push_back(p.name);
    for (const auto& g : given) {
      // not a structured binding: clang before 16 cannot capture one in the lambda
      const std::string& name = g.first;
      const Node::Entry* entry = g.second;
      auto spec = std::find_if(m.type->params.begin(), m.type->params.end(),
                               [&](const ParamSpec& p) { return p.name == name; });
      if (spec == m.type->params.end()) {
        problem(entry->keyWhere, "model type " + m.typeName + " has no parameter '" + name + "'" +
                                     suggestion(name, paramNames) +
                                     " (parameters: " + listOf(paramNames) + ")");
      }
    }
    for (const ParamSpec& p : m.type->params) {
      auto it = std::find_if(given.begin(), given.end(),
                             [&](const auto& g) { return g.first == p.name; });
      core::ParamValue v;
      if (it != given.end()) {
        if (convertParam(p, it->second->value, v, m.name))
          m.params.push_back(std::move(v));
      } else if (p.defaultText) {
        Node def;
        def.kind = Node::Kind::Scalar;
        def.scalar = *p.defaultText;
        def.where = e.keyWhere;
        if (p.kind == ParamKind::List) {
          // a list's default is its items separated by commas ("" for none)
          def.kind = Node::Kind::Sequence;
          std::stringstream items(*p.defaultText);
          for (std::string item; std::getline(items, item, ',');) {
            const auto b = item.find_first_not_of(" \t"), en = item.find_last_not_of(" \t");
            if (b == std::string::npos)
              continue;
            Node n;
            n.kind = Node::Kind::Scalar;
            n.scalar = item.substr(b, en - b + 1);
            n.where = e.keyWhere;
            def.items.push_back(std::move(n));
          }
        }
        if (convertParam(p, def, v, m.name))
          m.params.push_back(std::move(v));
      } else {
        problem(e.value.where, "model '" + m.name + "' (" + m.typeName +
                                   ") is missing required parameter '" + p.name + "'" +
                                   (p.description.empty() ? "" : ": " + p.description));
      }
    }
    s.models.push_back(std::move(m));
  }
}

void Validator::validateConnections(const Node& root, Scenario& s) {
  // without a 'connect' list there are no connections, but required inputs are still checked
  static const std::vector<Node> kNoConnections;
  const Node* conns = root.find("connect");
  if (conns != nullptr && !conns->isSeq()) {
    problem(conns->where, "'connect' must be a list of [producer.port, consumer.port]");
    return;
  }
  const std::vector<Node>& connections = conns != nullptr ? conns->items : kNoConnections;
  auto findModel = [&](std::string_view name) -> const ModelInstanceSpec* {
    for (const ModelInstanceSpec& m : s.models) {
      if (m.name == name)
        return &m;
    }
    return nullptr;
  };
  std::vector<std::string> modelNames;
  for (const ModelInstanceSpec& m : s.models)
    modelNames.push_back(m.name);
  std::map<std::pair<std::string, std::string>, Location> consumers;

  for (const Node& c : connections) {
    if (!c.isSeq() || c.items.size() < 2 || c.items.size() > 3 || !c.items[0].isScalar() ||
        !c.items[1].isScalar() || (c.items.size() == 3 && !c.items[2].isMap())) {
      problem(c.where,
              "a connection must be [producer.port, consumer.port] or "
              "[producer.port, consumer.port, {adapter: mean, delayed: true}]");
      continue;
    }
    ConnectionSpec spec;
    spec.where = c.where;
    bool ok = true;
    const core::PortSpec* ports[2] = {nullptr, nullptr};
    for (int end = 0; end < 2; ++end) {
      const Node& item = c.items[static_cast<std::size_t>(end)];
      const std::size_t dot = item.scalar.find('.');
      if (dot == std::string::npos || dot == 0 || dot + 1 == item.scalar.size()) {
        problem(item.where, "'" + item.scalar + "' must be model.port");
        ok = false;
        continue;
      }
      const std::string model = item.scalar.substr(0, dot);
      const std::string port = item.scalar.substr(dot + 1);
      (end == 0 ? spec.fromModel : spec.toModel) = model;
      (end == 0 ? spec.fromPort : spec.toPort) = port;
      const ModelInstanceSpec* m = findModel(model);
      if (m == nullptr) {
        problem(item.where, "unknown model '" + model + "'" + suggestion(model, modelNames));
        ok = false;
        continue;
      }
      if (m->type == nullptr) {
        ok = false;  // already reported
        continue;
      }
      const core::PortDirection want =
          end == 0 ? core::PortDirection::Out : core::PortDirection::In;
      std::vector<std::string> candidates;
      for (const core::PortSpec& p : m->type->ports) {
        if (p.direction == want)
          candidates.push_back(p.name);
        if (p.name == port && p.direction == want)
          ports[end] = &p;
      }
      if (ports[end] == nullptr) {
        problem(item.where,
                "model '" + model + "' (" + m->typeName + ") has no " +
                    (end == 0 ? "output" : "input") + " port '" + port + "'" +
                    suggestion(port, candidates) +
                    (candidates.empty() ? ""
                                        : " (" + std::string(end == 0 ? "outputs" : "inputs") +
                                              ": " + listOf(candidates) + ")"));
        ok = false;
      }
    }
    if (c.items.size() == 3) {
      const Node& opts = c.items[2];
      checkKeys(opts, {"adapter", "delayed"}, "connection options");
      if (const Node* a = opts.find("adapter")) {
        if (!a->isScalar() || !core::parseAdapter(a->scalar, spec.adapter)) {
          problem(a->where, "adapter must be one of hold, mean, sum, min, max, events");
          ok = false;
        }
      }
      if (const Node* d = opts.find("delayed")) {
        if (d->isScalar() && (d->scalar == "true" || d->scalar == "false")) {
          spec.link = d->scalar == "true" ? core::LinkKind::Delayed : core::LinkKind::Direct;
        } else {
          problem(d->where, "'delayed' must be true or false");
          ok = false;
        }
      }
    }
    if (ports[0] != nullptr && ports[1] != nullptr) {
      const core::PortSpec& a = *ports[0];
      const core::PortSpec& b = *ports[1];
      auto conv = core::unitConversion(a.unit, b.unit);
      if (!conv) {
        problem(c.where, "cannot connect " + spec.fromModel + "." + spec.fromPort + " [" + a.unit +
                             "] to " + spec.toModel + "." + spec.toPort + " [" + b.unit +
                             "]: " + conv.error().message);
        ok = false;
      }
      if (a.type != b.type) {
        problem(c.where, "cannot connect a " + std::string(core::toString(a.type)) + " port to a " +
                             std::string(core::toString(b.type)) + " port");
        ok = false;
      }
      const bool events = spec.adapter == core::Adapter::Events;
      if (!events && a.shape != b.shape) {
        problem(c.where, "cannot connect a " + std::string(core::toString(a.shape)) +
                             " port to a " + std::string(core::toString(b.shape)) + " port");
        ok = false;
      }
      if (events && b.shape != core::PortShape::Entity) {
        problem(c.where, "the events adapter needs an entity (list) input port");
        ok = false;
      }
      auto key = std::make_pair(spec.toModel, spec.toPort);
      if (auto prev = consumers.find(key); prev != consumers.end()) {
        problem(c.where, "input " + spec.toModel + "." + spec.toPort +
                             " is already fed by the connection at " + prev->second.str());
        ok = false;
      } else {
        consumers.emplace(key, c.where);
      }
    }
    if (ok)
      s.connections.push_back(std::move(spec));
  }

  // required inputs
  for (const ModelInstanceSpec& m : s.models) {
    if (m.type == nullptr)
      continue;
    for (const core::PortSpec& p : m.type->ports) {
      if (p.direction == core::PortDirection::In && p.required &&
          consumers.find({m.name, p.name}) == consumers.end()) {
        problem(m.where, "required input '" + m.name + "." + p.name + "' is not connected");
      }
    }
  }

  // feedback loops over direct links (depth-first search for a back edge)
  std::map<std::string, std::vector<const ConnectionSpec*>> out;
  for (const ConnectionSpec& c : s.connections) {
    if (c.link == core::LinkKind::Direct)
      out[c.fromModel].push_back(&c);
  }
  std::map<std::string, int> state;  // 0 new, 1 on stack, 2 done
  std::function<void(const std::string&)> visit = [&](const std::string& m) {
    state[m] = 1;
    for (const ConnectionSpec* c : out[m]) {
      if (state[c->toModel] == 1) {
        problem(c->where, "feedback loop: " + c->fromModel + " -> " + c->toModel +
                              " closes a cycle of direct connections; add {delayed: true} to "
                              "one connection of the loop");
      } else if (state[c->toModel] == 0) {
        visit(c->toModel);
      }
    }
    state[m] = 2;
  };
  for (const ModelInstanceSpec& m : s.models) {
    if (state[m.name] == 0)
      visit(m.name);
  }
}

void Validator::validateInterventions(const Node& root, Scenario& s) {
  const Node* ivs = root.find("interventions");
  if (ivs == nullptr)
    return;
  if (!ivs->isSeq()) {
    problem(ivs->where, "'interventions' must be a list of {at: TIME, set: {model.param: value}}");
    return;
  }
  for (const Node& iv : ivs->items) {
    if (!iv.isMap()) {
      problem(iv.where, "an intervention must be {at: TIME, set: {model.param: value}}");
      continue;
    }
    checkKeys(iv, {"at", "set"}, "an intervention");
    auto atText = scalar(iv, "at", true, "a time: 08:00, +2h or an ISO date-time");
    const Node* set = requireMap(iv, "set", true);
    if (!atText || set == nullptr || !timeOk_)
      continue;
    const Location atWhere = iv.find("at")->where;
    const std::string& t = *atText;
    auto offset = simTimeOffsetNs(s.calendar, t);
    if (!offset) {
      problem(atWhere, offset.error().message);
      continue;
    }
    std::optional<std::int64_t> offsetNs = *offset;
    if (*offsetNs < 0 || *offsetNs >= s.durationNs) {
      problem(atWhere, "intervention time '" + t + "' lies outside the run (" +
                           core::formatIso(s.calendar.startUnixS, s.calendar.utcOffsetS) + " + " +
                           core::formatDurationNs(s.durationNs) + ")");
      continue;
    }
    if (*offsetNs % s.calendar.tickNs != 0) {
      problem(atWhere, "intervention time '" + t + "' does not fall on a tick");
      continue;
    }
    for (const Node::Entry& e : set->entries) {
      const std::size_t dot = e.key.find('.');
      if (dot == std::string::npos) {
        problem(e.keyWhere, "'" + e.key + "' must be model.parameter");
        continue;
      }
      InterventionSpec spec;
      spec.at = *offsetNs / s.calendar.tickNs;
      spec.atText = t;
      spec.model = e.key.substr(0, dot);
      spec.where = e.keyWhere;
      const std::string param = e.key.substr(dot + 1);
      auto m = std::find_if(s.models.begin(), s.models.end(),
                            [&](const ModelInstanceSpec& x) { return x.name == spec.model; });
      if (m == s.models.end()) {
        problem(e.keyWhere, "intervention on unknown model '" + spec.model + "'");
        continue;
      }
      if (m->type == nullptr)
        continue;
      auto p = std::find_if(m->type->params.begin(), m->type->params.end(),
                            [&](const ParamSpec& x) { return x.name == param; });
      if (p == m->type->params.end()) {
        std::vector<std::string> names;
        for (const ParamSpec& x : m->type->params)
          names.push_back(x.name);
        problem(e.keyWhere, "model type " + m->typeName + " has no parameter '" + param + "'" +
                                suggestion(param, names));
        continue;
      }
      if (!p->runtimeSettable) {
        problem(e.keyWhere,
                "parameter '" + param + "' of " + m->typeName + " cannot be changed during a run");
        continue;
      }
      if (convertParam(*p, e.value, spec.value, spec.model)) {
        s.interventions.push_back(std::move(spec));
      }
    }
  }
}

void Validator::validateCameras(const Node& root, Scenario& s) {
  const Node* cams = requireMap(root, "cameras", false);
  if (cams == nullptr)
    return;
  for (const Node::Entry& e : cams->entries) {
    CameraSpec c;
    c.name = e.key;
    c.where = e.keyWhere;
    if (!isIdentifier(e.key)) {
      problem(e.keyWhere, "camera name '" + e.key + "' must be lower-case letters, digits and '_'");
      continue;
    }
    if (e.key == "overview" || e.key == "center" || e.key == "park") {
      problem(e.keyWhere, "camera '" + e.key + "' is built in; choose another name");
      continue;
    }
    if (!e.value.isMap()) {
      problem(e.value.where, "camera '" + e.key +
                                 "' must be {eye: [E, N, z], target: [E, N, z]} or "
                                 "{box: [minE, minN, maxE, maxN]}");
      continue;
    }
    checkKeys(e.value, {"eye", "target", "box", "fov"}, "a camera");
    bool ok = true;
    if (const Node* box = e.value.find("box")) {
      c.fromBox = true;
      ok = numbers(*box, 4, c.box.data(), "'box'");
      if (ok && (c.box[2] <= c.box[0] || c.box[3] <= c.box[1])) {
        problem(box->where, "'box' must be [minE, minN, maxE, maxN] with max > min");
        ok = false;
      }
    } else {
      const Node* eye = e.value.find("eye");
      const Node* target = e.value.find("target");
      if (eye == nullptr || target == nullptr) {
        problem(e.value.where, "camera '" + e.key + "' needs eye and target, or box");
        continue;
      }
      ok = numbers(*eye, 3, c.eye.data(), "'eye'") &&
           numbers(*target, 3, c.target.data(), "'target'");
    }
    if (const Node* fov = e.value.find("fov")) {
      auto q = fov->isScalar()
                   ? core::parseQuantity(fov->scalar)
                   : core::Result<core::Quantity>(core::fail(core::ErrorCode::BadInput, ""));
      if (!q || q->si() <= 0.0 || q->si() >= 3.0) {
        problem(fov->where, "'fov' must be an angle like 40deg");
        ok = false;
      } else {
        c.fovDeg = q->si() * 180.0 / 3.141592653589793;
      }
    }
    if (ok)
      s.cameras.push_back(c);
  }
}

void Validator::validateOutputs(const Node& root, Scenario& s) {
  const Node* outputs = requireMap(root, "outputs", false);
  if (outputs == nullptr)
    return;
  checkKeys(*outputs,
            {"timeseries", "renders", "traces", "traces_interval", "min_group", "link_series"},
            "'outputs'");
  if (auto ti = scalar(*outputs, "traces_interval", false, "a duration such as 10s")) {
    auto d = core::parseDurationNs(*ti);
    if (!d || *d <= 0 || (timeOk_ && *d % s.calendar.tickNs != 0)) {
      problem(outputs->find("traces_interval")->where,
              "'outputs.traces_interval' must be a positive duration that is a whole number of "
              "ticks, such as 10s" +
                  (d ? std::string() : ": " + d.error().message));
    } else {
      s.tracesIntervalNs = *d;
    }
  }
  if (auto ls = scalar(*outputs, "link_series", false, "a duration such as 15min, or off")) {
    if (*ls == "off") {
      s.linkSeriesNs = 0;
    } else {
      auto d = core::parseDurationNs(*ls);
      if (!d || *d <= 0 || (timeOk_ && *d % s.calendar.tickNs != 0)) {
        problem(outputs->find("link_series")->where,
                "'outputs.link_series' must be off or a positive duration that is a whole "
                "number of ticks, such as 15min" +
                    (d ? std::string() : ": " + d.error().message));
      } else {
        s.linkSeriesNs = *d;
      }
    }
  }
  if (const Node* renders = outputs->find("renders")) {
    if (!renders->isSeq()) {
      problem(renders->where, "'outputs.renders' must be a list of {at, camera, size}");
    } else {
      for (const Node& r : renders->items) {
        if (!r.isMap()) {
          problem(r.where, "a render must be {at: TIME, camera: NAME, size: WxH}");
          continue;
        }
        checkKeys(r, {"at", "camera", "size", "layers"}, "a render");
        std::optional<std::vector<std::string>> layers;
        if (const Node* l = r.find("layers")) {
          layers.emplace();
          if (!l->isSeq()) {
            problem(l->where,
                    "'layers' must be a list of published layer names "
                    "(<model>.<layer>), [] for none");
          } else {
            for (const Node& item : l->items) {
              if (!item.isScalar() || item.scalar.find('.') == std::string::npos)
                problem(item.where, "a layer is named <model>.<layer>, e.g. traffic.vehicles");
              else
                layers->push_back(item.scalar);
            }
          }
        }
        RenderSpec spec;
        spec.where = r.where;
        spec.layers = layers;
        auto at = scalar(r, "at", true, "a time: 08:00, +2h or an ISO date-time");
        if (!at || !timeOk_)
          continue;
        auto tick = simTimeTick(s, *at);
        if (!tick) {
          problem(r.find("at")->where, tick.error().message);
          continue;
        }
        spec.at = *tick;
        spec.atText = *at;
        if (auto cam = scalar(r, "camera", false, "a camera name"))
          spec.camera = *cam;
        if (auto size = scalar(r, "size", false, "WIDTHxHEIGHT")) {
          const std::size_t x = size->find('x');
          int w = 0, h = 0;
          const bool ok =
              x != std::string::npos &&
              std::from_chars(size->data(), size->data() + x, w).ptr == size->data() + x &&
              std::from_chars(size->data() + x + 1, size->data() + size->size(), h).ptr ==
                  size->data() + size->size() &&
              w >= 16 && h >= 16 && w <= 8192 && h <= 8192;
          if (!ok) {
            problem(r.find("size")->where,
                    "'size' must be WIDTHxHEIGHT (16..8192), e.g. 1920x1080");
            continue;
          }
          spec.width = w;
          spec.height = h;
        }
        s.renders.push_back(std::move(spec));
      }
      // file names: <camera>.png, or <camera>-HHMM.png when a camera is used more than once
      for (RenderSpec& r : s.renders) {
        const auto uses = std::count_if(s.renders.begin(), s.renders.end(),
                                        [&](const RenderSpec& o) { return o.camera == r.camera; });
        std::string name = r.camera;
        if (uses > 1) {
          const core::CivilTime c = s.calendar.local(r.at);
          char buf[32];
          std::snprintf(buf, sizeof buf, "-%02d%02d%02d", c.hour, c.minute, c.second);
          name += buf;
        }
        r.file = "renders/" + name + ".png";
      }
    }
  }
  if (const Node* ts = outputs->find("timeseries")) {
    if (!ts->isSeq()) {
      problem(ts->where, "'outputs.timeseries' must be a list of model.port");
    } else {
      for (const Node& item : ts->items) {
        const std::size_t dot = item.isScalar() ? item.scalar.find('.') : std::string::npos;
        if (dot == std::string::npos) {
          problem(item.where, "a time series must be model.port");
          continue;
        }
        SeriesSpec spec{item.scalar.substr(0, dot), item.scalar.substr(dot + 1), item.where};
        auto m = std::find_if(s.models.begin(), s.models.end(),
                              [&](const ModelInstanceSpec& x) { return x.name == spec.model; });
        if (m == s.models.end()) {
          problem(item.where, "time series of unknown model '" + spec.model + "'");
          continue;
        }
        if (m->type == nullptr)
          continue;
        std::vector<std::string> outs;
        bool found = false;
        for (const core::PortSpec& p : m->type->ports) {
          if (p.direction != core::PortDirection::Out)
            continue;
          outs.push_back(p.name);
          found = found || p.name == spec.port;
        }
        if (!found) {
          problem(item.where, "model '" + spec.model + "' has no output port '" + spec.port + "'" +
                                  suggestion(spec.port, outs) + " (outputs: " + listOf(outs) + ")");
          continue;
        }
        s.timeseries.push_back(std::move(spec));
      }
    }
  }
  if (auto tr = scalar(*outputs, "traces", false, "true or false")) {
    if (*tr != "true" && *tr != "false") {
      problem(outputs->find("traces")->where, "'outputs.traces' must be true or false");
    } else {
      s.traces = *tr == "true";
    }
  }
  if (auto mg = scalar(*outputs, "min_group", false, "a whole number")) {
    std::int64_t v = 0;
    auto [ptr, ec] = std::from_chars(mg->data(), mg->data() + mg->size(), v);
    if (ec != std::errc() || ptr != mg->data() + mg->size() || v < 1) {
      problem(outputs->find("min_group")->where, "'outputs.min_group' must be a whole number >= 1");
    } else {
      s.minGroup = v;
    }
  }
}

core::Result<Scenario> Validator::run() {
  const std::size_t before = problems_.size();
  const Node& root = doc_.root;
  Scenario s;
  s.path = doc_.path;
  checkKeys(root,
            {"name", "description", "city", "time", "seed", "plugin_paths", "models", "connect",
             "interventions", "outputs", "cameras"},
            "the scenario");
  if (auto name = scalar(root, "name", true, "a scenario name")) {
    s.name = *name;
    const bool safe = !name->empty() && std::all_of(name->begin(), name->end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
    if (!safe || *name == "." || *name == "..") {
      problem(root.find("name")->where,
              "'name' is used as a folder name: use letters, digits, "
              "'-', '_' and '.' only");
    }
  }
  if (auto d = scalar(root, "description", false, "text"))
    s.description = *d;
  if (auto seed = scalar(root, "seed", false, "a whole number >= 0")) {
    std::uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(seed->data(), seed->data() + seed->size(), v);
    if (ec != std::errc() || ptr != seed->data() + seed->size()) {
      problem(root.find("seed")->where, "'seed' must be a whole number >= 0, got '" + *seed + "'");
    } else {
      s.seed = v;
    }
  }
  if (const Node* pp = root.find("plugin_paths")) {
    if (!pp->isSeq())
      problem(pp->where, "'plugin_paths' must be a list of folders or files");
  }
  validateTime(root, s);
  validateCity(root, s);
  validateModels(root, s);
  validateConnections(root, s);
  validateInterventions(root, s);
  validateCameras(root, s);
  validateOutputs(root, s);
  s.hash = core::toHex(core::fnv1a64(canonicalText(root)));
  s.settings = flattenTree(root);
  if (problems_.size() != before) {
    return fail(ErrorCode::BadInput, problems_[before].str());
  }
  return s;
}

}  // namespace

core::Result<Scenario> validateScenario(const ScenarioDocument& doc,
                                        const plugin::Registry& registry,
                                        std::vector<Diagnostic>& problems) {
  Validator v(doc, registry, problems);
  return v.run();
}

}  // namespace twin::io
