// core/child.h — what every child process sendguard forks does first.
//
// Contract: ResetSignalsInChild() puts every signal back to its default
// action and unblocks them all: handlers and masks inherited from the parent
// (a test framework's, the daemon's blocked set) must not apply in a child
// that is about to exec, or is a helper whose crash must end it. Only
// async-signal-safe calls, so it may run between fork and exec in a
// multi-threaded process.
// Thread-safety: call in the child only.
#ifndef SENDGUARD_CORE_CHILD_H_
#define SENDGUARD_CORE_CHILD_H_

namespace sendguard {

void ResetSignalsInChild();

}  // namespace sendguard

#endif  // SENDGUARD_CORE_CHILD_H_
