// mime/parsed_message.h — what the MIME layer hands to the rule engine: the
// message seen through SpamAssassin's targets.
//
// Contract: plain data, built once per message by mime::Parse (mime/parser.h)
// and then only read. Every string is UTF-8 (invalid input bytes replaced),
// except Header::raw and `full`, which are the bytes as received; the sizes
// are bounded by the scan limits given to the parser.
// Thread-safety: immutable after construction; share freely.
#ifndef SENDGUARD_MIME_PARSED_MESSAGE_H_
#define SENDGUARD_MIME_PARSED_MESSAGE_H_

#include <cstddef>
#include <string>
#include <vector>

namespace sendguard {
namespace mime {

struct Header {
  std::string name;     // as written, e.g. "Subject"
  std::string raw;      // value as received: folded, undecoded, leading space kept
  std::string decoded;  // unfolded, RFC 2047 decoded, converted to UTF-8, trimmed
};

struct PartInfo {
  std::string content_type;  // lower case, e.g. "text/html"; "text/plain" by default
  std::string charset;       // lower case as declared ("" if none)
  std::string encoding;      // content-transfer-encoding, lower case
  std::string filename;      // from Content-Disposition / Content-Type name
  size_t decoded_size = 0;   // bytes after transfer decoding (before truncation)
  int depth = 0;             // nesting depth, 0 = top level
};

struct ParsedMessage {
  std::vector<Header> headers;   // the top-level header block, in order
  std::string body;              // SA "body": Subject, then rendered text parts
  std::string rawbody;           // SA "rawbody": decoded text parts, HTML not rendered
  std::string full;              // SA "full": the raw message (up to the scan limit)
  std::vector<std::string> uris; // SA "uri": every URL in text and HTML, normalised
  std::vector<PartInfo> parts;   // every leaf part, for `sendguard scan --explain`
  // The header block of every MIME entity, containers and the message itself
  // included, depth first (SpamAssassin's find_parts order; what its
  // `mimeheader` rules read). part_headers[0] is the top-level block.
  std::vector<std::vector<Header>> part_headers;
  // SpamAssassin's relay pseudo-headers (X-Spam-Relays-*, ALL-TRUSTED, ...),
  // filled by the caller before the rules run (rules/relays.h); empty means
  // unknown: rules on them hit neither =~ nor !~.
  std::vector<Header> pseudo_headers;
  std::vector<std::string> warnings;  // malformed input noticed (broken base64, ...)
  bool truncated = false;        // true if a scan limit cut what is scanned
};

}  // namespace mime
}  // namespace sendguard

#endif  // SENDGUARD_MIME_PARSED_MESSAGE_H_
