// rules/rule_def.cc — small helpers for the rule data types.
#include "rules/rule_def.h"

namespace sendguard {
namespace rules {

const char* TargetName(Target t) {
  switch (t) {
    case Target::kHeader: return "header";
    case Target::kBody: return "body";
    case Target::kRawBody: return "rawbody";
    case Target::kUri: return "uri";
    case Target::kFull: return "full";
    case Target::kMeta: return "meta";
    case Target::kMimeHeader: return "mimeheader";
  }
  return "?";
}

int LoadReport::errors() const {
  int n = 0;
  for (const Problem& p : problems) n += p.severity == Severity::kError;
  return n;
}

void ParsedRules::Define(RuleDef def) {
  auto it = index.find(def.name);
  if (it != index.end()) {
    defs[it->second] = std::move(def);
    return;
  }
  index[def.name] = defs.size();
  defs.push_back(std::move(def));
}

}  // namespace rules
}  // namespace sendguard
