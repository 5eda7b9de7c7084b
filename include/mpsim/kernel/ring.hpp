#pragma once
// A double-ended queue in one power-of-two array used as a ring: the FIFO
// ready queues (policies/queues.hpp) and rr's slice batching
// (kernel/rotation.cpp) push at the back and pop at the front at every time
// slice. std::deque did the same with a node allocated and freed every 64
// elements and out-of-line bookkeeping: 27 instructions a push on the issue 18
// workload, against 5 here. Order, and so every result, is the same.
#include <algorithm>
#include <cstddef>
#include <iterator>
#include <type_traits>
#include <vector>

namespace mpsim {

template <typename T>
class Ring {
 public:
  /// Random access by position from the front (Const: a read-only view).
  template <bool Const>
  class Iter {
    using R = std::conditional_t<Const, const Ring, Ring>;
    using Ref = std::conditional_t<Const, const T&, T&>;

   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = std::conditional_t<Const, const T*, T*>;
    using reference = Ref;
    using iterator = Iter;
    Iter() = default;
    Iter(R* r, std::size_t i) : r_(r), i_(i) {}
    Ref operator*() const { return (*r_)[i_]; }
    pointer operator->() const { return &(*r_)[i_]; }
    Ref operator[](difference_type n) const { return (*r_)[i_ + static_cast<std::size_t>(n)]; }
    iterator& operator++() { return ++i_, *this; }
    iterator operator++(int) { return {r_, i_++}; }
    iterator& operator--() { return --i_, *this; }
    iterator operator--(int) { return {r_, i_--}; }
    iterator& operator+=(difference_type n) { return i_ += static_cast<std::size_t>(n), *this; }
    iterator& operator-=(difference_type n) { return i_ -= static_cast<std::size_t>(n), *this; }
    friend iterator operator+(iterator a, difference_type n) { return a += n; }
    friend iterator operator+(difference_type n, iterator a) { return a += n; }
    friend iterator operator-(iterator a, difference_type n) { return a -= n; }
    friend difference_type operator-(const iterator& a, const iterator& b) {
      return static_cast<difference_type>(a.i_) - static_cast<difference_type>(b.i_);
    }
    friend bool operator==(const iterator& a, const iterator& b) { return a.i_ == b.i_; }
    friend auto operator<=>(const iterator& a, const iterator& b) { return a.i_ <=> b.i_; }
    [[nodiscard]] std::size_t index() const { return i_; }

   private:
    R* r_ = nullptr;
    std::size_t i_ = 0;  ///< position from the front
  };
  using iterator = Iter<false>;
  using const_iterator = Iter<true>;

  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] std::size_t size() const { return size_; }
  T& operator[](std::size_t i) { return a_[(head_ + i) & mask_]; }
  const T& operator[](std::size_t i) const { return a_[(head_ + i) & mask_]; }
  T& front() { return a_[head_]; }
  const T& front() const { return a_[head_]; }
  T& back() { return (*this)[size_ - 1]; }
  const T& back() const { return (*this)[size_ - 1]; }
  iterator begin() { return {this, 0}; }
  iterator end() { return {this, size_}; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size_}; }

  void push_back(T v) {
    if (size_ == a_.size()) grow();
    a_[(head_ + size_++) & mask_] = v;
  }
  void push_front(T v) {
    if (size_ == a_.size()) grow();
    head_ = (head_ - 1) & mask_;
    a_[head_] = v;
    ++size_;
  }
  void pop_front() {
    head_ = (head_ + 1) & mask_;
    --size_;
  }
  void pop_back() { --size_; }
  /// pop_front() then push_back(v), in one step: the size stays, so the
  /// front's slot (read already) may take v when the ring is full. One
  /// index update instead of four (rr's slice batching does it every slice).
  void front_to_back(T v) {
    a_[(head_ + size_) & mask_] = v;
    head_ = (head_ + 1) & mask_;
  }
  void clear() { head_ = size_ = 0; }
  /// Removes the element at `it`, closing the gap towards the nearer end.
  iterator erase(iterator it) {
    std::size_t i = it.index();
    if (i < size_ / 2) {
      for (std::size_t k = i; k > 0; --k) (*this)[k] = (*this)[k - 1];
      pop_front();
    } else {
      for (std::size_t k = i; k + 1 < size_; ++k) (*this)[k] = (*this)[k + 1];
      pop_back();
    }
    return {this, i};
  }

 private:
  void grow() {
    std::vector<T> bigger(std::max<std::size_t>(16, 2 * a_.size()));
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = (*this)[i];
    a_.swap(bigger);
    head_ = 0;
    mask_ = a_.size() - 1;
  }
  std::vector<T> a_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
  std::size_t mask_ = 0;
};

}  // namespace mpsim
