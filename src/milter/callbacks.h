// milter/callbacks.h — registration of the xxfi_* callbacks (internal to the
// milter module).
//
// Contract: RegisterCallbacks() must be called once, before smfi_main(); the
// holder must outlive smfi_main(). Thread-safety: the callbacks themselves
// run on libmilter's worker threads; per-connection state lives only in
// smfi_setpriv (libmilter may move a connection between threads).
#ifndef SENDGUARD_MILTER_CALLBACKS_H_
#define SENDGUARD_MILTER_CALLBACKS_H_

#include "session/runtime.h"
#include "session/snapshot.h"

namespace sendguard {

bool RegisterCallbacks(const SnapshotHolder* holder, Runtime* runtime);

// From now on new connections are told to come back later (421 4.3.2 at
// connect), while open ones are served to the end.
void SetDraining();

}  // namespace sendguard

#endif  // SENDGUARD_MILTER_CALLBACKS_H_
