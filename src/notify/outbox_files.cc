// notify/outbox_files.cc — outbox file names, durable writes and renames.
// Every failure comes back as a Status naming the path and errno text.
#include "notify/outbox_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "core/log.h"

namespace sendguard::notify {
namespace {

constexpr const char kSuffix[] = ".alert";
constexpr const char kTempPrefix[] = ".tmp.";

Status Errno(const std::string& what, const std::string& path) {
  return Status::IoError(what + " " + path + ": " + strerror(errno));
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool ParseNonNegative(const std::string& digits, int64_t* out) {
  if (digits.empty() || digits.size() > 18) return false;
  int64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *out = value;
  return true;
}

Status FsyncDirectory(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open", dir);
  int rc = fsync(fd);
  close(fd);
  return rc == 0 ? Status::Ok() : Errno("fsync", dir);
}

Status WriteAll(int fd, const std::string& content, const std::string& path) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("write", path);
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

// Writes and fsyncs content into an already open temp file, then closes it.
Status FillTempFile(int fd, const std::string& content, const std::string& path) {
  Status s = WriteAll(fd, content, path);
  if (s.ok() && fsync(fd) != 0) s = Errno("fsync", path);
  if (close(fd) != 0 && s.ok()) s = Errno("close", path);
  return s;
}

}  // namespace

bool IsValidAlertId(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string EntryFileName(const std::string& id, int attempts, int64_t next_try_ms) {
  return id + "." + std::to_string(attempts) + "." + std::to_string(next_try_ms) + kSuffix;
}

std::optional<OutboxEntry> ParseEntryFileName(const std::string& name) {
  if (!EndsWith(name, kSuffix)) return std::nullopt;
  std::string stem = name.substr(0, name.size() - strlen(kSuffix));
  size_t second = stem.rfind('.');
  if (second == std::string::npos || second == 0) return std::nullopt;
  size_t first = stem.rfind('.', second - 1);
  if (first == std::string::npos) return std::nullopt;
  OutboxEntry e;
  e.id = stem.substr(0, first);
  int64_t attempts = 0;
  if (!IsValidAlertId(e.id) || !ParseNonNegative(stem.substr(first + 1, second - first - 1), &attempts) ||
      !ParseNonNegative(stem.substr(second + 1), &e.next_try_ms) || attempts > 1000000) {
    return std::nullopt;
  }
  e.attempts = static_cast<int>(attempts);
  e.file_name = name;
  return e;
}

Result<std::vector<OutboxEntry>> ListEntries(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return Errno("opendir", dir);
  std::vector<OutboxEntry> entries;
  while (dirent* ent = readdir(d)) {
    if (ent->d_name[0] == '.') continue;
    if (std::optional<OutboxEntry> e = ParseEntryFileName(ent->d_name)) entries.push_back(*e);
  }
  closedir(d);
  return entries;
}

Status EnsureDirectory(const std::string& dir) {
  if (dir.empty()) return Status::InvalidArgument("outbox directory is empty");
  for (size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
    std::string prefix = dir.substr(0, slash);
    if (mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) return Errno("mkdir", prefix);
    if (slash == std::string::npos) break;
  }
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) return Errno("stat", dir);
  if (!S_ISDIR(st.st_mode)) return Status::IoError(dir + " is not a directory");
  return Status::Ok();
}

Status WriteFileDurably(const std::string& dir, const std::string& name,
                        const std::string& content) {
  std::string temp = dir + "/" + kTempPrefix + name + ".XXXXXX";
  int fd = mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) return Errno("mkstemp", temp);
  Status s = FillTempFile(fd, content, temp);
  std::string final_path = dir + "/" + name;
  if (s.ok() && rename(temp.c_str(), final_path.c_str()) != 0) s = Errno("rename to", final_path);
  if (!s.ok()) {
    unlink(temp.c_str());
    return s;
  }
  return FsyncDirectory(dir);
}

Status MoveFileDurably(const std::string& from_dir, const std::string& from,
                       const std::string& to_dir, const std::string& to) {
  std::string source = from_dir + "/" + from;
  std::string target = to_dir + "/" + to;
  if (rename(source.c_str(), target.c_str()) != 0) return Errno("rename " + source + " to", target);
  Status s = FsyncDirectory(to_dir);
  if (s.ok() && to_dir != from_dir) s = FsyncDirectory(from_dir);
  return s;
}

Result<std::string> ReadWholeFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open", path);
  std::string content;
  char buffer[8192];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = Errno("read", path);
      close(fd);
      return s;
    }
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  return content;
}

void RecordRefusal(const std::string& dir) {
  std::string path = dir + "/" + kRefusedCountFile;
  int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return;
  ssize_t ignored = write(fd, "x", 1);
  (void)ignored;
  close(fd);
}

uint64_t ReadRefusalCount(const std::string& dir) {
  struct stat st;
  std::string path = dir + "/" + kRefusedCountFile;
  return stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

void ResetRefusalCount(const std::string& dir) {
  std::string path = dir + "/" + kRefusedCountFile;
  // A count that stays is only a count too high: the next reset clears it.
  if (truncate(path.c_str(), 0) != 0 && errno != ENOENT) {
    SG_LOG(kWarning) << "outbox: cannot reset " << path << ": " << strerror(errno);
  }
}

void RemoveStaleTempFiles(const std::string& dir, int64_t max_age_s) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  time_t now = time(nullptr);
  while (dirent* ent = readdir(d)) {
    if (strncmp(ent->d_name, kTempPrefix, strlen(kTempPrefix)) != 0) continue;
    std::string path = dir + "/" + ent->d_name;
    struct stat st;
    if (stat(path.c_str(), &st) == 0 && now - st.st_mtime > max_age_s) unlink(path.c_str());
  }
  closedir(d);
}

}  // namespace sendguard::notify
