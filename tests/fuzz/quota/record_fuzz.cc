// Fuzz target: SubjectRecord::Decode on arbitrary bytes (a corrupt or
// hostile store file) must fail cleanly or yield a record that re-encodes
// identically and survives every operation.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "quota/subject_record.h"

using namespace sendguard::quota;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto record = SubjectRecord::Decode(data, size);
  SubjectRecord::DecodeExpiresAt(data, size);
  if (!record.ok()) return 0;
  std::string encoded = record->Encode();
  auto again = SubjectRecord::Decode(encoded.data(), encoded.size());
  if (!again.ok() || again->Encode() != encoded) std::abort();
  int64_t now = 1700000000;
  for (const Series& s : record->series()) {
    WindowLimit w;
    w.metric = s.metric;
    w.limit = 100;
    w.window_seconds = s.window_seconds;
    w.resolution_seconds = s.resolution_seconds;
    record->Check(w, 1, now);
    record->AddCommitted({w}, Amounts{1, 1, 1}, now);
  }
  record->Prune(now);
  record->ExpiresAt();
  return 0;
}
