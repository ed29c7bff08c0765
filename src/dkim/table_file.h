// dkim/table_file.h — reads the whitespace-separated table files (key table,
// signing table): one entry per line, '#' starts a comment, blank lines skip.
//
// Contract: ReadTableFile returns every non-empty line split into fields, with
// its 1-based line number, or an IoError naming the file. Pure otherwise.
// The edits (`keys rotate`, `keys retire`) keep every other line as written,
// comments included, and replace the file atomically (ReplaceFile: a
// temporary file beside it, fsync, rename; an existing file keeps its owner
// and mode, a new one gets `mode`).
// Thread-safety: stateless; concurrent editors of one file must serialize.
#ifndef SENDGUARD_DKIM_TABLE_FILE_H_
#define SENDGUARD_DKIM_TABLE_FILE_H_

#include <string>
#include <vector>

#include "core/status.h"

namespace sendguard::dkim {

struct TableLine {
  int number = 0;
  std::vector<std::string> fields;
};

Result<std::vector<TableLine>> ReadTableFile(const std::string& path);

Status ReplaceFile(const std::string& path, const std::string& text, int mode);

// Adds `line` (no newline) at the end of the table.
Status AppendTableLine(const std::string& path, const std::string& line);
// The line whose first field is `first_field` (case-insensitive) gets the
// fields `fields` instead; its trailing comment stays. NotFound if none.
Status ReplaceTableLine(const std::string& path, const std::string& first_field,
                        const std::vector<std::string>& fields);
// The line whose first field is `first_field` becomes "# <note>: <line>".
Status CommentOutTableLine(const std::string& path, const std::string& first_field, const std::string& note);

// "dir/of/table" + "rel/key" -> "dir/of/rel/key"; absolute paths unchanged.
std::string ResolveBeside(const std::string& table_path, const std::string& path);

}  // namespace sendguard::dkim

#endif  // SENDGUARD_DKIM_TABLE_FILE_H_
