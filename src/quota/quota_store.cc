// quota/quota_store.cc — parts of the store contract shared by all backends.
#include "quota/quota_store.h"

namespace sendguard {
namespace quota {

std::vector<WindowLimit> StatisticsSeries() {
  std::vector<WindowLimit> series;
  for (Metric m : {Metric::kMessages, Metric::kRecipients, Metric::kBytes}) {
    WindowLimit w;
    w.metric = m;
    w.limit = 0;
    w.window_seconds = 3600;
    w.resolution_seconds = 60;
    series.push_back(w);
  }
  return series;
}

}  // namespace quota
}  // namespace sendguard
