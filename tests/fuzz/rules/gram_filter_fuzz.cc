// Fuzz target for the prefilter's literal search: GramFilter must report
// exactly the atoms a naive ASCII-case-insensitive search finds, and
// AhoCorasick at least those. Input: atoms, one per line, then a line
// "--", then the text.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "rules/aho_corasick.h"
#include "rules/gram_filter.h"

namespace {

std::string AsciiLower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return s;
}

std::vector<int> Sorted(std::vector<int> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  std::string input(reinterpret_cast<const char*>(data), size);
  size_t sep = input.find("\n--\n");
  if (sep == std::string::npos) return 0;
  std::vector<std::string> atoms;
  for (size_t pos = 0; pos < sep && atoms.size() < 200;) {
    size_t end = std::min(input.find('\n', pos), sep);
    atoms.push_back(AsciiLower(input.substr(pos, end - pos)));
    pos = end + 1;
  }
  std::string text = input.substr(sep + 4);
  std::vector<int> expected;
  for (size_t i = 0; i < atoms.size(); ++i)
    if (!atoms[i].empty() && AsciiLower(text).find(atoms[i]) != std::string::npos)
      expected.push_back(static_cast<int>(i));
  std::vector<int> found;
  std::vector<uint8_t> seen;
  sendguard::rules::GramFilter(atoms).FindAll(text, &found, &seen);
  if (Sorted(found) != expected) abort();
  found.clear();
  sendguard::rules::AhoCorasick(atoms).FindAll(text, &found, &seen);
  found = Sorted(found);
  for (int id : expected)
    if (!std::binary_search(found.begin(), found.end(), id)) abort();
  return 0;
}
