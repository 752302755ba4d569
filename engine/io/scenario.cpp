// SPDX-License-Identifier: Apache-2.0
#include "io/scenario.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

namespace twin::io {
namespace fs = std::filesystem;

std::string whyNotAReadableFile(const std::string& path) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec == std::errc::too_many_symbolic_link_levels)
    return "is a symbolic link loop";
  if (ec || !fs::exists(st))
    return "not found";
  if (fs::is_directory(st))
    return "is a directory, expected a file";
  if (!fs::is_regular_file(st))
    return "is not a regular file";
  if (::access(path.c_str(), R_OK) != 0)
    return "cannot be read (permission denied)";
  return "";
}
using core::ErrorCode;
using core::fail;

namespace {

// applies one "a.b.c=value" override
void applySet(Node& root, const std::string& set, std::size_t index,
              std::vector<Diagnostic>& problems) {
  const std::string file = "--set[" + std::to_string(index + 1) + "]";
  const std::size_t eq = set.find('=');
  if (eq == std::string::npos || eq == 0) {
    problems.push_back(
        {Location{file, 1, 1}, "'" + set + "' is not an override; expected key.path=value"});
    return;
  }
  const std::string path = set.substr(0, eq);
  auto parsed = parseYaml(set.substr(eq + 1), file, problems);
  if (!parsed)
    return;
  Node value = std::move(*parsed);
  // the value's column counts from the start of the whole "key=value" argument
  const int shift = static_cast<int>(eq) + 1;
  std::vector<Node*> stack{&value};
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    n->where.col += shift;
    for (Node& i : n->items)
      stack.push_back(&i);
    for (Node::Entry& e : n->entries) {
      e.keyWhere.col += shift;
      stack.push_back(&e.value);
    }
  }
  if (value.isNull())
    value.where = Location{file, 1, shift + 1};
  Node* cur = &root;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = path.find('.', start);
    const std::string key = path.substr(start, dot == std::string::npos ? dot : dot - start);
    if (key.empty()) {
      problems.push_back(
          {Location{file, 1, static_cast<int>(start) + 1}, "empty key in '" + path + "'"});
      return;
    }
    if (!cur->isMap()) {
      if (cur->isNull()) {
        cur->kind = Node::Kind::Map;
      } else {
        problems.push_back({Location{file, 1, static_cast<int>(start) + 1},
                            "cannot set '" + path + "': '" + path.substr(0, start - 1) + "' is " +
                                std::string(cur->kindName()) + ", not a map"});
        return;
      }
    }
    Node* next = cur->find(key);
    if (next == nullptr) {
      Node::Entry e;
      e.key = key;
      e.keyWhere = Location{file, 1, static_cast<int>(start) + 1};
      e.value.where = e.keyWhere;
      cur->entries.push_back(std::move(e));
      next = &cur->entries.back().value;
    }
    if (dot == std::string::npos) {
      *next = std::move(value);
      return;
    }
    cur = next;
    start = dot + 1;
  }
}

}  // namespace

core::Result<ScenarioDocument> loadScenarioDocument(const std::string& path,
                                                    const std::vector<std::string>& sets,
                                                    std::vector<Diagnostic>& problems) {
  ScenarioDocument doc;
  doc.path = path;
  // read the chain variant -> base -> base's base ..., then merge from the bottom up
  std::vector<Node> chain;
  std::set<std::string> visited;
  std::string current = path;
  Location from{path, 0, 0};
  for (;;) {
    std::error_code ec;
    const std::string canon = fs::weakly_canonical(current, ec).string();
    if (!visited.insert(canon).second) {
      problems.push_back({from, "'extends' forms a cycle: " + current + " is already included"});
      return fail(ErrorCode::BadInput, problems.back().str());
    }
    if (const std::string why = whyNotAReadableFile(current); !why.empty()) {
      if (from.line > 0) {
        problems.push_back({from, "extends " + current + ", which " +
                                      (why == "not found" ? "does not exist" : why)});
      } else {
        problems.push_back({Location{current, 0, 0},
                            why == "not found" ? "no such scenario file" : "scenario file " + why});
      }
      return fail(ErrorCode::NotFound, problems.back().str());
    }
    auto n = loadYamlFile(current, problems);
    if (!n)
      return core::Unexpected(n.error());
    if (!n->isMap()) {
      problems.push_back({n->where,
                          "a scenario must be a map of keys (name, time, models, ...), "
                          "found " +
                              std::string(n->kindName())});
      return fail(ErrorCode::BadInput, problems.back().str());
    }
    doc.files.push_back(current);
    const Node::Entry* ext = n->findEntry("extends");
    std::string next;
    if (ext != nullptr && !ext->value.isNull()) {
      if (!ext->value.isScalar()) {
        problems.push_back({ext->value.where, "'extends' must be a file path or null"});
        return fail(ErrorCode::BadInput, problems.back().str());
      }
      fs::path base = fs::path(ext->value.scalar);
      if (base.is_relative())
        base = fs::path(current).parent_path() / base;
      next = base.lexically_normal().string();
      from = ext->value.where;
    }
    chain.push_back(std::move(*n));
    if (next.empty())
      break;
    current = next;
  }
  Node merged = std::move(chain.back());
  resolveAppendKeys(merged);  // the first file has no base: its "key+" are plain keys
  for (std::size_t i = chain.size() - 1; i-- > 0;)
    mergeInto(merged, chain[i]);
  resolveAppendKeys(merged);
  // extends is resolved; it is not part of the merged scenario
  std::erase_if(merged.entries, [](const Node::Entry& e) { return e.key == "extends"; });
  for (std::size_t i = 0; i < sets.size(); ++i)
    applySet(merged, sets[i], i, problems);
  doc.root = std::move(merged);
  if (!problems.empty())
    return fail(ErrorCode::BadInput, problems.front().str());
  return doc;
}

std::vector<std::string> scenarioPluginPaths(const ScenarioDocument& doc) {
  std::vector<std::string> out;
  const Node* p = doc.root.find("plugin_paths");
  if (p == nullptr || !p->isSeq())
    return out;
  for (const Node& item : p->items) {
    if (!item.isScalar())
      continue;
    fs::path f(item.scalar);
    if (f.is_relative())
      f = fs::path(item.where.file).parent_path() / f;
    out.push_back(f.lexically_normal().string());
  }
  return out;
}

std::string assetDir() {
  if (const char* env = std::getenv("CITYTWIN_ASSET_DIR"))
    return env;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = exe.parent_path() / ".." / "share" / "citytwin" / "assets";
    if (fs::is_directory(installed, ec))
      return installed.lexically_normal().string();
  }
#ifdef TWIN_SOURCE_ASSET_DIR
  return TWIN_SOURCE_ASSET_DIR;
#else
  return "assets";
#endif
}

core::Result<std::int64_t> simTimeOffsetNs(const core::Calendar& calendar, std::string_view text) {
  const std::string t(text);
  if (t.size() >= 4 && t.size() <= 8 && t[2] == ':' && t.find('-') == std::string::npos) {
    auto z = core::parseIsoDateTime("2000-01-01T" + t);
    if (!z) {
      return fail(ErrorCode::BadInput, "'" + t + "' is not a time of day (HH:MM or HH:MM:SS)");
    }
    const core::CivilTime start = core::civilFromUnix(calendar.startUnixS, calendar.utcOffsetS);
    const std::int64_t startOfDay =
        calendar.startUnixS - (start.hour * 3600 + start.minute * 60 + start.second);
    const std::int64_t secOfDay = z->unixS - core::daysFromCivil(2000, 1, 1) * 86400;
    return (startOfDay + secOfDay - calendar.startUnixS) * core::kNanosPerSecond;
  }
  if (!t.empty() && (t[0] == '+' || t.find('-') == std::string::npos)) {
    auto d = core::parseDurationNs(t[0] == '+' ? t.substr(1) : t);
    if (!d)
      return core::Unexpected(d.error());
    return *d;
  }
  auto z = core::parseIsoDateTime(t);
  if (!z)
    return core::Unexpected(z.error());
  return (z->unixS - calendar.startUnixS) * core::kNanosPerSecond;
}

core::Result<core::Tick> simTimeTick(const Scenario& s, std::string_view text) {
  auto offset = simTimeOffsetNs(s.calendar, text);
  if (!offset)
    return core::Unexpected(offset.error());
  if (*offset < 0 || *offset > s.durationNs) {
    return fail(ErrorCode::BadInput,
                "time '" + std::string(text) + "' lies outside the run (" +
                    core::formatIso(s.calendar.startUnixS, s.calendar.utcOffsetS) + " + " +
                    core::formatDurationNs(s.durationNs) + ")");
  }
  if (*offset % s.calendar.tickNs != 0) {
    return fail(ErrorCode::BadInput, "time '" + std::string(text) + "' does not fall on a tick");
  }
  return *offset / s.calendar.tickNs;
}

std::size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string formatDiagnostics(std::vector<Diagnostic> problems) {
  // files in the order they first appear, then line and column within each file
  std::vector<std::string> files;
  for (const Diagnostic& d : problems) {
    if (std::find(files.begin(), files.end(), d.where.file) == files.end()) {
      files.push_back(d.where.file);
    }
  }
  auto rank = [&](const std::string& f) {
    return std::find(files.begin(), files.end(), f) - files.begin();
  };
  std::stable_sort(problems.begin(), problems.end(), [&](const Diagnostic& a, const Diagnostic& b) {
    const auto ra = rank(a.where.file), rb = rank(b.where.file);
    if (ra != rb)
      return ra < rb;
    if (a.where.line != b.where.line)
      return a.where.line < b.where.line;
    return a.where.col < b.where.col;
  });
  std::string out;
  for (const Diagnostic& d : problems)
    out += d.str() + "\n";
  return out;
}

}  // namespace twin::io
