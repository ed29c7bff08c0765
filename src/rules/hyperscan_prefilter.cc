// rules/hyperscan_prefilter.cc — Hyperscan database in prefilter mode, a
// pool of scratch spaces, and the rewrites that keep Hyperscan's reading of
// a pattern at least as wide as RE2's.
#include "rules/hyperscan_prefilter.h"

// Built with Hyperscan wherever its header is installed (src/rules/module.mk
// links -lhs on the same condition).
#if __has_include(<hs/hs.h>)
#define SENDGUARD_HAVE_HYPERSCAN 1
#include <hs/hs.h>
#endif

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <mutex>

#include "core/log.h"

namespace sendguard {
namespace rules {

#ifdef SENDGUARD_HAVE_HYPERSCAN
struct HyperscanPrefilter::Impl {
  hs_database_t* db = nullptr;
  hs_scratch_t* prototype = nullptr;
  mutable std::mutex mu;
  mutable std::vector<hs_scratch_t*> idle;  // scratch spaces not in use
  ~Impl() {
    for (hs_scratch_t* s : idle) hs_free_scratch(s);
    hs_free_scratch(prototype);
    hs_free_database(db);
  }
};
#else
struct HyperscanPrefilter::Impl {};
#endif

namespace {


// RE2's \s is [\t\n\f\r ]; Hyperscan's (like PCRE's) adds \v, so a negated
// \S or [^\s] would be narrower there. RE2's \v is the one character VT,
// Hyperscan's a class. Spell both out so the readings agree. Returns false
// when a class holds \S (no simple spelling) or \Q...\E quoting is used.
bool RewriteForHyperscan(const std::string& in, std::string* out) {
  out->clear();
  bool in_class = false;
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '\\' && i + 1 < in.size()) {
      char e = in[++i];
      if (e == 'Q') return false;
      if (e == 's') *out += in_class ? "\\t\\n\\f\\r\\x20" : "[\\t\\n\\f\\r\\x20]";
      else if (e == 'S' && in_class) return false;
      else if (e == 'S') *out += "[^\\t\\n\\f\\r\\x20]";
      else if (e == 'v') *out += "\\x0b";
      else { *out += c; *out += e; }
      continue;
    }
    if (c == '[' && !in_class) {
      in_class = true;
      *out += c;
      // A ']' first in a class (after an optional '^') is a literal.
      if (i + 1 < in.size() && in[i + 1] == '^') *out += in[++i];
      if (i + 1 < in.size() && in[i + 1] == ']') *out += in[++i];
      continue;
    }
    if (c == '[' && in_class && i + 1 < in.size() && in[i + 1] == ':') {
      size_t end = in.find(":]", i + 2);
      if (end == std::string::npos) return false;
      out->append(in, i, end + 2 - i);  // [:alpha:] and friends
      i = end + 1;
      continue;
    }
    if (c == ']' && in_class) in_class = false;
    *out += c;
  }
  return true;
}

// Whether a (?flags) group of the pattern may turn on case folding.
bool MayFoldCase(const std::string& p) {
  for (size_t i = p.find("(?"); i != std::string::npos; i = p.find("(?", i + 1)) {
    for (size_t j = i + 2; j < p.size() && p[j] != ')' && p[j] != ':'; ++j)
      if (p[j] == 'i') return true;
  }
  return false;
}

// Bytes or escapes that may stand for a non-ASCII character: RE2 folds the
// case of Latin-1 letters, Hyperscan outside UTF-8 mode only of ASCII ones.
bool MayNameNonAscii(const std::string& p) {
  for (size_t i = 0; i < p.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (c >= 0x80) return true;
    if (c == '\\' && i + 1 < p.size()) {
      char e = p[++i];
      if (e == 'x' || (e >= '0' && e <= '9')) return true;
    }
  }
  return false;
}

// Escapes whose Hyperscan reading (outside UTF-8 mode) may be narrower than
// RE2's Latin-1 one: Unicode classes (RE2's include Latin-1 letters) and \C.
bool HasUnsafeEscape(const std::string& p) {
  for (size_t i = 0; i + 1 < p.size(); ++i)
    if (p[i] == '\\') {
      char e = p[++i];
      if (e == 'p' || e == 'P' || e == 'C') return true;
    }
  return false;
}

// The pattern as Hyperscan should read it, or false when Hyperscan may not
// approximate it (see the contract in the header).
bool Prepare(const HyperscanPrefilter::Pattern& p, std::string* rewritten) {
  if (p.re2_pattern.find('\0') != std::string::npos || HasUnsafeEscape(p.re2_pattern)) return false;
  if ((p.case_insensitive || MayFoldCase(p.re2_pattern)) && MayNameNonAscii(p.re2_pattern))
    return false;
  return RewriteForHyperscan(p.re2_pattern, rewritten);
}

#ifdef SENDGUARD_HAVE_HYPERSCAN
constexpr unsigned kBaseFlags = HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;
constexpr int kMaxCompileRetries = 32;

int OnMatch(unsigned int id, unsigned long long, unsigned long long, unsigned int, void* ctx) {
  (*static_cast<std::vector<uint8_t>*>(ctx))[id] = 1;
  return 0;  // keep scanning
}

// Compiles the patterns still marked accepted; drops a pattern Hyperscan's
// compiler rejects and tries again. Returns nullptr if nothing compiles.
hs_database_t* CompileAccepted(const std::vector<std::string>& rewritten,
                               const std::vector<unsigned>& flags, std::vector<uint8_t>* accepted) {
  for (int attempt = 0; attempt < kMaxCompileRetries; ++attempt) {
    std::vector<const char*> exprs;
    std::vector<unsigned> fl, ids;
    for (size_t i = 0; i < rewritten.size(); ++i)
      if ((*accepted)[i]) {
        exprs.push_back(rewritten[i].c_str());
        fl.push_back(flags[i]);
        ids.push_back(static_cast<unsigned>(i));
      }
    if (exprs.empty()) return nullptr;
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(exprs.data(), fl.data(), ids.data(), static_cast<unsigned>(exprs.size()),
                         HS_MODE_BLOCK, nullptr, &db, &err) == HS_SUCCESS)
      return db;
    int bad = err ? err->expression : -1;
    SG_LOG(kDebug) << "rules: Hyperscan rejected " << (bad >= 0 ? "a pattern" : "the set")
                   << ": " << (err ? err->message : "unknown error");
    hs_free_compile_error(err);
    if (bad < 0) break;
    (*accepted)[ids[bad]] = 0;
  }
  std::fill(accepted->begin(), accepted->end(), 0);
  return nullptr;
}

#endif  // SENDGUARD_HAVE_HYPERSCAN

}  // namespace

bool HyperscanPrefilter::SafeToApproximate(const Pattern& p) {
  std::string ignored;
  return Prepare(p, &ignored);
}

HyperscanPrefilter::HyperscanPrefilter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HyperscanPrefilter::~HyperscanPrefilter() = default;

bool HyperscanPrefilter::Available() {
#ifdef SENDGUARD_HAVE_HYPERSCAN
  return hs_valid_platform() == HS_SUCCESS;
#else
  return false;
#endif
}

std::unique_ptr<HyperscanPrefilter> HyperscanPrefilter::Build(const std::vector<Pattern>& patterns,
                                                              std::vector<uint8_t>* accepted) {
  accepted->assign(patterns.size(), 0);
  if (patterns.empty() || !Available()) return nullptr;
#ifdef SENDGUARD_HAVE_HYPERSCAN
  std::vector<std::string> rewritten(patterns.size());
  std::vector<unsigned> flags(patterns.size(), kBaseFlags);
  for (size_t i = 0; i < patterns.size(); ++i) {
    const Pattern& p = patterns[i];
    if (p.case_insensitive) flags[i] |= HS_FLAG_CASELESS;
    if (!Prepare(p, &rewritten[i])) continue;
    hs_expr_info_t* info = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_expression_info(rewritten[i].c_str(), flags[i], &info, &err) == HS_SUCCESS)
      (*accepted)[i] = 1;
    free(info);
    hs_free_compile_error(err);
  }
  auto impl = std::make_unique<Impl>();
  impl->db = CompileAccepted(rewritten, flags, accepted);
  if (!impl->db) return nullptr;
  if (hs_alloc_scratch(impl->db, &impl->prototype) != HS_SUCCESS) {
    SG_LOG(kWarning) << "rules: cannot allocate Hyperscan scratch space; not using Hyperscan";
    std::fill(accepted->begin(), accepted->end(), 0);
    return nullptr;
  }
  return std::unique_ptr<HyperscanPrefilter>(new HyperscanPrefilter(std::move(impl)));
#else
  return nullptr;
#endif
}

Status HyperscanPrefilter::Scan(std::string_view text, std::vector<uint8_t>* may_match) const {
#ifndef SENDGUARD_HAVE_HYPERSCAN
  (void)text;
  (void)may_match;
  return Status::Internal("rules: built without Hyperscan");
#else
  hs_scratch_t* scratch = nullptr;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (!impl_->idle.empty()) {
      scratch = impl_->idle.back();
      impl_->idle.pop_back();
    }
  }
  if (text.size() > UINT32_MAX) return Status::Internal("rules: text too long for Hyperscan");
  if (!scratch && hs_clone_scratch(impl_->prototype, &scratch) != HS_SUCCESS) {
    hs_free_scratch(scratch);
    return Status::Internal("rules: cannot allocate Hyperscan scratch space");
  }
  hs_error_t rc = hs_scan(impl_->db, text.data(), static_cast<unsigned>(text.size()), 0, scratch,
                          OnMatch, may_match);
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->idle.push_back(scratch);
  }
  if (rc != HS_SUCCESS)
    return Status::Internal("rules: Hyperscan scan failed (error " + std::to_string(rc) + ")");
  return Status::Ok();
#endif
}

}  // namespace rules
}  // namespace sendguard
