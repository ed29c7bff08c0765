// dkim/key_record.cc — the tag-list parser for DKIM key records.
#include "dkim/key_record.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "core/strings.h"

namespace sendguard::dkim {
namespace {

bool ValidTagName(std::string_view name) {
  if (name.empty() || !std::isalpha(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

std::string WithoutSpace(std::string_view s) {
  std::string out;
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c))) out.push_back(c);
  return out;
}

std::vector<std::string> ColonList(std::string_view value) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t colon; (colon = value.find(':', start)) != std::string_view::npos; start = colon + 1)
    out.push_back(Lower(Trim(value.substr(start, colon - start))));
  out.push_back(Lower(Trim(value.substr(start))));
  return out;
}

bool Contains(const std::vector<std::string>& list, const std::string& word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

bool ValidBase64(const std::string& s) {
  size_t pad = s.find('=');
  if (pad != std::string::npos && s.find_first_not_of('=', pad) != std::string::npos) return false;
  return std::all_of(s.begin(), s.begin() + std::min(pad, s.size()), [](unsigned char c) {
    return std::isalnum(c) || c == '+' || c == '/';
  });
}

Status Apply(const std::string& name, std::string_view value, KeyRecord* r) {
  if (name == "k") r->key_type = Lower(Trim(value));
  else if (name == "p") r->public_key = WithoutSpace(value);
  else if (name == "h") r->hashes = ColonList(value);
  else if (name == "s") r->services = ColonList(value);
  else if (name == "t") r->flags = ColonList(value);
  if (name == "p" && !ValidBase64(r->public_key)) return Status::InvalidArgument("p= is not base64");
  return Status::Ok();
}

}  // namespace

bool KeyRecord::testing() const { return Contains(flags, "y"); }

bool KeyRecord::AllowsSha256Email() const {
  bool hash_ok = hashes.empty() || Contains(hashes, "sha256");
  bool service_ok = services.empty() || Contains(services, "*") || Contains(services, "email");
  return hash_ok && service_ok;
}

Result<KeyRecord> ParseKeyRecord(std::string_view text) {
  KeyRecord record;
  std::set<std::string> seen;
  size_t start = 0;
  while (start <= text.size()) {
    size_t semi = std::min(text.find(';', start), text.size());
    std::string_view spec = Trim(text.substr(start, semi - start));
    start = semi + 1;
    if (spec.empty()) continue;  // "a=1;" and "a=1; ;b=2" are allowed
    size_t eq = spec.find('=');
    if (eq == std::string_view::npos) return Status::InvalidArgument("'" + std::string(spec) + "' is not tag=value");
    std::string name(Trim(spec.substr(0, eq)));
    std::string_view value = Trim(spec.substr(eq + 1));
    if (!ValidTagName(name)) return Status::InvalidArgument("bad tag name '" + name + "'");
    bool first = seen.empty();
    if (!seen.insert(name).second) return Status::InvalidArgument("tag " + name + "= given twice");
    if (name == "v" && (!first || value != "DKIM1"))
      return Status::InvalidArgument(!first ? "v= must be the first tag" : "v=" + std::string(value) + " is not DKIM1");
    Status s = Apply(name, value, &record);
    if (!s.ok()) return s;
  }
  if (!seen.count("p")) return Status::InvalidArgument("no p= tag");
  return record;
}

}  // namespace sendguard::dkim
