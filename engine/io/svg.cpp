// SPDX-License-Identifier: Apache-2.0
#include "io/svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace twin::io::svg {
namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string s = buf;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0)
    s.resize(s.size() - 2);
  return s == "-0" ? "0" : s;
}

// Heckbert's nice number: the round value (1, 2, 5 x 10^k) near x, rounded or taken above
double nice(double x, bool round) {
  const double e = std::floor(std::log10(x));
  const double f = x / std::pow(10.0, e);
  double nf;
  if (round)
    nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  else
    nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nf * std::pow(10.0, e);
}

constexpr const char* kFont =
    "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\"";

std::string header(int w, int h, const std::string& title) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(w) + " " +
         std::to_string(h) + "\" width=\"" + std::to_string(w) + "\" height=\"" +
         std::to_string(h) + "\" role=\"img\" aria-label=\"" + escape(title) + "\" " + kFont +
         "><title>" + escape(title) + "</title><text x=\"0\" y=\"15\" font-size=\"14\" " +
         "font-weight=\"bold\">" + escape(title) + "</text>";
}

}  // namespace

std::string escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::vector<double> niceTicks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi))
    return {};
  if (hi < lo)
    std::swap(lo, hi);
  if (hi == lo) {
    const double pad = lo == 0.0 ? 1.0 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const double range = nice(hi - lo, false);
  const double step = nice(range / std::max(1, target - 1), true);
  const double first = std::floor(lo / step) * step, last = std::ceil(hi / step) * step;
  std::vector<double> out;
  for (double v = first; v <= last + step * 0.5; v += step)
    out.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  return out;
}

std::string tickLabel(double v, double step) {
  const int decimals = step >= 1.0 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", std::clamp(decimals, 0, 9), v);
  std::string s = buf;
  if (s == "-0")
    s = "0";
  // thousands separated by a thin space (U+2009)
  const std::size_t dot = s.find('.');
  const std::size_t intEnd = dot == std::string::npos ? s.size() : dot;
  const std::size_t start = s[0] == '-' ? 1 : 0;
  std::string out = s.substr(0, start);
  for (std::size_t i = start; i < intEnd; ++i) {
    if (i > start && (intEnd - i) % 3 == 0 && intEnd - start > 4)
      out += "\xE2\x80\x89";
    out += s[i];
  }
  return out + s.substr(intEnd);
}

std::string lineChart(const std::string& title, const std::string& xTitle,
                      const std::string& yTitle, const std::vector<Series>& series, int width,
                      int height) {
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  for (const Series& s : series) {
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i]))
        continue;
      x0 = std::min(x0, s.x[i]);
      x1 = std::max(x1, s.x[i]);
      y0 = std::min(y0, s.y[i]);
      y1 = std::max(y1, s.y[i]);
    }
  }
  std::string out = header(width, height, title);
  if (!std::isfinite(x0)) {
    out += "<text x=\"10\" y=\"50\">no data</text></svg>";
    return out;
  }
  const std::vector<double> xt = niceTicks(x0, x1, 7), yt = niceTicks(y0, y1, 5);
  const double xa = xt.front(), xb = xt.back(), ya = yt.front(), yb = yt.back();
  const double left = 64, right = static_cast<double>(width) - 12, top = 28,
               bottom = static_cast<double>(height) - 58;
  auto px = [&](double x) { return left + (x - xa) / (xb - xa) * (right - left); };
  auto py = [&](double y) { return bottom - (y - ya) / (yb - ya) * (bottom - top); };
  const double xstep = xt.size() > 1 ? xt[1] - xt[0] : 1.0;
  const double ystep = yt.size() > 1 ? yt[1] - yt[0] : 1.0;
  for (double v : yt) {
    out += "<line x1=\"" + num(left) + "\" x2=\"" + num(right) + "\" y1=\"" + num(py(v)) +
           "\" y2=\"" + num(py(v)) + "\" stroke=\"#ddd\"/><text x=\"" + num(left - 6) + "\" y=\"" +
           num(py(v) + 4) + "\" text-anchor=\"end\">" + tickLabel(v, ystep) + "</text>";
  }
  for (double v : xt) {
    out += "<line x1=\"" + num(px(v)) + "\" x2=\"" + num(px(v)) + "\" y1=\"" + num(bottom) +
           "\" y2=\"" + num(bottom + 4) + "\" stroke=\"#333\"/><text x=\"" + num(px(v)) +
           "\" y=\"" + num(bottom + 17) + "\" text-anchor=\"middle\">" + tickLabel(v, xstep) +
           "</text>";
  }
  out += "<line x1=\"" + num(left) + "\" x2=\"" + num(right) + "\" y1=\"" + num(bottom) +
         "\" y2=\"" + num(bottom) + "\" stroke=\"#333\"/><line x1=\"" + num(left) + "\" x2=\"" +
         num(left) + "\" y1=\"" + num(top) + "\" y2=\"" + num(bottom) + "\" stroke=\"#333\"/>";
  out += "<text x=\"" + num((left + right) / 2) + "\" y=\"" + num(bottom + 34) +
         "\" text-anchor=\"middle\">" + escape(xTitle) + "</text>";
  out += "<text transform=\"translate(14 " + num((top + bottom) / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">" + escape(yTitle) + "</text>";
  for (std::size_t k = 0; k < series.size(); ++k) {
    const Series& s = series[k];
    const char* colour = kPalette[k % kPalette.size()];
    std::string d;
    bool pen = false;
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.y[i]) || !std::isfinite(s.x[i])) {
        pen = false;
        continue;
      }
      d += (pen ? "L" : "M") + num(px(s.x[i])) + " " + num(py(s.y[i]));
      pen = true;
    }
    out += "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"2\"" +
           (k > 0 ? " stroke-dasharray=\"" + std::string(k % 2 == 1 ? "6 3" : "2 2") + "\"" : "") +
           "/>";
    // legend below the axis title
    const double lx = left + static_cast<double>(k) * 170.0;
    out += "<line x1=\"" + num(lx) + "\" x2=\"" + num(lx + 22) + "\" y1=\"" +
           num(static_cast<double>(height) - 8) + "\" y2=\"" +
           num(static_cast<double>(height) - 8) + "\" stroke=\"" + colour +
           "\" stroke-width=\"2\"/><text x=\"" + num(lx + 27) + "\" y=\"" +
           num(static_cast<double>(height) - 4) + "\">" + escape(s.name) + "</text>";
  }
  return out + "</svg>";
}

std::string barChart(const std::string& title, const std::string& unit,
                     const std::vector<Bar>& bars, int width) {
  const double rowH = 22, top = 30, labelW = 250;
  const int height = static_cast<int>(top + rowH * static_cast<double>(bars.size()) + 40);
  std::string out = header(width, height, title);
  double lo = 0.0, hi = 0.0;
  for (const Bar& b : bars) {
    if (!std::isfinite(b.value))
      continue;
    const double e = b.ciHalf ? *b.ciHalf : 0.0;
    lo = std::min(lo, b.value - e);
    hi = std::max(hi, b.value + e);
  }
  const std::vector<double> t = niceTicks(lo, hi, 5);
  const double a = t.front(), z = t.back();
  const double left = labelW, right = static_cast<double>(width) - 16;
  auto px = [&](double v) { return left + (v - a) / (z - a) * (right - left); };
  const double bottom = top + rowH * static_cast<double>(bars.size());
  const double step = t.size() > 1 ? t[1] - t[0] : 1.0;
  for (double v : t) {
    out += "<line x1=\"" + num(px(v)) + "\" x2=\"" + num(px(v)) + "\" y1=\"" + num(top - 4) +
           "\" y2=\"" + num(bottom) + "\" stroke=\"" + (v == 0.0 ? "#333" : "#ddd") +
           "\"/><text x=\"" + num(px(v)) + "\" y=\"" + num(bottom + 15) +
           "\" text-anchor=\"middle\">" + tickLabel(v, step) + "</text>";
  }
  out += "<text x=\"" + num((left + right) / 2) + "\" y=\"" + num(bottom + 32) +
         "\" text-anchor=\"middle\">" + escape(unit) + "</text>";
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    const double y = top + rowH * static_cast<double>(i);
    out += "<text x=\"" + num(left - 8) + "\" y=\"" + num(y + 15) + "\" text-anchor=\"end\">" +
           escape(b.label) + "</text>";
    if (!std::isfinite(b.value))
      continue;
    const double x0 = px(std::min(0.0, b.value)), x1 = px(std::max(0.0, b.value));
    const char* colour = b.value < 0 ? kPalette[0] : kPalette[5];
    out += "<rect x=\"" + num(x0) + "\" y=\"" + num(y + 4) + "\" width=\"" +
           num(std::max(1.0, x1 - x0)) + "\" height=\"" + num(rowH - 8) + "\" fill=\"" + colour +
           "\"" + (b.significant ? "" : " fill-opacity=\"0.35\"") + "/>";
    if (b.ciHalf) {
      const double ea = px(b.value - *b.ciHalf), eb = px(b.value + *b.ciHalf);
      out += "<line x1=\"" + num(ea) + "\" x2=\"" + num(eb) + "\" y1=\"" + num(y + rowH / 2) +
             "\" y2=\"" + num(y + rowH / 2) + "\" stroke=\"#000\"/>";
    }
  }
  return out + "</svg>";
}

std::string mapChart(const std::string& title, const std::string& unit,
                     const std::vector<MapShape>& shapes, bool diverging, int width,
                     const std::string& attribution) {
  static constexpr std::array<const char*, 8> kViridis{"#440154", "#46327e", "#365c8d", "#277f8e",
                                                       "#1fa187", "#4ac16d", "#a0da39", "#fde725"};
  static constexpr std::array<const char*, 8> kDiverging{
      "#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#fee0b6", "#fdb863", "#e08214", "#b35806"};
  double e0 = std::numeric_limits<double>::infinity(), e1 = -e0, n0 = e0, n1 = -e0;
  std::vector<double> values;
  for (const MapShape& s : shapes) {
    for (const auto& r : s.rings) {
      for (const auto& p : r) {
        e0 = std::min(e0, p[0]);
        e1 = std::max(e1, p[0]);
        n0 = std::min(n0, p[1]);
        n1 = std::max(n1, p[1]);
      }
    }
    // levels: zero is a class of its own (buildings without residents, say), the quantile
    // classes cover the rest
    if (std::isfinite(s.value) && (diverging || s.value != 0.0))
      values.push_back(s.value);
  }
  const double mapTop = 26, legendH = 54;
  if (!std::isfinite(e0) || e1 <= e0 || n1 <= n0) {
    return header(width, 60, title) + "<text x=\"10\" y=\"45\">no shapes</text></svg>";
  }
  const double scale = static_cast<double>(width) / (e1 - e0);
  const double mapH = (n1 - n0) * scale;
  const int height = static_cast<int>(mapTop + mapH + legendH);
  // class breaks: quantiles (equal count) for levels, symmetric around zero for differences
  std::array<double, 9> edges{};
  std::sort(values.begin(), values.end());
  // differences: classes symmetric around zero up to the 98th percentile of |value| (a few
  // large buildings would otherwise leave every other one in the two middle classes)
  double maxAbs = 0.0;
  if (!values.empty()) {
    std::vector<double> mags;
    for (double v : values)
      mags.push_back(std::abs(v));
    std::sort(mags.begin(), mags.end());
    maxAbs = mags[std::min(mags.size() - 1, mags.size() * 98 / 100)];
    if (maxAbs == 0.0)
      maxAbs = mags.back();
  }
  for (int k = 0; k <= 8; ++k) {
    if (diverging) {
      edges[static_cast<std::size_t>(k)] = -maxAbs + maxAbs * static_cast<double>(k) / 4.0;
    } else if (!values.empty()) {
      const std::size_t at =
          std::min(values.size() - 1, values.size() * static_cast<std::size_t>(k) / 8);
      edges[static_cast<std::size_t>(k)] = k == 8 ? values.back() : values[at];
    }
  }
  auto classOf = [&](double v) -> int {
    if (!std::isfinite(v))
      return -1;
    if (diverging && (maxAbs == 0.0 || std::abs(v) <= maxAbs * 1e-9))
      return -2;  // no change
    if (!diverging && v == 0.0)
      return -2;  // zero
    for (int k = 1; k < 8; ++k) {
      if (v < edges[static_cast<std::size_t>(k)])
        return k - 1;
    }
    return 7;
  };
  std::array<std::string, 10> paths;  // 0..7 classes, 8 no value, 9 no change
  auto px = [&](double e) { return (e - e0) * scale; };
  auto py = [&](double n) { return mapTop + (n1 - n) * scale; };
  for (const MapShape& s : shapes) {
    const int c = classOf(s.value);
    std::string& d = paths[c == -1 ? 8u : c == -2 ? 9u : static_cast<std::size_t>(c)];
    for (const auto& r : s.rings) {
      double a = std::numeric_limits<double>::infinity(), b = -a, u = a, w = -a;
      for (const auto& p : r) {
        a = std::min(a, p[0]);
        b = std::max(b, p[0]);
        u = std::min(u, p[1]);
        w = std::max(w, p[1]);
      }
      if ((b - a) * scale < 0.34 && (w - u) * scale < 0.34)
        continue;  // under a third of a pixel
      for (std::size_t i = 0; i < r.size(); ++i)
        d += (i == 0 ? "M" : "L") + num(px(r[i][0])) + " " + num(py(r[i][1]));
      d += "Z";
    }
  }
  std::string out = header(width, height, title);
  out += "<rect x=\"0\" y=\"" + num(mapTop) + "\" width=\"" + std::to_string(width) +
         "\" height=\"" + num(mapH) + "\" fill=\"#f7f7f4\"/>";
  const auto& ramp = diverging ? kDiverging : kViridis;
  for (std::size_t k = 0; k < paths.size(); ++k) {
    if (paths[k].empty())
      continue;
    const char* fill = k < 8 ? ramp[k] : k == 8 ? "#bbbbbb" : "#e4e4e4";
    out +=
        "<path fill-rule=\"evenodd\" fill=\"" + std::string(fill) + "\" d=\"" + paths[k] + "\"/>";
  }
  // legend: eight swatches with their lower bounds, then the unit
  const double ly = mapTop + mapH + 10;
  const double range = (edges[8] - edges[0]) > 0 ? edges[8] - edges[0] : 1.0;
  const double labelStep = std::pow(10.0, std::floor(std::log10(range / 8.0)));
  for (std::size_t k = 0; k < 8; ++k) {
    const double x = 8 + static_cast<double>(k) * 56;
    out += "<rect x=\"" + num(x) + "\" y=\"" + num(ly) + "\" width=\"54\" height=\"12\" fill=\"" +
           ramp[k] + "\"/><text x=\"" + num(x) + "\" y=\"" + num(ly + 26) + "\" font-size=\"10\">" +
           tickLabel(edges[k], labelStep) + "</text>";
  }
  out += "<rect x=\"" + num(8 + 8 * 56 + 6) + "\" y=\"" + num(ly) +
         "\" width=\"14\" height=\"12\" fill=\"#e4e4e4\"/><text x=\"" + num(8 + 8 * 56 + 24) +
         "\" y=\"" + num(ly + 11) + "\">" + (diverging ? "no change" : "zero") +
         "</text><text x=\"" + num(8 + 8 * 56 + 6) + "\" y=\"" + num(ly + 26) + "\">" +
         escape(unit) + "</text>";
  // 1 km scale bar and north arrow in the map's lower right corner
  const double bar = 1000.0 * scale;
  if (bar < static_cast<double>(width) / 2) {
    const double bx = static_cast<double>(width) - bar - 12, by = mapTop + mapH - 12;
    out += "<rect x=\"" + num(bx) + "\" y=\"" + num(by) + "\" width=\"" + num(bar) +
           "\" height=\"4\" fill=\"#333\"/><text x=\"" + num(bx + bar / 2) + "\" y=\"" +
           num(by - 4) + "\" text-anchor=\"middle\" font-size=\"10\">1 km</text>";
  }
  out += "<text x=\"" + num(static_cast<double>(width) - 14) + "\" y=\"" + num(mapTop + 16) +
         "\" text-anchor=\"middle\" font-weight=\"bold\">N&#8593;</text>";
  if (!attribution.empty()) {
    out += "<text x=\"" + num(static_cast<double>(width) - 4) + "\" y=\"" +
           num(static_cast<double>(height) - 4) + "\" text-anchor=\"end\" font-size=\"10\">" +
           escape(attribution) + "</text>";
  }
  return out + "</svg>";
}

}  // namespace twin::io::svg
