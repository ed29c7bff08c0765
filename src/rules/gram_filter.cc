// rules/gram_filter.cc — hashed n-gram bitmap + exact verification.
#include "rules/gram_filter.h"

#include <algorithm>

namespace sendguard {
namespace rules {
namespace {

constexpr size_t kMaxGram = 8;
constexpr int kMinBitmapLog2 = 10;
constexpr int kMaxBitmapLog2 = 17;

// About 64 bits per atom keeps false positives near 1/64 per atom-gram
// without making small groups (one header) carry a large table.
int BitmapLog2(size_t num_atoms) {
  int log2 = kMinBitmapLog2;
  while (log2 < kMaxBitmapLog2 && (size_t{1} << log2) < num_atoms * 64) ++log2;
  return log2;
}

// A-Z -> a-z, every other byte unchanged (constant-initialized, so usable
// from other static initializers).
struct FoldTable {
  uint8_t map[256] = {};
  constexpr FoldTable() {
    for (int b = 0; b < 256; ++b) map[b] = static_cast<uint8_t>(b >= 'A' && b <= 'Z' ? b + 32 : b);
  }
};
constexpr FoldTable kFold;

inline uint8_t Fold(char c) { return kFold.map[static_cast<uint8_t>(c)]; }

uint64_t PackGram(std::string_view s, size_t n) {
  uint64_t g = 0;
  for (size_t i = 0; i < n; ++i) g = (g << 8) | Fold(s[i]);
  return g;
}

}  // namespace

bool GramFilter::UsefulFor(const std::vector<std::string>& atoms) {
  for (const std::string& a : atoms)
    if (!a.empty() && a.size() < kMinUsefulGram) return false;
  return true;
}

GramFilter::GramFilter(const std::vector<std::string>& atoms)
    : hash_shift_(64 - BitmapLog2(atoms.size())),
      atoms_(atoms),
      bitmap_((size_t{1} << (64 - hash_shift_)) / 64, 0) {
  for (std::string& a : atoms_)
    for (char& c : a) c = static_cast<char>(Fold(c));
  for (const std::string& a : atoms_)
    if (!a.empty()) gram_len_ = gram_len_ == 0 ? a.size() : std::min(gram_len_, a.size());
  gram_len_ = std::min(gram_len_, kMaxGram);
  gram_mask_ = gram_len_ >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * gram_len_)) - 1;
  for (size_t id = 0; id < atoms_.size(); ++id) {
    if (atoms_[id].empty()) continue;
    uint64_t g = PackGram(atoms_[id], gram_len_);
    uint32_t h = Hash(g);
    bitmap_[h >> 6] |= uint64_t{1} << (h & 63);
    by_gram_[g].push_back(static_cast<int>(id));
  }
}

// `start` is where the gram begins; checks the atoms starting with it.
void GramFilter::VerifyAt(std::string_view text, size_t start, uint64_t gram,
                          std::vector<int>* found, std::vector<uint8_t>* seen) const {
  auto it = by_gram_.find(gram);
  if (it == by_gram_.end()) return;
  for (int id : it->second) {
    if ((*seen)[id]) continue;
    const std::string& atom = atoms_[id];
    if (atom.size() > text.size() - start) continue;
    size_t k = gram_len_;
    while (k < atom.size() && Fold(text[start + k]) == static_cast<uint8_t>(atom[k])) ++k;
    if (k < atom.size()) continue;
    (*seen)[id] = 1;
    found->push_back(id);
  }
}

void GramFilter::FindAll(std::string_view text, std::vector<int>* found,
                         std::vector<uint8_t>* seen) const {
  seen->assign(atoms_.size(), 0);
  if (gram_len_ == 0 || text.size() < gram_len_) return;
  // Locals, so the loop keeps them in registers.
  const uint64_t* bitmap = bitmap_.data();
  const uint64_t mask = gram_mask_;
  const int shift = hash_shift_;
  const uint8_t* fold = kFold.map;
  const uint8_t* p = reinterpret_cast<const uint8_t*>(text.data());
  uint64_t w = PackGram(text, gram_len_ - 1);
  for (size_t end = gram_len_ - 1; end < text.size(); ++end) {
    w = ((w << 8) | fold[p[end]]) & mask;
    uint32_t h = static_cast<uint32_t>((w * kHashMultiplier) >> shift);
    if ((bitmap[h >> 6] >> (h & 63)) & 1) VerifyAt(text, end + 1 - gram_len_, w, found, seen);
  }
}

}  // namespace rules
}  // namespace sendguard
