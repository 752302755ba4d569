// SPDX-License-Identifier: Apache-2.0
#include "physics/matpower.hpp"

#include <zlib.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

namespace twin::physics {
namespace {
using core::ErrorCode;
using core::fail;

class Scanner {
 public:
  Scanner(const std::string& text, const std::string& path) : t_(text), path_(path) {}
  std::string where() const {
    return path_ + ":" + std::to_string(line_) + ":" + std::to_string(col_);
  }
  bool done() const { return pos_ >= t_.size(); }
  char peek() const { return done() ? '\0' : t_[pos_]; }
  void advance() {
    if (t_[pos_] == '\n') {
      ++line_;
      col_ = 1;
    } else {
      ++col_;
    }
    ++pos_;
  }
  // skips blanks and % comments; stops at a newline when `newlines` is false
  void skip(bool newlines = true) {
    while (!done()) {
      const char c = peek();
      if (c == '%') {
        while (!done() && peek() != '\n')
          advance();
      } else if (c == ' ' || c == '\t' || c == '\r' || (newlines && c == '\n') || c == ',') {
        advance();
      } else if (c == '.' && t_.compare(pos_, 3, "...") == 0) {
        // a continuation: the rest of the line is a comment
        while (!done() && peek() != '\n')
          advance();
        if (!done())
          advance();
      } else {
        return;
      }
    }
  }
  std::string word() {
    std::string w;
    while (!done() && (std::isalnum(static_cast<unsigned char>(peek())) != 0 || peek() == '_' ||
                       peek() == '.')) {
      w += peek();
      advance();
    }
    return w;
  }
  bool number(double& out) {
    const char* b = t_.data() + pos_;
    const char* e = t_.data() + t_.size();
    if (b < e && *b == '+')
      ++b;
    auto [p, ec] = std::from_chars(b, e, out);
    if (ec != std::errc() || p == b)
      return false;
    while (t_.data() + pos_ < p)
      advance();
    // Inf / NaN spelled as MATLAB does
    return true;
  }
  void toLineEnd() {
    while (!done() && peek() != '\n')
      advance();
  }
  std::size_t pos() const { return pos_; }
  std::string text(std::size_t from, std::size_t to) const { return t_.substr(from, to - from); }

 private:
  const std::string& t_;
  const std::string& path_;
  std::size_t pos_ = 0;
  int line_ = 1, col_ = 1;
};

// a numeric matrix "[ r11 r12 ...; r21 ... ]" after the '['; rows end at ';' or a newline
core::Result<std::vector<std::vector<double>>> matrix(Scanner& s, const std::string& name) {
  std::vector<std::vector<double>> rows(1);
  while (true) {
    s.skip(false);
    if (s.done())
      return fail(ErrorCode::BadInput, s.where() + ": mpc." + name + " has no closing ']'");
    const char c = s.peek();
    if (c == ']') {
      s.advance();
      break;
    }
    if (c == ';' || c == '\n') {
      s.advance();
      if (!rows.back().empty())
        rows.emplace_back();
      continue;
    }
    double v = 0;
    const std::string at = s.where();
    const std::size_t start = s.pos();
    const bool parsed = s.number(v);
    if (parsed && (std::isalpha(static_cast<unsigned char>(s.peek())) != 0 || s.peek() == '_')) {
      // "1O0": a number running into letters is one bad token
      std::string token = s.text(start, s.pos());
      token += s.word();
      return fail(ErrorCode::BadInput,
                  at + ": mpc." + name + ": expected a number, ';' or ']', found '" + token + "'");
    }
    if (!parsed) {
      std::string w = s.word();
      if (w == "Inf" || w == "inf") {
        v = INFINITY;
      } else if (w == "-Inf") {
        v = -INFINITY;
      } else {
        return fail(ErrorCode::BadInput, at + ": mpc." + name +
                                             ": expected a number, ';' or ']', found '" +
                                             (w.empty() ? std::string(1, c) : w) + "'");
      }
    }
    rows.back().push_back(v);
  }
  if (rows.back().empty())
    rows.pop_back();
  return rows;
}

}  // namespace

core::Result<PfCase> parseMatpowerCase(const std::string& text, const std::string& path) {
  Scanner s(text, path);
  PfCase pc;
  bool sawBus = false, sawGen = false, sawBranch = false, sawBase = false;
  std::string version;
  struct Table {
    std::vector<std::vector<double>> rows;
    std::vector<std::string> rowWhere;
  };
  while (true) {
    s.skip();
    if (s.done())
      break;
    const std::string where = s.where();
    std::string w = s.word();
    if (w == "function") {
      s.skip(false);
      s.word();  // mpc
      s.skip(false);
      if (s.peek() == '=') {
        s.advance();
        s.skip(false);
        pc.name = s.word();
      }
      s.toLineEnd();
      continue;
    }
    if (w.rfind("mpc.", 0) != 0) {
      if (w.empty()) {
        return fail(ErrorCode::BadInput, where + ": expected 'mpc.<field> = ...', found '" +
                                             std::string(1, s.peek()) + "'");
      }
      return fail(ErrorCode::BadInput, where + ": expected 'mpc.<field> = ...', found '" + w + "'");
    }
    const std::string field = w.substr(4);
    s.skip(false);
    if (s.peek() != '=')
      return fail(ErrorCode::BadInput, s.where() + ": expected '=' after " + w);
    s.advance();
    s.skip(false);
    const char open = s.peek();
    if (field == "version" || open == '\'') {
      s.advance();
      while (!s.done() && s.peek() != '\'' && s.peek() != '\n') {
        version += s.peek();
        s.advance();
      }
      s.toLineEnd();
      if (field != "version")
        version.clear();
      continue;
    }
    if (open == '{') {
      // a cell array (bus_name, gentype, ...): skipped up to its closing brace
      int depth = 0;
      bool quoted = false;
      while (!s.done()) {
        const char c = s.peek();
        if (c == '\'')
          quoted = !quoted;
        if (!quoted && c == '{')
          ++depth;
        if (!quoted && c == '}' && --depth == 0) {
          s.advance();
          break;
        }
        s.advance();
      }
      s.toLineEnd();
      continue;
    }
    if (open == '[') {
      s.advance();
      const std::string tableWhere = s.where();
      auto rows = matrix(s, field);
      if (!rows)
        return core::Unexpected(rows.error());
      s.skip(false);
      if (s.peek() == ';')
        s.advance();
      auto need = [&](std::size_t columns) -> core::Status {
        for (std::size_t i = 0; i < rows->size(); ++i) {
          if ((*rows)[i].size() < columns) {
            return fail(ErrorCode::BadInput,
                        tableWhere + ": mpc." + field + " row " + std::to_string(i + 1) + " has " +
                            std::to_string((*rows)[i].size()) + " columns; expected at least " +
                            std::to_string(columns));
          }
          for (std::size_t k = 0; k < columns; ++k) {
            if (std::isnan((*rows)[i][k])) {
              return fail(ErrorCode::BadInput, tableWhere + ": mpc." + field + " row " +
                                                   std::to_string(i + 1) + " column " +
                                                   std::to_string(k + 1) + " is NaN");
            }
          }
        }
        return {};
      };
      // bus numbers and types are whole numbers an int holds (a fuzzer fed -Inf to the cast)
      auto whole = [&](std::size_t row, std::size_t column) -> core::Status {
        const double v = (*rows)[row][column];
        if (std::isfinite(v) && std::abs(v) < 2147483647.0 && v == std::floor(v))
          return {};
        return fail(ErrorCode::BadInput, tableWhere + ": mpc." + field + " row " +
                                             std::to_string(row + 1) + " column " +
                                             std::to_string(column + 1) +
                                             " must be a whole number (a bus number or type)");
      };
      auto wholeColumns = [&](std::initializer_list<std::size_t> columns) -> core::Status {
        for (std::size_t i = 0; i < rows->size(); ++i) {
          for (std::size_t k : columns) {
            if (core::Status st = whole(i, k); !st)
              return st;
          }
        }
        return {};
      };
      if (field == "bus") {
        if (core::Status st = need(13); !st)
          return core::Unexpected(st.error());
        if (core::Status st = wholeColumns({0, 1}); !st)
          return core::Unexpected(st.error());
        for (const auto& r : *rows) {
          PfBus b;
          b.id = static_cast<int>(r[0]);
          const int type = static_cast<int>(r[1]);
          if (type < 1 || type > 4 || b.id != r[0]) {
            return fail(ErrorCode::BadInput, tableWhere + ": mpc.bus: bus " + std::to_string(b.id) +
                                                 " has type " + std::to_string(type) +
                                                 "; expected 1..4");
          }
          b.type = static_cast<BusType>(type);
          b.pdMW = r[2];
          b.qdMVAr = r[3];
          b.gsMW = r[4];
          b.bsMVAr = r[5];
          b.vm = r[7];
          b.vaDeg = r[8];
          b.baseKV = r[9];
          b.vmax = r[11];
          b.vmin = r[12];
          pc.buses.push_back(b);
        }
        sawBus = true;
      } else if (field == "gen") {
        if (core::Status st = need(10); !st)
          return core::Unexpected(st.error());
        if (core::Status st = wholeColumns({0}); !st)
          return core::Unexpected(st.error());
        for (const auto& r : *rows) {
          PfGen g;
          g.bus = static_cast<int>(r[0]);
          g.pgMW = r[1];
          g.qgMVAr = r[2];
          g.qmaxMVAr = r[3];
          g.qminMVAr = r[4];
          g.vg = r[5];
          g.inService = r[7] > 0;
          pc.gens.push_back(g);
        }
        sawGen = true;
      } else if (field == "branch") {
        if (core::Status st = need(11); !st)
          return core::Unexpected(st.error());
        if (core::Status st = wholeColumns({0, 1}); !st)
          return core::Unexpected(st.error());
        for (const auto& r : *rows) {
          PfBranch br;
          br.from = static_cast<int>(r[0]);
          br.to = static_cast<int>(r[1]);
          br.r = r[2];
          br.x = r[3];
          br.b = r[4];
          br.rateAMVA = r[5];
          br.ratio = r[8];
          br.shiftDeg = r[9];
          br.inService = r[10] > 0;
          pc.branches.push_back(br);
        }
        sawBranch = true;
      }
      continue;
    }
    // a scalar: baseMVA
    double v = 0;
    if (!s.number(v)) {
      return fail(ErrorCode::BadInput,
                  s.where() + ": expected a number, '[', '{' or a quoted text after " + w + " =");
    }
    if (field == "baseMVA") {
      if (!(v > 0)) {
        return fail(ErrorCode::BadInput, where + ": mpc.baseMVA must be positive");
      }
      pc.baseMVA = v;
      sawBase = true;
    }
    s.skip(false);
    if (s.peek() == ';')
      s.advance();
  }
  if (!version.empty() && version != "2") {
    return fail(ErrorCode::BadInput,
                path + ": MATPOWER case format version '" + version + "'; only version 2 is read");
  }
  std::string missing;
  for (auto [seen, name] : {std::pair{sawBase, "mpc.baseMVA"}, std::pair{sawBus, "mpc.bus"},
                            std::pair{sawGen, "mpc.gen"}, std::pair{sawBranch, "mpc.branch"}}) {
    if (!seen)
      missing += std::string(missing.empty() ? "" : ", ") + name;
  }
  if (!missing.empty())
    return fail(ErrorCode::BadInput, path + ": not a MATPOWER case: no " + missing);
  // every referenced bus exists
  std::set<int> ids;
  for (const PfBus& b : pc.buses) {
    if (!ids.insert(b.id).second)
      return fail(ErrorCode::BadInput, path + ": bus " + std::to_string(b.id) + " twice");
  }
  for (const PfGen& g : pc.gens) {
    if (!ids.contains(g.bus))
      return fail(ErrorCode::BadInput, path + ": a generator at bus " + std::to_string(g.bus) +
                                           ", which does not exist");
  }
  for (const PfBranch& br : pc.branches) {
    if (!ids.contains(br.from) || !ids.contains(br.to)) {
      return fail(ErrorCode::BadInput, path + ": branch " + std::to_string(br.from) + "-" +
                                           std::to_string(br.to) +
                                           " names a bus that does not exist");
    }
  }
  return pc;
}

core::Result<PfCase> loadMatpowerCase(const std::string& path) {
  // gzread reads plain files as they are
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr)
    return fail(ErrorCode::BadInput, path + ": cannot open the case file");
  std::string text;
  char buf[1 << 16];
  int n = 0;
  while ((n = gzread(f, buf, sizeof buf)) > 0) {
    text.append(buf, static_cast<std::size_t>(n));
    // read whole, so limited, counted after decompression (a small .gz can hold gigabytes)
    if (text.size() > kMaxCaseBytes) {
      gzclose(f);
      return fail(ErrorCode::BadInput, path + ": the case holds more than " +
                                           std::to_string(kMaxCaseBytes >> 20) +
                                           " MiB of text; case files are read whole and "
                                           "limited to that");
    }
  }
  const bool bad = n < 0;
  gzclose(f);
  if (bad)
    return fail(ErrorCode::BadInput, path + ": cannot read the case file (corrupt gzip?)");
  return parseMatpowerCase(text, path);
}

}  // namespace twin::physics
