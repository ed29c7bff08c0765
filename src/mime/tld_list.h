// mime/tld_list.h — the top-level domains a rule set names (SpamAssassin's
// `util_rb_tld`, shipped in 20_aux_tlds.cf), which decide, as in
// SpamAssassin, whether a bare "example.com/x" in text is a URL and whether
// the domain of a bare mail address counts.
//
// Contract: names are kept lower-cased; Contains is case-insensitive. An
// empty list means "none named": text finds no schemeless URLs (as
// SpamAssassin, which then matches its placeholder `no_tlds_defined`), and
// mail addresses fall back to "the last label is 2 or more letters".
// Thread-safety: const methods may be called from any number of threads;
// Add and Clear only while the list is being built.
#ifndef SENDGUARD_MIME_TLD_LIST_H_
#define SENDGUARD_MIME_TLD_LIST_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>

namespace sendguard {
namespace mime {

class TldList {
 public:
  void Add(std::string_view name);
  void Clear() { names_.clear(); }
  bool Contains(std::string_view label) const;
  bool empty() const { return names_.empty(); }
  size_t size() const { return names_.size(); }

  // The list of no names, for callers that have no rule set.
  static const TldList& None();

 private:
  std::unordered_set<std::string> names_;
};

}  // namespace mime
}  // namespace sendguard

#endif  // SENDGUARD_MIME_TLD_LIST_H_
