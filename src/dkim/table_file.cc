// dkim/table_file.cc — line/field splitting for the DKIM table files.
#include "dkim/table_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>

#include "core/strings.h"

namespace sendguard::dkim {
namespace {

Status WriteAll(int fd, const std::string& text) {
  for (size_t done = 0; done < text.size();) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::IoError(std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  return fsync(fd) == 0 ? Status::Ok() : Status::IoError(std::string("fsync: ") + std::strerror(errno));
}

Result<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string FirstField(const std::string& line) {
  std::istringstream words(line.substr(0, line.find('#')));
  std::string w;
  words >> w;
  return w;
}

// Rewrites the lines whose first field is `first_field` with `edit`.
Status EditLines(const std::string& path, const std::string& first_field,
                 const std::function<std::string(const std::string&)>& edit) {
  Result<std::string> text = ReadWhole(path);
  if (!text.ok()) return text.status();
  std::istringstream in(*text);
  std::string out;
  bool found = false;
  for (std::string line; std::getline(in, line);) {
    if (EqualsIgnoreCase(FirstField(line), first_field)) {
      line = edit(line);
      found = true;
    }
    out += line + "\n";
  }
  if (!found) return Status::NotFound(path + ": no line for '" + first_field + "'");
  return ReplaceFile(path, out, 0644);
}

}  // namespace

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

Status ReplaceFile(const std::string& path, const std::string& text, int mode) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return Status::IoError(tmp + ": cannot create: " + std::strerror(errno));
  struct stat old;
  if (stat(path.c_str(), &old) == 0) {
    (void)fchown(fd, old.st_uid, old.st_gid);  // as root; otherwise the file was ours anyway
    (void)fchmod(fd, old.st_mode & 07777);
  }
  Status s = WriteAll(fd, text);
  if (close(fd) != 0 && s.ok()) s = Status::IoError(std::strerror(errno));
  if (s.ok() && rename(tmp.c_str(), path.c_str()) != 0) s = Status::IoError(std::strerror(errno));
  if (s.ok()) return s;
  unlink(tmp.c_str());
  return Status::IoError(path + ": cannot replace: " + s.message());
}

Status AppendTableLine(const std::string& path, const std::string& line) {
  Result<std::string> text = ReadWhole(path);
  if (!text.ok()) return text.status();
  std::string out = *text;
  if (!out.empty() && out.back() != '\n') out += '\n';
  return ReplaceFile(path, out + line + "\n", 0644);
}

Status ReplaceTableLine(const std::string& path, const std::string& first_field,
                        const std::vector<std::string>& fields) {
  return EditLines(path, first_field, [&fields](const std::string& line) {
    size_t hash = line.find('#');
    std::string comment = hash == std::string::npos ? "" : "  " + line.substr(hash);
    return Join(fields, " ") + comment;
  });
}

Status CommentOutTableLine(const std::string& path, const std::string& first_field, const std::string& note) {
  return EditLines(path, first_field, [&note](const std::string& line) { return "# " + note + ": " + line; });
}

std::string ResolveBeside(const std::string& table_path, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  size_t slash = table_path.rfind('/');
  if (slash == std::string::npos) return path;
  return table_path.substr(0, slash + 1) + path;
}

}  // namespace sendguard::dkim
