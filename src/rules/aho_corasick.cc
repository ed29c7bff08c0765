// rules/aho_corasick.cc — dense-DFA Aho–Corasick over byte classes.
#include "rules/aho_corasick.h"

#include <cstring>
#include <deque>

namespace sendguard {
namespace rules {
namespace {

}  // namespace

AhoCorasick::AhoCorasick(const std::vector<std::string>& atoms)
    : num_atoms_(static_cast<int>(atoms.size())) {
  BuildClasses(atoms);
  std::vector<std::vector<int32_t>> out_lists;
  BuildTrie(atoms, &out_lists);
  RenumberBreadthFirst(&out_lists);
  BuildFailureLinks(&out_lists);
}

// Byte classes: each letter (case folded) and the space are their own class;
// all digits share one class and every other byte shares another. Merging
// classes can only report an atom that is not really there (a superset,
// which is safe for a prefilter: the regex still decides), never miss one,
// and it keeps the transition table small enough for the CPU caches.
void AhoCorasick::BuildClasses(const std::vector<std::string>& atoms) {
  (void)atoms;
  num_classes_ = 0;
  const uint8_t kOther = static_cast<uint8_t>(num_classes_++);
  const uint8_t kDigit = static_cast<uint8_t>(num_classes_++);
  const uint8_t kSpace = static_cast<uint8_t>(num_classes_++);
  for (int b = 0; b < 256; ++b) class_of_[b] = kOther;
  for (int b = '0'; b <= '9'; ++b) class_of_[b] = kDigit;
  class_of_[static_cast<uint8_t>(' ')] = kSpace;
  for (int b = 'a'; b <= 'z'; ++b) {
    class_of_[b] = static_cast<uint8_t>(num_classes_++);
    class_of_[b - 32] = class_of_[b];
  }
}

void AhoCorasick::BuildTrie(const std::vector<std::string>& atoms,
                            std::vector<std::vector<int32_t>>* out_lists) {
  delta_.assign(num_classes_, -1);
  out_lists->resize(1);
  for (int id = 0; id < num_atoms_; ++id) {
    if (atoms[id].empty()) continue;
    int32_t s = 0;
    for (unsigned char c : atoms[id]) {
      int32_t& next = delta_[static_cast<size_t>(s) * num_classes_ + class_of_[c]];
      if (next < 0) {
        next = static_cast<int32_t>(out_lists->size());
        out_lists->emplace_back();
        delta_.resize(delta_.size() + num_classes_, -1);
      }
      s = delta_[static_cast<size_t>(s) * num_classes_ + class_of_[c]];
    }
    (*out_lists)[s].push_back(id);
  }
}

// Numbers states in breadth-first order so the shallow states, where the
// automaton spends nearly all its time, share a few cache lines.
void AhoCorasick::RenumberBreadthFirst(std::vector<std::vector<int32_t>>* out_lists) {
  const size_t n = out_lists->size();
  const size_t ncls = static_cast<size_t>(num_classes_);
  std::vector<int32_t> order;
  order.reserve(n);
  order.push_back(0);
  for (size_t head = 0; head < order.size(); ++head) {
    for (size_t c = 0; c < ncls; ++c) {
      int32_t t = delta_[static_cast<size_t>(order[head]) * ncls + c];
      if (t >= 0) order.push_back(t);
    }
  }
  std::vector<int32_t> new_id(n);
  for (size_t i = 0; i < order.size(); ++i) new_id[order[i]] = static_cast<int32_t>(i);
  std::vector<int32_t> delta(delta_.size(), -1);
  std::vector<std::vector<int32_t>> outs(n);
  for (size_t old = 0; old < n; ++old) {
    size_t s = static_cast<size_t>(new_id[old]);
    outs[s] = std::move((*out_lists)[old]);
    for (size_t c = 0; c < ncls; ++c) {
      int32_t t = delta_[old * ncls + c];
      delta[s * ncls + c] = t < 0 ? -1 : new_id[t];
    }
  }
  delta_.swap(delta);
  out_lists->swap(outs);
}

// Standard BFS: completes the goto function into a full DFA and merges each
// state's outputs with those of its failure state.
void AhoCorasick::BuildFailureLinks(std::vector<std::vector<int32_t>>* out_lists) {
  const size_t n = out_lists->size();
  std::vector<int32_t> fail(n, 0);
  std::deque<int32_t> queue;
  for (int c = 0; c < num_classes_; ++c) {
    int32_t& t = delta_[c];
    if (t < 0) {
      t = 0;
    } else {
      fail[t] = 0;
      queue.push_back(t);
    }
  }
  while (!queue.empty()) {
    int32_t s = queue.front();
    queue.pop_front();
    const std::vector<int32_t>& inherited = (*out_lists)[fail[s]];
    (*out_lists)[s].insert((*out_lists)[s].end(), inherited.begin(), inherited.end());
    for (int c = 0; c < num_classes_; ++c) {
      int32_t& t = delta_[static_cast<size_t>(s) * num_classes_ + c];
      int32_t via_fail = delta_[static_cast<size_t>(fail[s]) * num_classes_ + c];
      if (t < 0) {
        t = via_fail;
      } else {
        fail[t] = via_fail;
        queue.push_back(t);
      }
    }
  }
  has_output_.resize(n);
  output_begin_.resize(n + 1);
  for (size_t s = 0; s < n; ++s) {
    output_begin_[s] = static_cast<uint32_t>(outputs_.size());
    has_output_[s] = !(*out_lists)[s].empty();
    outputs_.insert(outputs_.end(), (*out_lists)[s].begin(), (*out_lists)[s].end());
  }
  output_begin_[n] = static_cast<uint32_t>(outputs_.size());
}

void AhoCorasick::FindAll(std::string_view text, std::vector<int>* found,
                          std::vector<uint8_t>* seen) const {
  seen->assign(num_atoms_, 0);
  const int32_t* delta = delta_.data();
  const uint8_t* has_output = has_output_.data();
  const size_t ncls = static_cast<size_t>(num_classes_);
  int32_t s = 0;
  for (unsigned char c : text) {
    s = delta[static_cast<size_t>(s) * ncls + class_of_[c]];
    if (!has_output[s]) continue;
    for (uint32_t i = output_begin_[s]; i < output_begin_[s + 1]; ++i) {
      int32_t id = outputs_[i];
      if (!(*seen)[id]) {
        (*seen)[id] = 1;
        found->push_back(id);
      }
    }
  }
}

}  // namespace rules
}  // namespace sendguard
