// Fuzz target for the rule-file parser, the Perl->RE2 translator, the meta
// expression parser and rule-set compilation: any input must either load or
// be reported, never crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string>

#include "mime/parsed_message.h"
#include "rules/cf_parser.h"
#include "rules/rule_set.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16 * 1024) return 0;  // rule files are line-oriented; keep runs fast
  std::string text(reinterpret_cast<const char*>(data), size);
  sendguard::rules::ParsedRules parsed;
  sendguard::rules::LoadReport report;
  if (!sendguard::rules::ParseCfText(text, "fuzz.cf", &parsed, &report).ok()) return 0;
  sendguard::rules::LoadOptions options;
  options.strict = false;
  auto set = sendguard::rules::RuleSet::Compile(std::move(parsed), options, &report);
  if (!set.ok()) return 0;
  sendguard::mime::ParsedMessage msg;
  msg.headers.push_back({"Subject", " hello", "hello"});
  msg.body = "hello\nworld 123 http://192.0.2.1/x\n";
  msg.rawbody = msg.body;
  msg.full = "Subject: hello\n\n" + msg.body;
  msg.uris.push_back("http://192.0.2.1/x");
  sendguard::rules::ScanResult result;
  (void)(*set)->Scan(msg, &result);
  return 0;
}
