// master/worker.h — the life of one worker process, from fork to exit.
//
// Contract: called in a freshly forked child of the parent. It closes the
// parent's descriptors, becomes `account` for good (PR_SET_NO_NEW_PRIVS),
// opens its runtime (quota store; SPF helpers come from the parent over the
// channel), tells the parent "ready" once it serves the shared socket, and
// serves until told to stop or retire (milter.h). A worker that cannot
// start tells the parent why ("startup-error WHY") and exits with
// kStartupFailure. Never returns.
// Thread-safety: the child is single-threaded when this starts.
#ifndef SENDGUARD_MASTER_WORKER_H_
#define SENDGUARD_MASTER_WORKER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "metrics/segment.h"
#include "proc/listen_socket.h"
#include "proc/privileges.h"
#include "session/snapshot.h"

namespace sendguard {

struct WorkerSetup {
  pid_t parent = 0;
  std::shared_ptr<const Snapshot> snapshot;
  proc::ListenSocket socket;
  int channel_fd = -1;
  proc::Account account;
  bool run_maintenance = false;    // one worker per daemon collects quota garbage
  std::vector<int> parent_fds;     // to close first
  metrics::Segment* metrics = nullptr;  // the shared counters
  int metrics_slot = -1;           // this worker's slot; -1: none free (counts are lost)
  int decision_log_fd = -1;        // the parent's decision log descriptor; -1: none
};

[[noreturn]] void RunWorkerProcess(const WorkerSetup& setup);

}  // namespace sendguard

#endif  // SENDGUARD_MASTER_WORKER_H_
