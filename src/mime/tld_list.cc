// mime/tld_list.cc — a set of lower-cased top-level domain names.
#include "mime/tld_list.h"

#include "core/strings.h"

namespace sendguard {
namespace mime {

void TldList::Add(std::string_view name) {
  if (!name.empty()) names_.insert(Lower(name));
}

bool TldList::Contains(std::string_view label) const {
  if (names_.empty() || label.empty() || label.size() > 63) return false;
  return names_.count(Lower(label)) != 0;
}

const TldList& TldList::None() {
  static const TldList kNone;
  return kNone;
}

}  // namespace mime
}  // namespace sendguard
