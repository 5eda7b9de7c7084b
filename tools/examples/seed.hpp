#pragma once
/// What the seed's examples share once ported to C++: the seed's time.sleep at
/// a smaller scale, and print() that reaches the terminal or pipe at once.
#include <chrono>
#include <iostream>
#include <string_view>
#include <thread>

namespace seed {

/// One second of the seed's time.sleep lasts kSecond here, so every example
/// (and its test) ends in well under a second or two: time.sleep(3) becomes
/// 150 ms, time.sleep(0.1) 5 ms. The ratios between the waits, which are what
/// the lessons rely on, are the seed's.
inline constexpr std::chrono::milliseconds kSecond{50};

/// The seed's time.sleep(seconds), scaled by kSecond.
inline void sleep(double seconds) {
  std::this_thread::sleep_for(kSecond * seconds);
}

/// The seed's print(line). Flushed at once: into a pipe, stdout is buffered, and
/// a line left in the buffer of a process killed later (the daemon) would be
/// lost; flushing also keeps the lines in the order they were printed.
inline void print(std::string_view line) {
  std::cout << line << std::endl;
}

}  // namespace seed
