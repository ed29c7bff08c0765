// spf/spf_types.cc — name tables for SpfResult and Action.
#include "spf/spf_types.h"

namespace sendguard::spf {
namespace {

constexpr SpfResult kAllResults[] = {
    SpfResult::kNone,     SpfResult::kNeutral,   SpfResult::kPass,     SpfResult::kFail,
    SpfResult::kSoftFail, SpfResult::kTempError, SpfResult::kPermError};
constexpr Action kAllActions[] = {Action::kNone, Action::kTag, Action::kTempFail,
                                  Action::kReject};

}  // namespace

const char* SpfResultName(SpfResult result) {
  switch (result) {
    case SpfResult::kNone: return "none";
    case SpfResult::kNeutral: return "neutral";
    case SpfResult::kPass: return "pass";
    case SpfResult::kFail: return "fail";
    case SpfResult::kSoftFail: return "softfail";
    case SpfResult::kTempError: return "temperror";
    case SpfResult::kPermError: return "permerror";
  }
  return "temperror";
}

bool ParseSpfResult(const std::string& name, SpfResult* out) {
  for (SpfResult r : kAllResults) {
    if (name == SpfResultName(r)) {
      *out = r;
      return true;
    }
  }
  return false;
}

const char* ActionName(Action action) {
  switch (action) {
    case Action::kNone: return "none";
    case Action::kTag: return "tag";
    case Action::kTempFail: return "tempfail";
    case Action::kReject: return "reject";
  }
  return "none";
}

bool ParseAction(const std::string& name, Action* out) {
  for (Action a : kAllActions) {
    if (name == ActionName(a)) {
      *out = a;
      return true;
    }
  }
  return false;
}

}  // namespace sendguard::spf
