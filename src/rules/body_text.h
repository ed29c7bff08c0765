// rules/body_text.h — the text SpamAssassin's body rules see.
//
// Contract: ToParagraphs rewrites mime::ParsedMessage::body (Subject line,
// then the rendered parts line by line) the way Message.pm's
// get_body_text_array_common does: after the Subject line, a run of
// whitespace holding two or more newlines ends a paragraph (the blanks before
// its first and after its last newline become one space each), any other
// run of whitespace becomes one space, and lines longer than 2048 bytes are
// cut after their last space (split_into_array_of_short_lines). Each
// paragraph is then one line, so body rules' ^ and $ (run with (?m)) anchor
// at paragraph ends as SpamAssassin's do on each array element.
// Thread-safety: pure function.
#ifndef SENDGUARD_RULES_BODY_TEXT_H_
#define SENDGUARD_RULES_BODY_TEXT_H_

#include <string>

namespace sendguard {
namespace rules {

void ToParagraphs(std::string* body);

}  // namespace rules
}  // namespace sendguard

#endif  // SENDGUARD_RULES_BODY_TEXT_H_
