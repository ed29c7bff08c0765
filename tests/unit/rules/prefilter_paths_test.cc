// Tests that the ways a RegexGroup decides which regexes to run — the n-gram
// filter (long atoms), Aho–Corasick (short atoms), the RE2::Set of
// literal-free regexes and the Hyperscan prefilter — all give the same hits, first match and counts, and
// that rules through the prefilter keep SpamAssassin's semantics (matches
// across lines, case-insensitive atoms, `tflags multiple`).
#include <boost/test/unit_test.hpp>

#include <random>

#include "rules/regex_group.h"
#include "test_util.h"

using namespace sendguard::rules;           // NOLINT
using namespace sendguard::rules::testing;  // NOLINT

namespace {

const std::vector<RegexSpec> kSpecs = {
    {"(?m)viagra\\s+online\\s+pharmacy", true, 1},  // may span lines
    {"(?m)^Cheap meds today$", false, 1},            // case-sensitive, anchored
    {"(?m)click here now", true, 5},                 // counted
    {"(?m)\\bfree\\b", true, 1000},                  // short atom only
    {"(?m)[0-9]{4}-[0-9]{4}", false, 3},             // no literal at all
    {"(?m)caf\xe9 au lait", true, 1},                // Latin-1 byte in the atom
    {"(?m)(?:lottery winner|prize claim) notice", true, 1},
    {"(?m)unsubscribe", false, 2},
    {"(?m)\\bwin\\b", true, 2},  // 3-byte atom: Aho–Corasick at min_atom_len 3
    {"(?m)x\\Sy", false, 1},       // RE2's \S matches a vertical tab, PCRE's not
    {"(?m)[^\\s]{3}\\vz", false, 1},
    {"(?m)na\xefve", true, 1},       // Latin-1 case folding: RE2 only
};

struct Outcome {
  std::string matched;
  int count = 0;
  bool operator==(const Outcome& o) const { return matched == o.matched && count == o.count; }
};

std::unique_ptr<RegexGroup> Group(const std::vector<RegexSpec>& specs, int min_atom_len,
                                  HyperscanUse hyperscan = HyperscanUse::kNever) {
  RegexGroupOptions o;
  o.min_atom_len = min_atom_len;
  o.hyperscan = hyperscan;
  std::vector<RegexGroup::CompileError> errors;
  auto group = RegexGroup::Build(specs, o, &errors);
  BOOST_REQUIRE(errors.empty());
  return group;
}

std::vector<Outcome> Run(const RegexGroup& group, size_t num_specs, const std::string& text) {
  std::vector<GroupMatch> found;
  BOOST_REQUIRE(group.Match(text, &found).ok());
  std::vector<Outcome> out(num_specs);
  for (const GroupMatch& m : found) out[m.index] = {std::string(m.matched), m.count};
  return out;
}

std::vector<Outcome> Run(const std::vector<RegexSpec>& specs, int min_atom_len, const std::string& text,
                         HyperscanUse hyperscan = HyperscanUse::kNever) {
  return Run(*Group(specs, min_atom_len, hyperscan), specs.size(), text);
}

std::string RandomText(std::mt19937* rng) {
  const std::vector<std::string> words = {
      "viagra", "VIAGRA", "online", "pharmacy", "Cheap meds today", "cheap meds today", "click",
      "here", "now", "CLICK HERE NOW", "free", "FREE", "freedom", "1234-5678", "12-34",
      "caf\xe9", "CAF\xe9", "au", "lait", "lottery", "winner", "prize claim", "notice",
      "unsubscribe", "Unsubscribe", "win", "WIN", "wins", "\n", "\n", " ", "  ", ",", "\r\n",
      "x\vy", "ab\vz", "abc\vz", "NA\xcfVE", "na\xefve", "x y"};
  std::string text;
  for (int i = 0, n = 20 + (*rng)() % 200; i < n; ++i) {
    text += words[(*rng)() % words.size()];
    text += (*rng)() % 4 == 0 ? "\n" : " ";
  }
  return text;
}

}  // namespace

BOOST_AUTO_TEST_CASE(prefilter_paths_agree_with_the_set_only_path_randomized) {
  std::mt19937 rng(11);
  auto set_only = Group(kSpecs, 1000);  // no atom is that long
  auto grams = Group(kSpecs, 7), aho_corasick = Group(kSpecs, 3);
  auto hyperscan = Group(kSpecs, 7, HyperscanUse::kAlways);
  const size_t n = kSpecs.size();
  for (int round = 0; round < 300; ++round) {
    std::string text = RandomText(&rng);
    std::vector<Outcome> expected = Run(*set_only, n, text);
    BOOST_TEST((Run(*grams, n, text) == expected), "gram filter, round " << round);
    BOOST_TEST((Run(*aho_corasick, n, text) == expected), "Aho-Corasick, round " << round);
    BOOST_TEST((Run(*hyperscan, n, text) == expected), "Hyperscan, round " << round);
  }
}

BOOST_AUTO_TEST_CASE(prefilter_paths_find_what_they_must) {
  const std::string text =
      "Buy VIAGRA\nONLINE   pharmacy\nCheap meds today\ncheap meds today\n"
      "click here now, Click Here Now! FREE free-ish 1234-5678 CAF\xe9 AU LAIT";
  for (int min_atom_len : {3, 7, 1000}) {
    std::vector<Outcome> r = Run(kSpecs, min_atom_len, text);
    BOOST_TEST((Run(kSpecs, min_atom_len, text, HyperscanUse::kAlways) == r));
    BOOST_TEST(r[0].matched == "VIAGRA\nONLINE   pharmacy");  // spans two lines
    BOOST_TEST(r[1].count == 1);                                // case-sensitive: one line only
    BOOST_TEST(r[2].count == 2);
    BOOST_TEST(r[3].count == 2);                                // "FREE" and "free" in "free-ish"
    BOOST_TEST(r[4].matched == "1234-5678");
    BOOST_TEST(r[5].matched == "CAF\xe9 AU LAIT");
    BOOST_TEST(r[6].count == 0);
  }
}

BOOST_AUTO_TEST_CASE(rule_set_rules_through_the_prefilter_keep_their_semantics) {
  const std::string msg =
      "From: a@example.com\r\nSubject: hello\r\nContent-Type: text/plain\r\n\r\n"
      "Dear friend, our BEST PRICES\r\nguaranteed today.\r\n"
      "Limited offer! limited OFFER! Limited Offer!\r\n";
  auto set = MustLoad(
      "body SPANS /best prices\\s+guaranteed/i\n"
      "body CASE_ONLY /BEST PRICES guaranteed/\n"
      "body OFFERS /limited offer/i\n"
      "tflags OFFERS multiple\n"
      "score OFFERS 0.5\n"
      "body OFFERS_CS /Limited Offer/\n"
      "tflags OFFERS_CS multiple maxhits=5\n");
  BOOST_REQUIRE(set);
  ScanResult r = ScanRaw(*set, msg);
  BOOST_TEST(Hit(r, "SPANS"));
  BOOST_TEST(Hit(r, "CASE_ONLY"));  // one paragraph: its lines are joined by a space, as in SpamAssassin
  BOOST_TEST(FindHit(r, "OFFERS")->count == 3);
  BOOST_TEST(FindHit(r, "OFFERS")->score == 1.5);
  BOOST_TEST(FindHit(r, "OFFERS")->matched == "Limited offer");
  BOOST_TEST(FindHit(r, "OFFERS_CS")->count == 1);
}

BOOST_AUTO_TEST_CASE(hyperscan_takes_what_it_can_and_re2_keeps_the_rest,
                     *boost::unit_test::precondition(HyperscanBuiltIn)) {
  std::vector<RegexGroup::CompileError> errors;
  RegexGroupOptions o;
  o.hyperscan = HyperscanUse::kAlways;
  auto with = RegexGroup::Build(kSpecs, o, &errors);
  o.hyperscan = HyperscanUse::kNever;
  auto without = RegexGroup::Build(kSpecs, o, &errors);
  BOOST_REQUIRE(errors.empty());
  // All but the two Latin-1 case-insensitive regexes.
  BOOST_TEST(with->num_hyperscan() == static_cast<int>(kSpecs.size()) - 2);
  BOOST_TEST(without->num_hyperscan() == 0);
  std::vector<GroupMatch> found;
  BOOST_REQUIRE(with->Match("a x\vy here; abc\vz; NA\xcfVE", &found).ok());
  BOOST_TEST(found.size() == 3u);  // \S and [^\s] on a VT, folded \xef
}

// Groups of more than 64 regexes give Hyperscan only those with a literal;
// the literal-free ones stay in the RE2::Set. Same results as RE2 alone.
BOOST_AUTO_TEST_CASE(large_groups_split_between_hyperscan_and_the_set_agree_with_re2,
                     *boost::unit_test::precondition(HyperscanBuiltIn)) {
  std::vector<RegexSpec> specs;
  for (int i = 0; i < 40; ++i)  // with a literal
    specs.push_back({"(?m)bigoffer" + std::to_string(i) + "\\s+[a-z]+", i % 2 == 0, 1 + i % 3});
  for (int i = 0; i < 40; ++i)  // literal-free
    specs.push_back({"(?m)[a-z]{" + std::to_string(3 + i % 5) + "}[0-9]{" + std::to_string(1 + i % 4) +
                         "}\\b",
                     i % 2 == 1, 1});
  RegexGroupOptions o;
  o.hyperscan = HyperscanUse::kAlways;
  std::vector<RegexGroup::CompileError> errors;
  auto split = RegexGroup::Build(specs, o, &errors);
  BOOST_REQUIRE(errors.empty());
  BOOST_TEST(split->num_hyperscan() == 40);  // the ones with a literal
  BOOST_TEST(split->num_unfiltered() == 40);
  std::mt19937 rng(5);
  const std::vector<std::string> words = {"bigoffer1", "BIGOFFER2", "bigoffer13", "abc", "abcd12", "xyz7",
                                          "q", "BigOffer7 now", "zz", "abcdefg1234", "\n", " "};
  auto re2_group = Group(specs, 7);
  int hits = 0;
  for (int round = 0; round < 200; ++round) {
    std::string text;
    for (int i = 0, n = 5 + rng() % 60; i < n; ++i) text += words[rng() % words.size()] + " ";
    std::vector<Outcome> re2_only = Run(*re2_group, specs.size(), text);
    BOOST_TEST((Run(*split, specs.size(), text) == re2_only), "round " << round);
    for (const Outcome& o : re2_only) hits += o.count > 0;
  }
  BOOST_TEST(hits > 1000);  // both halves of the group match often
}
