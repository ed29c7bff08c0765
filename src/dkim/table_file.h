// dkim/table_file.h — reads the whitespace-separated table files (key table,
// signing table): one entry per line, '#' starts a comment, blank lines skip.
//
// Contract: ReadTableFile returns every non-empty line split into fields, with
// its 1-based line number, or an IoError naming the file. Pure otherwise.
// Thread-safety: stateless.
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

// "dir/of/table" + "rel/key" -> "dir/of/rel/key"; absolute paths unchanged.
std::string ResolveBeside(const std::string& table_path, const std::string& path);

}  // namespace sendguard::dkim

#endif  // SENDGUARD_DKIM_TABLE_FILE_H_
