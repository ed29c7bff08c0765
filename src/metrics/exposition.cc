// metrics/exposition.cc — writing the text format.
#include "metrics/exposition.h"

#include <cinttypes>
#include <cstdio>
#include <sstream>

#include "core/version.h"
#include "metrics/catalog.h"

namespace sendguard::metrics {
namespace {

std::string Labels(const FamilySpec& f, size_t series, const std::string& extra = "") {
  std::string out;
  if (!f.values.empty()) {
    for (size_t i = 0; i < f.label_names.size(); ++i) {
      out += (out.empty() ? "" : ",") + f.label_names[i] + "=\"" + f.values[series][i] + "\"";
    }
  }
  if (!extra.empty()) out += (out.empty() ? "" : ",") + extra;
  return out.empty() ? "" : "{" + out + "}";
}

std::string Bound(double b) {
  char buf[32];
  snprintf(buf, sizeof buf, "%g", b);
  return buf;
}

std::string Seconds(uint64_t micros) {
  char buf[40];
  snprintf(buf, sizeof buf, "%" PRIu64 ".%06" PRIu64, micros / 1000000, micros % 1000000);
  return buf;
}

void Histogram(std::ostream& out, const FamilySpec& f, size_t series, const uint64_t* at) {
  std::string base(f.name);
  uint64_t cumulative = 0;
  for (size_t b = 0; b <= kBuckets; ++b) {
    cumulative += at[b];
    std::string le = "le=\"" + (b < kBuckets ? Bound(kBucketBounds[b]) : std::string("+Inf")) + "\"";
    out << base << "_bucket" << Labels(f, series, le) << " " << cumulative << "\n";
  }
  out << base << "_sum" << Labels(f, series) << " " << Seconds(at[kBuckets + 1]) << "\n";
  out << base << "_count" << Labels(f, series) << " " << cumulative << "\n";
}

const char* TypeName(Kind k) {
  return k == Kind::kCounter ? "counter" : k == Kind::kGauge ? "gauge" : "histogram";
}

void WriteFamily(std::ostream& out, const FamilySpec& f, const Values& v) {
  out << "# HELP " << f.name << " " << f.help << "\n# TYPE " << f.name << " " << TypeName(f.kind) << "\n";
  size_t base = TheLayout().base[static_cast<size_t>(f.family)];
  size_t series = f.values.empty() ? 1 : f.values.size();
  for (size_t s = 0; s < series; ++s) {
    if (f.kind == Kind::kHistogram) {
      Histogram(out, f, s, &v[base + s * (kBuckets + 2)]);
    } else if (f.kind == Kind::kGauge) {
      out << f.name << Labels(f, s) << " " << static_cast<int64_t>(v[base + s]) << "\n";
    } else {
      out << f.name << Labels(f, s) << " " << v[base + s] << "\n";
    }
  }
}

void Info(std::ostream& out, const char* name, const char* help, const std::string& version) {
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n"
      << name << "{version=\"" << version << "\"} 1\n";
}

std::string Hex(uint64_t v) {
  char buf[20];
  snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

}  // namespace

std::string RenderPrometheus(const Values& values) {
  std::ostringstream out;
  Info(out, "sendguard_build_info", "The running sendguard's version", kSendguardVersion);
  for (const FamilySpec& f : Catalog()) {
    if (f.exported) WriteFamily(out, f, values);
  }
  const FamilySpec& rules = SpecOf(Family::kRulesetVersion);
  Info(out, rules.name, rules.help, Hex(values[TheLayout().base[static_cast<size_t>(Family::kRulesetVersion)]]));
  return out.str();
}

}  // namespace sendguard::metrics
