// policygen — load generator for Postfix SMTPD policy services (sendguard's
// [policy] listen, postfwd, policyd-rate-limit): N connections, each sending
// messages as smtpd does (one RCPT request, then END-OF-MESSAGE with the same
// instance) for a SASL user drawn from a pool, one request at a time, for
// S seconds. Prints and writes (--json) requests/s, latency percentiles in
// microseconds, answers by action word and errors.
//
//   policygen --socket inet:127.0.0.1:10040|unix:/path [--connections 8]
//             [--seconds 5] [--users 1000] [--json FILE]
// Thread-safety: one thread per connection; results merged at the end.
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Options {
  std::string socket;
  int connections = 8;
  double seconds = 5;
  int users = 1000;
  std::string json;
};

struct Tally {
  std::vector<double> latencies_us;
  std::map<std::string, long> answers;
  long errors = 0;
};

int Connect(const std::string& spec) {
  if (spec.compare(0, 5, "unix:") == 0) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", spec.c_str() + 5);
    if (connect(fd, reinterpret_cast<sockaddr*>(&sun), sizeof(sun)) != 0) {
      close(fd);
      return -1;
    }
    return fd;
  }
  std::string rest = spec.substr(5);
  size_t colon = rest.rfind(':');
  std::string host = rest.substr(0, colon), port = rest.substr(colon + 1);
  addrinfo hints{}, *res = nullptr;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0) return -1;
  int fd = socket(res->ai_family, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  int rc = connect(fd, res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  if (rc != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::string Request(const char* state, const std::string& user, const std::string& instance, bool end) {
  std::string r = "request=smtpd_access_policy\nprotocol_state=";
  r += state;
  r += "\nprotocol_name=ESMTP\nhelo_name=client.example\nqueue_id=";
  r += end ? "4Q" + instance : "";
  r += "\nsender=" + user + "\nrecipient=" + (end ? std::string() : "someone@example.net");
  r += "\nrecipient_count=" + std::string(end ? "1" : "0");
  r += "\nclient_address=192.0.2.10\nclient_name=client.example\nreverse_client_name=client.example\ninstance=" +
       instance + "\nsasl_method=plain\nsasl_username=" + user +
       "\nsasl_sender=\nsize=" + (end ? "2000" : "0") +
       "\nccert_subject=\nccert_issuer=\nccert_fingerprint=\nencryption_protocol=TLSv1.3\n"
       "encryption_cipher=TLS_AES_256_GCM_SHA384\nencryption_keysize=256\netrn_domain=\nstress=\n"
       "client_port=40000\nserver_address=127.0.0.1\nserver_port=587\npolicy_context=\n\n";
  return r;
}

// Sends one request, reads the answer's action word ("" on error).
std::string Ask(int fd, const std::string& request, std::string* buf) {
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) return "";
  size_t end;
  while ((end = buf->find("\n\n")) == std::string::npos) {
    char chunk[4096];
    ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) return "";
    buf->append(chunk, static_cast<size_t>(n));
  }
  std::string block = buf->substr(0, end);
  buf->erase(0, end + 2);
  if (block.compare(0, 7, "action=") != 0) return "";
  std::string action = block.substr(7, block.find_first_of(" \n", 7) - 7);
  for (char& c : action) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  return action;
}

void RunConnection(const Options& o, int index, std::chrono::steady_clock::time_point until, Tally* t) {
  int fd = Connect(o.socket);
  if (fd < 0) {
    ++t->errors;
    return;
  }
  std::mt19937 rng(static_cast<unsigned>(index * 7919 + 1));
  std::string buf;
  long n = 0;
  while (std::chrono::steady_clock::now() < until) {
    std::string user = "user" + std::to_string(rng() % o.users) + "@example.org";
    std::string instance = std::to_string(getpid()) + "." + std::to_string(index) + "." + std::to_string(++n);
    for (bool end : {false, true}) {
      auto start = std::chrono::steady_clock::now();
      std::string action = Ask(fd, Request(end ? "END-OF-MESSAGE" : "RCPT", user, instance, end), &buf);
      double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
      if (action.empty()) {
        ++t->errors;
        close(fd);
        return;
      }
      t->latencies_us.push_back(us);
      ++t->answers[action];
    }
  }
  close(fd);
}

double Percentile(std::vector<double>* v, double p) {
  if (v->empty()) return 0;
  size_t k = std::min(v->size() - 1, static_cast<size_t>(p * static_cast<double>(v->size())));
  std::nth_element(v->begin(), v->begin() + static_cast<long>(k), v->end());
  return (*v)[k];
}

bool Parse(int argc, char** argv, Options* o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--socket") o->socket = v;
    else if (k == "--connections") o->connections = std::stoi(v);
    else if (k == "--seconds") o->seconds = std::stod(v);
    else if (k == "--users") o->users = std::max(1, std::stoi(v));
    else if (k == "--json") o->json = v;
    else return false;
  }
  return !o->socket.empty() && o->connections > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!Parse(argc, argv, &o)) {
    fprintf(stderr, "usage: policygen --socket SPEC [--connections N] [--seconds S] [--users U] [--json FILE]\n");
    return 2;
  }
  std::vector<Tally> tallies(static_cast<size_t>(o.connections));
  auto start = std::chrono::steady_clock::now();
  auto until = start + std::chrono::microseconds(static_cast<long>(o.seconds * 1e6));
  std::vector<std::thread> threads;
  for (int i = 0; i < o.connections; ++i) threads.emplace_back(RunConnection, std::cref(o), i, until, &tallies[i]);
  for (std::thread& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Tally all;
  for (Tally& t : tallies) {
    all.latencies_us.insert(all.latencies_us.end(), t.latencies_us.begin(), t.latencies_us.end());
    for (auto& [k, v] : t.answers) all.answers[k] += v;
    all.errors += t.errors;
  }
  double rps = static_cast<double>(all.latencies_us.size()) / elapsed;
  double p50 = Percentile(&all.latencies_us, 0.50), p99 = Percentile(&all.latencies_us, 0.99);
  std::string answers;
  for (auto& [k, v] : all.answers) answers += (answers.empty() ? "" : ",") + ("\"" + k + "\":" + std::to_string(v));
  char json[1024];
  snprintf(json, sizeof(json),
           "{\"connections\":%d,\"seconds\":%.2f,\"requests\":%zu,\"requests_per_s\":%.0f,\"p50_us\":%.0f,"
           "\"p99_us\":%.0f,\"errors\":%ld,\"answers\":{%s}}",
           o.connections, elapsed, all.latencies_us.size(), rps, p50, p99, all.errors, answers.c_str());
  printf("%s\n", json);
  if (!o.json.empty()) std::ofstream(o.json) << json << "\n";
  return all.errors == 0 ? 0 : 1;
}
