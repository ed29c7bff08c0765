// tests/unit/temp_dir.h — a temporary directory for a unit test, removed
// with everything in it when the object goes out of scope.
#ifndef SENDGUARD_TESTS_UNIT_TEMP_DIR_H_
#define SENDGUARD_TESTS_UNIT_TEMP_DIR_H_

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace sendguard {
namespace test {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = std::filesystem::temp_directory_path().string() + "/sendguard-test.XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes `text` to path()/name (replacing it) and returns that path.
  std::string Write(const std::string& name, const std::string& text) const {
    std::string file = path_ + "/" + name;
    std::ofstream(file, std::ios::trunc) << text;
    return file;
  }

 private:
  std::string path_;
};

}  // namespace test
}  // namespace sendguard

#endif  // SENDGUARD_TESTS_UNIT_TEMP_DIR_H_
