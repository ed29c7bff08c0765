// policy/verdict.cc — names of verdicts for logs.
#include "policy/verdict.h"

namespace sendguard {

const char* VerdictName(const Verdict& v) {
  switch (v.kind) {
    case Verdict::Kind::kContinue: return "continue";
    case Verdict::Kind::kAccept: return "accept";
    case Verdict::Kind::kTempfail: return "tempfail";
    case Verdict::Kind::kReject: return "reject";
    case Verdict::Kind::kDiscard: return "discard";
  }
  return "?";
}

}  // namespace sendguard
