// dns/dns_data.cc — parser for the static DNS data file (see dns_data.h).
// Fails with InvalidArgument naming file:line; never throws.
#include "dns/dns_data.h"

#include <arpa/inet.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "core/strings.h"

namespace sendguard::dns {
namespace {

constexpr size_t kMaxTxtLength = 4096;
constexpr size_t kMaxNameLength = 253;

struct LineCursor {
  const std::string& text;
  size_t pos = 0;

  void SkipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
  }
  bool AtEnd() {
    SkipSpace();
    return pos >= text.size() || text[pos] == '#';
  }
  std::string Word() {
    SkipSpace();
    size_t start = pos;
    while (pos < text.size() && !std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
    return text.substr(start, pos - start);
  }
};

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameLength || name.front() == '.') return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' &&
        c != '*') {
      return false;
    }
  }
  return name.find("..") == std::string::npos;
}

std::string NormalizeName(std::string name) {
  if (!name.empty() && name.back() == '.') name.pop_back();
  return Lower(name);
}

bool ParseTypeName(const std::string& word, DnsRecordType* out) {
  static const struct { const char* name; DnsRecordType type; } kTypes[] = {
      {"TXT", DnsRecordType::kTxt},         {"A", DnsRecordType::kA},
      {"AAAA", DnsRecordType::kAaaa},       {"MX", DnsRecordType::kMx},
      {"PTR", DnsRecordType::kPtr},         {"CNAME", DnsRecordType::kCname},
      {"TEMPFAIL", DnsRecordType::kTempFail},
      {"TIMEOUT", DnsRecordType::kTimeout}};
  std::string upper = word;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const auto& t : kTypes) {
    if (upper == t.name) {
      *out = t.type;
      return true;
    }
  }
  return false;
}

// Reads one "quoted string" at the cursor into *out; returns an error text.
std::string ReadQuoted(LineCursor* cur, std::string* out) {
  const std::string& t = cur->text;
  if (cur->pos >= t.size() || t[cur->pos] != '"') return "TXT data must be \"quoted\"";
  for (++cur->pos; cur->pos < t.size(); ++cur->pos) {
    char c = t[cur->pos];
    if (c == '"') {
      ++cur->pos;
      return "";
    }
    if (c == '\\') {
      if (++cur->pos >= t.size()) break;
      c = t[cur->pos];
    }
    out->push_back(c);
  }
  return "unterminated quoted string";
}

std::string ParseTxt(LineCursor* cur, std::string* data) {
  do {
    std::string err = ReadQuoted(cur, data);
    if (!err.empty()) return err;
    if (data->size() > kMaxTxtLength) return "TXT data longer than 4096 bytes";
  } while (!cur->AtEnd());
  return "";
}

std::string ParseData(DnsRecordType type, LineCursor* cur, std::string* data) {
  switch (type) {
    case DnsRecordType::kTxt:
      if (cur->AtEnd()) return "TXT needs a quoted string";
      return ParseTxt(cur, data);
    case DnsRecordType::kA:
    case DnsRecordType::kAaaa: {
      *data = cur->Word();
      unsigned char buf[16];
      int family = type == DnsRecordType::kA ? AF_INET : AF_INET6;
      if (inet_pton(family, data->c_str(), buf) != 1) return "bad address '" + *data + "'";
      return "";
    }
    case DnsRecordType::kMx:
    case DnsRecordType::kPtr:
    case DnsRecordType::kCname: {
      std::string word = cur->Word();
      if (type == DnsRecordType::kMx && !word.empty() &&
          word.find_first_not_of("0123456789") == std::string::npos) {
        word = cur->Word();  // skip the preference
      }
      *data = NormalizeName(word);
      if (!ValidName(*data)) return "bad host name '" + word + "'";
      return "";
    }
    case DnsRecordType::kTempFail:
    case DnsRecordType::kTimeout:
      return "";
  }
  return "unknown type";
}

Status LineError(const std::string& filename, int line, const std::string& why) {
  return Status::InvalidArgument(filename + ":" + std::to_string(line) + ": " + why);
}

}  // namespace

Result<std::vector<DnsRecord>> ParseDnsData(const std::string& text,
                                            const std::string& filename) {
  std::vector<DnsRecord> records;
  std::istringstream in(text);
  std::string line_text;
  for (int line = 1; std::getline(in, line_text); ++line) {
    if (!line_text.empty() && line_text.back() == '\r') line_text.pop_back();
    LineCursor cur{line_text};
    if (cur.AtEnd()) continue;
    DnsRecord rec;
    rec.line = line;
    std::string raw_name = cur.Word();
    rec.name = NormalizeName(raw_name);
    if (!ValidName(rec.name)) return LineError(filename, line, "bad name '" + raw_name + "'");
    std::string type_word = cur.Word();
    if (!ParseTypeName(type_word, &rec.type)) {
      return LineError(filename, line, "unknown record type '" + type_word + "'");
    }
    std::string err = ParseData(rec.type, &cur, &rec.data);
    if (err.empty() && !cur.AtEnd()) err = "unexpected text after the record";
    if (!err.empty()) return LineError(filename, line, err);
    records.push_back(std::move(rec));
  }
  return records;
}

Result<std::vector<DnsRecord>> LoadDnsDataFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot open DNS data file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IoError(path + ": read error");
  return ParseDnsData(text.str(), path);
}

}  // namespace sendguard::dns
