// rules/body_text.cc — SpamAssassin's paragraph model of the body.
#include "rules/body_text.h"

#include <string_view>

namespace sendguard {
namespace rules {
namespace {

constexpr size_t kMaxBodyLine = 2048;  // SpamAssassin's MAX_BODY_LINE_LENGTH

bool IsBodySpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// Lines longer than kMaxBodyLine are cut after their last space within it
// (else at kMaxBodyLine), as split_into_array_of_short_lines does.
void AppendShortLines(std::string_view text, std::string* out) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl == std::string_view::npos ? text.size() : nl + 1);
    text.remove_prefix(line.size());
    while (line.size() > kMaxBodyLine) {
      size_t space = line.substr(0, kMaxBodyLine).rfind(' ');
      size_t cut = space == std::string_view::npos || space == 0 ? kMaxBodyLine : space + 1;
      out->append(line.substr(0, cut));
      out->push_back('\n');
      line.remove_prefix(cut);
    }
    out->append(line);
  }
}

// SpamAssassin's body text (Message.pm get_body_text_array_common): after
// the Subject line, blank lines end a paragraph, every other run of
// whitespace becomes one space, so each paragraph is one line.
}  // namespace

void ToParagraphs(std::string* body) {
  size_t first = body->find('\n');
  if (first == std::string::npos) return;
  std::string_view rest = std::string_view(*body).substr(first + 1);
  std::string joined;
  joined.reserve(rest.size());
  for (size_t i = 0; i < rest.size();) {
    if (!IsBodySpace(rest[i])) {
      joined.push_back(rest[i++]);
      continue;
    }
    // A run with two or more newlines: the blanks before its first and
    // after its last newline stay (one space each), the middle is the break.
    size_t j = i, newlines = 0, first_nl = 0, last_nl = 0;
    for (; j < rest.size() && IsBodySpace(rest[j]); ++j) {
      if (rest[j] != '\n') continue;
      if (newlines++ == 0) first_nl = j;
      last_nl = j;
    }
    if (newlines < 2) {
      joined.push_back(' ');
    } else {
      if (first_nl > i) joined.push_back(' ');
      joined.push_back('\n');
      if (j > last_nl + 1) joined.push_back(' ');
    }
    i = j;
  }
  std::string out = body->substr(0, first + 1);
  AppendShortLines(joined, &out);
  *body = std::move(out);
}

}  // namespace rules
}  // namespace sendguard
