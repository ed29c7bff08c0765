// dkim/table_file.cc — line/field splitting for the DKIM table files.
#include "dkim/table_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace sendguard::dkim {

Result<std::vector<TableLine>> ReadTableFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::IoError(path + ": cannot open: " + std::strerror(errno));
  std::vector<TableLine> lines;
  std::string text;
  for (int number = 1; std::getline(in, text); ++number) {
    size_t hash = text.find('#');
    if (hash != std::string::npos) text.resize(hash);
    std::istringstream words(text);
    TableLine line{number, {}};
    for (std::string w; words >> w;) line.fields.push_back(w);
    if (!line.fields.empty()) lines.push_back(std::move(line));
  }
  if (in.bad()) return Status::IoError(path + ": read error");
  return lines;
}

std::string ResolveBeside(const std::string& table_path, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  size_t slash = table_path.rfind('/');
  if (slash == std::string::npos) return path;
  return table_path.substr(0, slash + 1) + path;
}

}  // namespace sendguard::dkim
