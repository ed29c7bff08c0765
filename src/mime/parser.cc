// mime/parser.cc — the recursive, bounded MIME walk behind mime::Parse.
#include "mime/parser.h"

#include <algorithm>
#include <unordered_set>

#include "core/log.h"
#include "core/strings.h"
#include "mime/charset.h"
#include "mime/header_block.h"
#include "mime/html.h"
#include "mime/multipart.h"
#include "mime/rfc2047.h"
#include "mime/transfer_encoding.h"
#include "mime/uri.h"

namespace sendguard {
namespace mime {
namespace {

constexpr size_t kMaxWarnings = 64;
constexpr size_t kDepthCeiling = 100;

// CRLF -> LF and lone CR -> LF, in place.
void NormalizeNewlines(std::string* s) {
  if (s->find('\r') == std::string::npos) return;
  size_t w = 0;
  for (size_t r = 0; r < s->size(); ++r) {
    char c = (*s)[r];
    if (c == '\r') {
      if (r + 1 < s->size() && (*s)[r + 1] == '\n') continue;
      c = '\n';
    }
    (*s)[w++] = c;
  }
  s->resize(w);
}

// Cuts s to at most n bytes without splitting a UTF-8 sequence.
void CutUtf8(std::string* s, size_t n) {
  if (s->size() <= n) return;
  while (n > 0 && (static_cast<unsigned char>((*s)[n]) & 0xC0) == 0x80) --n;
  s->resize(n);
}

// SpamAssassin reads every text/* type but these three as text/plain
// (Util::parse_content_type, bug 5399): text/rfc822-headers, text/enriched
// and the like join the body.
bool ReadAsPlainText(const std::string& type) {
  return type.compare(0, 5, "text/") == 0 && type != "text/html" && type != "text/calendar" &&
         type != "text/x-vcard";
}

// What a part's headers say about it.
struct EntityType {
  StructuredValue content_type;
  std::string encoding;
  std::string filename;
};

class Walker {
 public:
  Walker(const ScanLimits& limits, const TldList& tlds, ParsedMessage* out)
      : limits_(limits), tlds_(tlds), out_(out),
        max_depth_(std::min(limits.max_depth, kDepthCeiling)) {}

  void Message(std::string_view raw) {
    HeaderBlock block = Headers(raw);
    KeepTopHeaders(block);
    const Header* subject = FindHeader(*out_, "Subject");
    out_->body = subject ? subject->decoded : "";
    out_->body.push_back('\n');
    if (out_->body.size() > limits_.max_scan_bytes) {  // a huge Subject
      CutUtf8(&out_->body, limits_.max_scan_bytes);
      LimitHit("max_scan_bytes (body)");
    }
    AddUrisFrom(out_->body);  // SpamAssassin's text starts with the Subject
    subject_bytes_ = out_->body.size();
    Entity(block, 0, "text/plain");
  }

  // Warnings quote input (types, charsets): keep them one clean UTF-8 line.
  void Warn(const std::string& text) {
    if (out_->warnings.size() < kMaxWarnings) {
      std::string clean;
      AppendSanitizedUtf8(text, &clean);
      for (char& c : clean) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
      }
      out_->warnings.push_back(std::move(clean));
    } else if (out_->warnings.size() == kMaxWarnings) {
      out_->warnings.push_back("more warnings dropped");
    }
  }

  void LimitHit(const std::string& what) {
    out_->truncated = true;
    if (limits_seen_.insert(what).second) {
      Warn("scan limit reached: " + what);
      limits_hit_ += (limits_hit_.empty() ? "" : ", ") + what;
    }
  }

  const std::string& LimitsHit() const { return limits_hit_; }

 private:
  HeaderBlock Headers(std::string_view entity) {
    HeaderBlock block = SplitHeaderBlock(entity, limits_.max_headers, limits_.max_header_bytes);
    if (block.values_capped > 0) LimitHit("max_header_bytes");
    if (block.headers_dropped > 0) LimitHit("max_headers");
    return block;
  }

  std::vector<Header> Kept(const HeaderBlock& block) {
    std::vector<Header> kept;
    kept.reserve(block.headers.size());
    for (const RawHeader& h : block.headers) {
      Header header{std::string(h.name), std::string(h.value), DecodeHeaderValue(h.value)};
      CutUtf8(&header.decoded, limits_.max_header_bytes);
      kept.push_back(std::move(header));
    }
    return kept;
  }

  void KeepTopHeaders(const HeaderBlock& block) { out_->headers = Kept(block); }

  EntityType TypeOf(const HeaderBlock& block, std::string_view default_type) {
    EntityType t;
    const RawHeader* ct = FindHeader(block, "Content-Type");
    if (ct) t.content_type = ParseStructuredValue(ct->value);
    if (t.content_type.value.find('/') == std::string::npos) {
      if (ct) Warn("invalid Content-Type '" + std::string(Trim(ct->value.substr(0, 64))) + "', read as " + std::string(default_type));
      t.content_type.value = std::string(default_type);
    }
    const RawHeader* cte = FindHeader(block, "Content-Transfer-Encoding");
    if (cte) t.encoding = Lower(Trim(cte->value.substr(0, 64)));
    const RawHeader* cd = FindHeader(block, "Content-Disposition");
    if (cd) t.filename = ParseStructuredValue(cd->value).Param("filename");
    if (t.filename.empty()) t.filename = t.content_type.Param("name");
    return t;
  }

  void Entity(const HeaderBlock& block, size_t depth, std::string_view default_type) {
    if (parts_seen_ >= limits_.max_parts) return LimitHit("max_parts");
    ++parts_seen_;
    out_->part_headers.push_back(depth == 0 ? out_->headers : Kept(block));
    EntityType type = TypeOf(block, default_type);
    const std::string& ct = type.content_type.value;
    bool container = ct.compare(0, 10, "multipart/") == 0 || ct == "message/rfc822" ||
                     ct == "message/global";
    if (container && depth >= max_depth_) return LimitHit("max_depth");
    if (ct.compare(0, 10, "multipart/") == 0) return Multipart(type, block.body, depth);
    if (container) return EmbeddedMessage(type, block.body, depth);
    Leaf(type, block.body, depth);
  }

  void Multipart(EntityType& type, std::string_view body, size_t depth) {
    std::string boundary = type.content_type.Param("boundary");
    size_t budget = limits_.max_parts - std::min(parts_seen_, limits_.max_parts);
    MultipartSplit split;
    if (!boundary.empty()) split = SplitMultipart(body, boundary, budget);
    if (!split.found_delimiter) {
      Warn(boundary.empty() ? "multipart without boundary, read as text"
                            : "boundary '" + boundary.substr(0, 70) + "' never found, read as text");
      type.content_type.value = "text/plain";
      return Leaf(type, body, depth);
    }
    if (!split.closed && !split.more) Warn("missing closing boundary '" + boundary.substr(0, 70) + "'");
    if (split.more) LimitHit("max_parts");
    std::string_view child_default =
        type.content_type.value == "multipart/digest" ? "message/rfc822" : "text/plain";
    for (std::string_view part : split.parts) {
      Entity(Headers(part), depth + 1, child_default);
    }
  }

  void EmbeddedMessage(const EntityType& type, std::string_view body, size_t depth) {
    std::string decoded;
    if (type.encoding == "base64" || type.encoding == "quoted-printable") {
      decoded = Decode(type.encoding, body);
      body = decoded;
    }
    Entity(Headers(body), depth + 1, "text/plain");
  }

  std::string Decode(const std::string& encoding, std::string_view body) {
    std::string out;
    if (encoding == "base64") {
      if (!DecodeBase64(body, &out)) Warn("broken base64 repaired");
    } else if (encoding == "quoted-printable") {
      if (!DecodeQuotedPrintable(body, &out)) Warn("malformed quoted-printable kept literally");
    } else {
      if (!encoding.empty() && encoding != "7bit" && encoding != "8bit" && encoding != "binary") {
        Warn("unknown Content-Transfer-Encoding '" + encoding + "', read as 8bit");
      }
      out.assign(body.data(), body.size());
    }
    return out;
  }

  void Leaf(const EntityType& type, std::string_view body, size_t depth) {
    SeparateBodyPart();
    PartInfo info;
    info.content_type = type.content_type.value;
    info.charset = Lower(Trim(type.content_type.Param("charset")));
    info.encoding = type.encoding;
    info.filename = type.filename.substr(0, limits_.max_header_bytes);
    info.depth = static_cast<int>(depth);
    if (info.content_type.compare(0, 5, "text/") == 0 || info.content_type.compare(0, 8, "message/") == 0) {
      TextLeaf(info, body);
    } else if (info.encoding == "base64") {
      info.decoded_size = EstimateBase64DecodedSize(body);
    } else {
      info.decoded_size = info.encoding == "quoted-printable" ? Decode(info.encoding, body).size() : body.size();
    }
    out_->parts.push_back(std::move(info));
  }

  void TextLeaf(PartInfo& info, std::string_view body) {
    std::string bytes = Decode(info.encoding, body);
    info.decoded_size = bytes.size();
    std::string text;
    bool unknown = false;
    AppendAsUtf8(bytes, info.charset, &text, &unknown);
    if (unknown) Warn("unknown charset '" + info.charset.substr(0, 40) + "', read as latin1");
    NormalizeNewlines(&text);
    if (info.content_type != "text/calendar") AppendSection(text, "rawbody", &out_->rawbody);
    if (info.content_type == "text/html") {
      std::string rendered;
      std::vector<std::string> links;
      RenderHtml(text, &rendered, &links);
      for (const std::string& link : links) AddUri(NormalizeUri(link));
      AppendSection(rendered, "body", &out_->body, false);
      AddUrisFrom(rendered);
    } else if (ReadAsPlainText(info.content_type)) {
      AppendSection(text, "body", &out_->body, false);
      AddUrisFrom(text);
    }
  }

  // SpamAssassin's body text (get_body_text_array_common): a "\n" before
  // every leaf part once there is text after the Subject line, so that two
  // text parts are two paragraphs unless the first ends without a newline.
  void SeparateBodyPart() {
    if (out_->body.size() > subject_bytes_ && out_->body.size() < limits_.max_scan_bytes) out_->body.push_back('\n');
  }

  // Appends a part's text (and a line break, if `end_line` and it has none),
  // within max_scan_bytes.
  void AppendSection(const std::string& text, const char* what, std::string* target, bool end_line = true) {
    size_t max = limits_.max_scan_bytes;
    size_t room = max - std::min(target->size(), max);
    if (text.size() > room) {
      target->append(text, 0, room);
      CutUtf8(target, max);
      return LimitHit(std::string("max_scan_bytes (") + what + ")");
    }
    target->append(text);
    if (end_line && !target->empty() && target->back() != '\n' && target->size() < max) target->push_back('\n');
  }

  void AddUrisFrom(const std::string& text) {
    std::vector<std::string> found;
    FindUris(text, &found, tlds_);
    for (std::string& u : found) AddUri(std::move(u));
  }

  void AddUri(std::string uri) {
    if (uri.empty() || uri_set_.count(uri)) return;
    if (out_->uris.size() >= limits_.max_uris) return LimitHit("max_uris");
    uri_set_.insert(uri);
    out_->uris.push_back(std::move(uri));
  }

  const ScanLimits& limits_;
  const TldList& tlds_;
  ParsedMessage* out_;
  size_t max_depth_;
  size_t parts_seen_ = 0;
  size_t subject_bytes_ = 0;  // body bytes before the first part: the Subject line
  std::unordered_set<std::string> uri_set_;
  std::unordered_set<std::string> limits_seen_;
  std::string limits_hit_;  // for the log line
};

}  // namespace

ParsedMessage Parse(std::string_view raw_message, const ScanLimits& limits, const TldList& tlds) {
  ParsedMessage out;
  std::string_view scanned = raw_message.substr(0, limits.max_scan_bytes);
  out.full.assign(scanned.data(), scanned.size());
  Walker walker(limits, tlds, &out);
  if (scanned.size() < raw_message.size()) {
    walker.LimitHit("max_scan_bytes");
  }
  walker.Message(scanned);
  if (out.truncated) {
    SG_LOG(kInfo) << "mime: scan truncated by " << walker.LimitsHit() << " (message "
                  << raw_message.size() << " bytes, " << out.parts.size()
                  << " leaf parts scanned)";
  }
  return out;
}

const Header* FindHeader(const ParsedMessage& message, std::string_view name) {
  for (const Header& h : message.headers) {
    if (EqualsIgnoreCase(h.name, name)) return &h;
  }
  return nullptr;
}

}  // namespace mime
}  // namespace sendguard
