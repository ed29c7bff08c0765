// Tests for rules/aho_corasick.h, including a randomized check against a
// naive search.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <random>

#include "rules/aho_corasick.h"

using sendguard::rules::AhoCorasick;

namespace {

std::vector<int> Find(const AhoCorasick& ac, const std::string& text) {
  std::vector<int> found;
  std::vector<uint8_t> seen;
  ac.FindAll(text, &found, &seen);
  std::sort(found.begin(), found.end());
  return found;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(aho_corasick_finds_overlapping_atoms_case_insensitively) {
  AhoCorasick ac({"he", "she", "his", "hers", ""});
  BOOST_TEST(Find(ac, "uSHErs") == std::vector<int>({0, 1, 3}));
  BOOST_TEST(Find(ac, "nothing here").size() == 1u);  // "he" in "here"
  BOOST_TEST(Find(ac, "").empty());
}

BOOST_AUTO_TEST_CASE(aho_corasick_never_misses_an_atom_randomized) {
  std::mt19937 rng(42);
  const std::string alphabet = "abcAB 1.-\xe9";
  for (int round = 0; round < 50; ++round) {
    std::vector<std::string> atoms;
    for (int i = 0; i < 20; ++i) {
      std::string a;
      for (int k = 0, n = 1 + rng() % 4; k < n; ++k) a += Lower(std::string(1, alphabet[rng() % alphabet.size()]));
      atoms.push_back(a);
    }
    std::string text;
    for (int k = 0; k < 200; ++k) text += alphabet[rng() % alphabet.size()];
    AhoCorasick ac(atoms);
    std::vector<int> found = Find(ac, text);
    for (size_t i = 0; i < atoms.size(); ++i) {
      bool present = Lower(text).find(atoms[i]) != std::string::npos;
      bool reported = std::binary_search(found.begin(), found.end(), static_cast<int>(i));
      if (present) BOOST_TEST(reported, "missed atom '" << atoms[i] << "'");
    }
  }
}
