// Implementation of the dkim test helpers.
#include "dkim_test_util.h"

#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "dkim/keygen.h"
#include "dkim/message_signer.h"

namespace sendguard::dkim::testing {
namespace {

int RemoveEntry(const char* path, const struct stat*, int, struct FTW*) { return remove(path); }

// Joins the quoted strings of a zone-file TXT record into "name value".
std::string ZoneToDnsLine(const std::string& zone) {
  std::string name = zone.substr(0, zone.find(' '));
  if (!name.empty() && name.back() == '.') name.pop_back();
  std::string value;
  for (const std::string& s : QuotedStrings(zone)) value += s;
  return name + " " + value + "\n";
}

std::string MakeKey(const std::string& dir, const std::vector<std::string>& args) {
  std::vector<std::string> full = args;
  full.insert(full.end(), {"--domain", "example.com", "--dir", dir});
  std::ostringstream out, err;
  if (RunKeygenCommand(full, out, err) != 0) throw std::runtime_error("keygen: " + err.str());
  return ZoneToDnsLine(out.str());
}

std::string ScriptPath(const std::string& name) {
  for (std::string prefix : {"tests/dkim/", "../tests/dkim/", "../../tests/dkim/"})
    if (access((prefix + name).c_str(), R_OK) == 0) return prefix + name;
  throw std::runtime_error("cannot find tests/dkim/" + name + " (run from the source root)");
}

std::string Verify(const std::string& script, const std::string& message, size_t expected) {
  TempDir dir;
  WriteFile(dir.File("msg.eml"), message);
  std::string cmd = script + " " + dir.File("msg.eml") + " " + SharedTestKeys().dns_file + " " +
                    std::to_string(expected);
  auto [rc, out] = RunCommand(cmd);
  if (rc == 0) return "";
  return "rc=" + std::to_string(rc) + " expected " + std::to_string(expected) +
         " signatures:\n" + out + "\n--- message ---\n" + message;
}

// The verdict lines both verifier scripts print, without a= (OpenDKIM names
// no real algorithm for a signature it could not evaluate).
Verdicts ParseVerdicts(const std::string& script, const std::string& message) {
  TempDir dir;
  WriteFile(dir.File("msg.eml"), message);
  auto [rc, out] = RunCommand(script + " " + dir.File("msg.eml") + " " + SharedTestKeys().dns_file);
  static const std::regex kVerdict("^([a-z]+) (d=\\S+ s=\\S+) a=\\S+$");
  Verdicts v;
  std::istringstream lines(out);
  std::smatch m;
  for (std::string line; std::getline(lines, line);)
    if (std::regex_match(line, m, kVerdict)) v.lines += m[1].str() + " " + m[2].str() + "\n";
  v.output = script + " exited " + std::to_string(rc) + ":\n" + out;
  return v;
}

}  // namespace

std::vector<std::string> QuotedStrings(const std::string& zone) {
  std::vector<std::string> out;
  for (size_t open = zone.find('"'); open != std::string::npos; open = zone.find('"', open + 1)) {
    size_t close = zone.find('"', open + 1);
    if (close == std::string::npos) break;
    out.push_back(zone.substr(open + 1, close - open - 1));
    open = close;
  }
  return out;
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/sg-dkim-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() { nftw(path_.c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS); }

void WriteFile(const std::string& path, const std::string& text, int mode) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  chmod(path.c_str(), static_cast<mode_t>(mode));
}

std::pair<int, std::string> RunCommand(const std::string& command) {
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return {-1, "popen failed"};
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

const TestKeys& SharedTestKeys() {
  static TempDir* dir = new TempDir();  // lives until exit; removed by atexit below
  static TestKeys keys = [] {
    std::atexit([] { delete dir; });
    TestKeys k{dir->path(), dir->File("dns.txt")};
    std::string dns = MakeKey(k.dir, {"--selector", "rsa2048"}) +
                      MakeKey(k.dir, {"--selector", "ed1", "--type", "ed25519"});
    WriteFile(k.dns_file, dns, 0644);
    return k;
  }();
  return keys;
}

DkimOptions OptionsFor(const TempDir& dir, const std::vector<std::string>& key_names) {
  const TestKeys& k = SharedTestKeys();
  std::string table, signing = "example.com";
  for (const std::string& n : key_names) {
    std::string sel = n == "rsa" ? "rsa2048" : "ed1";
    table += n + " example.com:" + sel + ":" + k.dir + "/" + sel + ".private\n";
    signing += " " + n;
  }
  WriteFile(dir.File("keys.conf"), table, 0644);
  WriteFile(dir.File("signing.conf"), signing + "\n", 0644);
  DkimOptions o;
  o.key_table_path = dir.File("keys.conf");
  o.signing_table_path = dir.File("signing.conf");
  return o;
}

TestMessage SimpleMessage() {
  return {{{"From", " Alice <alice@example.com>"},
           {"To", " bob@example.net"},
           {"Subject", " hello"},
           {"Date", " Mon, 23 Nov 2026 10:00:00 +0000"},
           {"Message-ID", " <1@example.com>"}},
          "Hello Bob,\r\n\r\nsee you.\r\n"};
}

std::string SignAndRender(std::shared_ptr<const KeySet> keys, const TestMessage& m,
                          size_t chunk_size, const std::vector<Header>& extra, int64_t now) {
  auto signer = MessageSigner::Begin(keys, "example.com", now ? now : time(nullptr));
  if (!signer.ok() || !*signer) throw std::runtime_error("Begin failed");
  for (const Header& h : m.headers)
    if (!(*signer)->AddHeader(h.name, h.value).ok()) throw std::runtime_error("AddHeader");
  if (!(*signer)->EndHeaders().ok()) throw std::runtime_error("EndHeaders");
  for (size_t i = 0; i < m.body.size(); i += chunk_size)
    if (!(*signer)->AddBody(std::string_view(m.body).substr(i, chunk_size)).ok())
      throw std::runtime_error("AddBody");
  auto sigs = (*signer)->Finish();
  if (!sigs.ok()) throw std::runtime_error("Finish: " + sigs.status().ToString());
  std::string out;
  for (const std::string& v : *sigs) out += "DKIM-Signature:" + v + "\r\n";
  for (const Header& h : m.headers) out += h.name + ":" + h.value + "\r\n";
  for (const Header& h : extra) out += h.name + ":" + h.value + "\r\n";
  return out + "\r\n" + m.body;
}

std::string VerifyWithDkimpy(const std::string& message, size_t expected) {
  return Verify("/usr/bin/python3 " + ScriptPath("verify_dkimpy.py"), message, expected);
}

std::string VerifyWithOpenDkim(const std::string& message, size_t expected) {
  return Verify("/bin/sh " + ScriptPath("verify_opendkim.sh"), message, expected);
}

Verdicts DkimpyVerdicts(const std::string& message) {
  return ParseVerdicts("/usr/bin/python3 " + ScriptPath("verify_dkimpy.py"), message);
}

Verdicts OpenDkimVerdicts(const std::string& message) {
  return ParseVerdicts("/bin/sh " + ScriptPath("verify_opendkim.sh"), message);
}

}  // namespace sendguard::dkim::testing
