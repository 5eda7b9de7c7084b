// The compact event log (mpsim/model/result.hpp): the parts off the hot path.
#include <algorithm>

#include "mpsim/model/result.hpp"

namespace mpsim {

void EventLog::add_chunk(Tick base) {
  // After a chunk that filled up, the log is a long one: take the next chunk
  // whole at once rather than doubling up to it.
  bool long_log = !chunks_.empty() && chunks_.back().packed.size() == kChunkEvents;
  Chunk c;
  c.base = base;
  c.first = size_;
  if (long_log) c.packed.reserve(kChunkEvents);
  chunks_.push_back(std::move(c));
}

Event EventLog::operator[](std::size_t i) const {
  // Chunks are full-sized unless a tick jumped 2^32 past its chunk's base,
  // so the chunk is usually i / kChunkEvents; otherwise search for it.
  std::size_t k = i / kChunkEvents;
  if (k < chunks_.size() && chunks_[k].first == k * kChunkEvents && i - chunks_[k].first < chunks_[k].packed.size())
    return chunks_[k].at(i - chunks_[k].first);
  auto it = std::upper_bound(chunks_.begin(), chunks_.end(), i,
                             [](std::size_t v, const Chunk& c) { return v < c.first; });
  const Chunk& c = *std::prev(it);
  return c.at(i - c.first);
}

}  // namespace mpsim
