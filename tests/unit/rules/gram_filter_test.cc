// Tests for rules/gram_filter.h: exact, ASCII case-insensitive atom search,
// checked against a naive search on random texts.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <random>

#include "rules/gram_filter.h"

using sendguard::rules::GramFilter;

namespace {

std::vector<int> Find(const GramFilter& f, const std::string& text) {
  std::vector<int> found;
  std::vector<uint8_t> seen;
  f.FindAll(text, &found, &seen);
  std::sort(found.begin(), found.end());
  return found;
}

std::string AsciiLower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return s;
}

std::vector<int> Naive(const std::vector<std::string>& atoms, const std::string& text) {
  std::vector<int> out;
  for (size_t i = 0; i < atoms.size(); ++i)
    if (!atoms[i].empty() && AsciiLower(text).find(atoms[i]) != std::string::npos)
      out.push_back(static_cast<int>(i));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(gram_filter_finds_atoms_case_insensitively_and_exactly) {
  GramFilter f({"viagra now", "cheap meds", "", "click here!", "cheap medication"});
  BOOST_TEST(f.gram_len() == 8u);
  BOOST_TEST(Find(f, "Buy VIAGRA NOW and Cheap Medication, CLICK HERE!") ==
             std::vector<int>({0, 3, 4}));  // "cheap meds" is not there
  BOOST_TEST(Find(f, "cheap med").empty());         // atom longer than the rest of the text
  BOOST_TEST(Find(f, "cheap_meds").empty());        // only letters fold
  BOOST_TEST(Find(f, "").empty());
  BOOST_TEST(Find(f, "xx cheap meds") == std::vector<int>({1}));  // atom at the very end
}

BOOST_AUTO_TEST_CASE(gram_filter_only_folds_ascii_letters) {
  GramFilter f({"caf\xe9 ol\xe9", "1234567"});
  BOOST_TEST(Find(f, "CAF\xe9 OL\xe9") == std::vector<int>({0}));
  BOOST_TEST(Find(f, "caf\xc9 ol\xe9").empty());  // Latin-1 E-acute is not folded
  BOOST_TEST(Find(f, "x1234567").size() == 1u);
  BOOST_TEST(Find(f, "x1234568").empty());
}

BOOST_AUTO_TEST_CASE(gram_filter_without_atoms_finds_nothing) {
  GramFilter f({"", ""});
  BOOST_TEST(f.gram_len() == 0u);
  BOOST_TEST(Find(f, "anything at all").empty());
  BOOST_TEST(GramFilter::UsefulFor({"long enough", ""}));
  BOOST_TEST(!GramFilter::UsefulFor({"long enough", "abc"}));
}

BOOST_AUTO_TEST_CASE(gram_filter_matches_naive_search_randomized) {
  std::mt19937 rng(7);
  const std::string alphabet = "abAB .\n1\xe9";
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> atoms;
    size_t min_len = 4 + rng() % 6;  // gram lengths 4..8 and capped at 8
    for (int i = 0; i < 30; ++i) {
      std::string a;
      for (size_t k = 0, n = min_len + rng() % 5; k < n; ++k)
        a += AsciiLower(std::string(1, alphabet[rng() % alphabet.size()]));
      atoms.push_back(a);
    }
    std::string text;
    for (int k = 0; k < 400; ++k) text += alphabet[rng() % alphabet.size()];
    // Plant a few atoms, some in upper case, one at the very end.
    for (int k = 0; k < 3; ++k) {
      std::string a = atoms[rng() % atoms.size()];
      if (k == 1)
        for (char& c : a)
          if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
      text.insert(k == 2 ? text.size() : rng() % text.size(), a);
    }
    GramFilter f(atoms);
    BOOST_TEST(Find(f, text) == Naive(atoms, text), "round " << round);
  }
}
