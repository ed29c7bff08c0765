// notify/outbox.h — alerts that are never lost: a persistent webhook outbox.
//
// Contract: Enqueue() only writes one file into the outbox directory
// (atomically: tmp + fsync + rename + fsync of the directory) and never
// touches the network, so it is cheap and never waits on the receiver. A
// full outbox (max_pending alerts waiting) makes Enqueue refuse with
// kUnavailable, log it and count it: the outbox never grows without bound.
// One OutboxSender per outbox directory (per daemon; a second one is refused)
// runs a background thread that POSTs every waiting alert with
//   Content-Type: application/json
//   X-Sendguard-Alert-Id: <id>
//   X-Sendguard-Signature: sha256=<hex HMAC-SHA256(secret, body)>  (if a secret is set)
// and then: 2xx deletes the file (delivered); a 4xx other than 408 and 429
// is a permanent failure, the file moves to <outbox_dir>/failed/ and it is
// logged; anything else (connection refused, timeout, 408, 429, 3xx, 5xx) keeps
// the file and retries it later, after backoff_min_ms, then twice as long
// each time up to backoff_max_ms. The state is the files (the attempt count
// and the next-try time are in the file name), so alerts survive restarts
// and crashes. Delivery is at least once: a crash between the 2xx and the
// unlink sends the alert again, so receivers deduplicate on the alert id.
// The sender also looks at the directory at least once a second, so alerts
// enqueued by other processes go out without DeliverNow().
// Thread-safety: Enqueue may be called from any thread or process at once
// (the max_pending check is approximate under concurrent Enqueue: each
// concurrent caller may add one beyond it). OutboxSender's methods may be
// called from any thread.
#ifndef SENDGUARD_NOTIFY_OUTBOX_H_
#define SENDGUARD_NOTIFY_OUTBOX_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"

namespace sendguard::notify {

struct WebhookOptions {
  std::string url;              // http:// or https://; "" = no webhook (Enqueue does nothing)
  std::string secret;           // HMAC-SHA256 key; "" = no signature header
  std::string outbox_dir;       // created (mode 0700) if missing
  int timeout_ms = 5000;        // per POST, connect included
  size_t max_pending = 10000;   // Enqueue refuses when this many alerts wait
  int backoff_min_ms = 1000;    // first retry delay
  int backoff_max_ms = 300000;  // retry delay cap
};

struct Alert {
  std::string id;    // unique, 1-128 of [A-Za-z0-9_-] (e.g. time + identity hash)
  std::string json;  // the request body, sent as is
};

// Queues `alert` for delivery. Ok also when no URL is configured (nothing to
// deliver) and when an alert with the same id already waits (idempotent).
// kInvalidArgument: bad id or no outbox_dir; kUnavailable: outbox full;
// kIoError: the file could not be written.
Status Enqueue(const WebhookOptions& options, const Alert& alert);

// Retry delay after `failed_attempts` (>= 1) failures.
int64_t RetryDelayMs(const WebhookOptions& options, int failed_attempts);

class OutboxSender {
 public:
  // Checks the options, creates outbox_dir and failed/, takes the outbox's
  // lock (kUnavailable if another sender holds it) and starts the thread.
  static Result<std::unique_ptr<OutboxSender>> Start(const WebhookOptions& options);
  // Stops the thread: an ongoing POST is abandoned (within about a second,
  // and never later than timeout_ms); the alert stays in the outbox.
  ~OutboxSender();
  OutboxSender(const OutboxSender&) = delete;
  OutboxSender& operator=(const OutboxSender&) = delete;

  // Wakes the thread to look at the outbox now (e.g. right after Enqueue).
  // Alerts waiting for their backoff still wait.
  void DeliverNow();

  struct Stats {
    uint64_t delivered = 0;     // 2xx received, file deleted
    uint64_t retried = 0;       // attempts that failed and were rescheduled
    uint64_t failed = 0;        // permanent failures moved to failed/
    uint64_t refused_full = 0;  // Enqueue refusals (any process) since Start
    size_t pending = 0;         // alerts in the outbox right now
  };
  Stats stats() const;

 private:
  class Impl;
  explicit OutboxSender(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sendguard::notify

#endif  // SENDGUARD_NOTIFY_OUTBOX_H_
