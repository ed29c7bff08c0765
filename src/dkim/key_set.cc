// dkim/key_set.cc — parsing the key table and the signing table.
#include "dkim/key_set.h"

#include <algorithm>
#include <cctype>

#include "core/log.h"
#include "core/strings.h"
#include "dkim/opendkim_signer.h"
#include "dkim/table_file.h"
#include "idna/idna.h"

namespace sendguard::dkim {
namespace {

std::string Where(const std::string& path, int line) {
  return path + ":" + std::to_string(line) + ": ";
}

bool ValidDomainOrSelector(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_';
  });
}

bool HasFrom(const std::vector<std::string>& names) {
  return std::any_of(names.begin(), names.end(),
                     [](const std::string& n) { return Lower(n) == "from"; });
}

}  // namespace

Result<std::shared_ptr<const KeySet>> KeySet::Load(const DkimOptions& options) {
  std::shared_ptr<KeySet> set(new KeySet());
  set->options_ = options;
  for (auto* list : {&set->options_.sign_headers, &set->options_.oversign_headers})
    for (std::string& n : *list) n = Lower(n);
  if (!HasFrom(set->options_.sign_headers))
    return Status::InvalidArgument("dkim sign_headers must include From (RFC 6376 5.4)");
  if (!options.key_table_path.empty() || !options.signing_table_path.empty()) {
    Status s = set->LoadKeyTable();
    if (s.ok()) s = set->LoadSigningTable();
    if (!s.ok()) return s;
  }
  Result<std::shared_ptr<const OpenDkimLibrary>> lib = OpenDkimLibrary::Create(set->options_);
  if (!lib.ok()) return lib.status();
  set->opendkim_ = *lib;
  SG_LOG(kInfo) << "dkim: loaded " << set->keys_.size() << " key(s)";
  return std::shared_ptr<const KeySet>(set);
}

Status KeySet::LoadKeyTable() {
  const std::string& path = options_.key_table_path;
  Result<std::vector<TableLine>> lines = ReadTableFile(path);
  if (!lines.ok()) return lines.status();
  for (const TableLine& line : *lines) {
    std::string where = Where(path, line.number);
    bool flagged = line.fields.size() == 3 && line.fields[2] == "require-published";
    if (line.fields.size() != 2 && !flagged)
      return Status::InvalidArgument(where + "expected 'name domain:selector:keyfile [require-published]'");
    const std::string& spec = line.fields[1];
    size_t c1 = spec.find(':'), c2 = c1 == std::string::npos ? c1 : spec.find(':', c1 + 1);
    if (c2 == std::string::npos)
      return Status::InvalidArgument(where + "expected domain:selector:keyfile, got '" + spec + "'");
    std::string domain = spec.substr(0, c1);
    if (domain != "%") {
      Result<std::string> canonical = idna::CanonicalDomain(domain);
      if (!canonical.ok()) return Status::InvalidArgument(where + canonical.status().message());
      domain = *canonical;  // d= is always the A-label (RFC 6376, 8616)
    }
    KeyEntry e{line.fields[0], domain, Lower(spec.substr(c1 + 1, c2 - c1 - 1)),
               ResolveBeside(path, spec.substr(c2 + 1)), {}, flagged};
    if (flagged && e.domain == "%")
      return Status::InvalidArgument(where + "require-published needs a fixed domain, not %");
    if (e.domain != "%" && !ValidDomainOrSelector(e.domain))
      return Status::InvalidArgument(where + "bad signing domain '" + e.domain + "'");
    if (!ValidDomainOrSelector(e.selector))
      return Status::InvalidArgument(where + "bad selector '" + e.selector + "'");
    for (const KeyEntry& other : keys_)
      if (other.name == e.name)
        return Status::InvalidArgument(where + "key name '" + e.name + "' defined twice");
    Result<PrivateKey> key = LoadPrivateKey(e.path, options_.allow_group_readable_keys);
    if (!key.ok()) return Status(key.status().code() == Status::Code::kIoError
                                     ? Status::IoError(where + key.status().message())
                                     : Status::InvalidArgument(where + key.status().message()));
    if (key->type == KeyType::kRsa && key->bits < 2048) {
      SG_LOG(kWarning) << where << "RSA key of " << key->bits << " bits; 2048 is recommended";
    }
    e.key = std::move(key).value();
    keys_.push_back(std::move(e));
  }
  return Status::Ok();
}

Result<std::vector<size_t>> KeySet::KeyIndices(const std::vector<std::string>& names,
                                               const std::string& where) const {
  std::vector<size_t> out;
  for (size_t n = 1; n < names.size(); ++n) {
    auto it = std::find_if(keys_.begin(), keys_.end(),
                           [&](const KeyEntry& e) { return e.name == names[n]; });
    if (it == keys_.end())
      return Status::InvalidArgument(where + "key '" + names[n] + "' is not in the key table");
    out.push_back(static_cast<size_t>(it - keys_.begin()));
  }
  return out;
}

Status KeySet::LoadSigningTable() {
  const std::string& path = options_.signing_table_path;
  Result<std::vector<TableLine>> lines = ReadTableFile(path);
  if (!lines.ok()) return lines.status();
  for (const TableLine& line : *lines) {
    std::string where = Where(path, line.number);
    if (line.fields.size() < 2)
      return Status::InvalidArgument(where + "expected 'pattern keyname [keyname...]'");
    Result<std::vector<size_t>> keys = KeyIndices(line.fields, where);
    if (!keys.ok()) return keys.status();
    Result<std::string> canonical = idna::CanonicalPattern(Lower(line.fields[0]));
    if (!canonical.ok()) return Status::InvalidArgument(where + canonical.status().message());
    std::string pattern = *canonical;
    std::vector<size_t>* slot = nullptr;
    if (pattern == "*") slot = &catch_all_;
    else if (pattern.rfind("*.", 0) == 0 && ValidDomainOrSelector(pattern.substr(2)))
      slot = &suffixes_[pattern.substr(1)];
    else if (ValidDomainOrSelector(pattern)) slot = &exact_[pattern];
    else return Status::InvalidArgument(where + "bad pattern '" + pattern +
                                        "' (use example.com, *.example.com or *)");
    if (!slot->empty())
      return Status::InvalidArgument(where + "pattern '" + pattern + "' listed twice");
    *slot = std::move(keys).value();
  }
  return Status::Ok();
}

const std::vector<size_t>* KeySet::Lookup(const std::string& from_domain) const {
  Result<std::string> canonical = idna::CanonicalDomain(from_domain);
  std::string domain = canonical.ok() ? *canonical : Lower(from_domain);
  auto exact = exact_.find(domain);
  if (exact != exact_.end()) return &exact->second;
  for (size_t dot = domain.find('.'); dot != std::string::npos; dot = domain.find('.', dot + 1)) {
    auto it = suffixes_.find(domain.substr(dot));
    if (it != suffixes_.end()) return &it->second;
  }
  return catch_all_.empty() ? nullptr : &catch_all_;
}

std::vector<const KeyEntry*> KeySet::KeysFor(const std::string& from_domain) const {
  std::vector<const KeyEntry*> out;
  if (const std::vector<size_t>* found = Lookup(from_domain))
    for (size_t i : *found)
      if (!held_.count(keys_[i].name)) out.push_back(&keys_[i]);
  return out;
}

std::vector<HeldKey> KeySet::HeldFor(const std::string& from_domain) const {
  std::vector<HeldKey> out;
  if (held_.empty()) return out;
  if (const std::vector<size_t>* found = Lookup(from_domain))
    for (size_t i : *found) {
      auto it = held_.find(keys_[i].name);
      if (it != held_.end()) out.push_back({&keys_[i], it->second});
    }
  return out;
}

std::shared_ptr<const KeySet> KeySet::WithHeldBack(std::map<std::string, std::string> held) const {
  std::shared_ptr<KeySet> copy(new KeySet(*this));
  copy->held_ = std::move(held);
  return copy;
}

std::vector<std::string> KeySet::ExactDomains() const {
  std::vector<std::string> domains;
  for (const auto& [domain, keys] : exact_) domains.push_back(domain);
  return domains;
}

std::vector<std::string> KeySet::ExactEntryFor(const std::string& domain) const {
  std::vector<std::string> names;
  auto it = exact_.find(domain);
  if (it != exact_.end())
    for (size_t i : it->second) names.push_back(keys_[i].name);
  return names;
}

}  // namespace sendguard::dkim
