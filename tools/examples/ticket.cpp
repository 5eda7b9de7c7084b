// The seed's mutex lesson ("互斥锁 Lock"): ten buyers want the last ticket,
// kept in a JSON file `data` ({"ticket": 1}). Each one searches (reads the
// file and prints what is left), then buys: reads the file, waits a moment,
// and if a ticket was left writes one less and prints its success.
//
// With the Lock (made by the parent and handed to every buyer, as the seed
// says) buying is serial: exactly one buyer succeeds, the nine others print
// "没票了". With --no-lock every buyer may read "1" before anyone writes "0":
// the same ticket is sold several times (oversold).
//
// `data` lives in a fresh folder made with mkdtemp under $TMPDIR (or /tmp) and
// removed at the end. Added to the seed's prints: the folder's path on stderr
// and, once every buyer has ended, the file's final content.
#include <stdlib.h>
#include <unistd.h>

#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "mpsim/os/process.hpp"
#include "seed.hpp"

namespace fs = std::filesystem;
using mpsim::os::Lock;
using mpsim::os::Process;
using nlohmann::json;

namespace {

/// The seed's relative path 'data', inside this run's folder (set before any fork).
fs::path data_file;

json read_data() {
  std::ifstream f(data_file);
  if (!f) throw std::runtime_error("cannot read " + data_file.string());
  std::stringstream all;
  all << f.rdbuf();
  return json::parse(all.str());
}

/// The seed's json.dump into open('data', 'w'). Written to a new file renamed
/// over `data`, so a buyer reading at the same time sees the old or the new
/// content, never a half-written file: the only race left is the lesson's own,
/// between a buyer's read and its write.
void write_data(const json& t_d) {
  fs::path tmp = data_file;
  tmp += "." + std::to_string(getpid());
  {
    std::ofstream f(tmp);
    f << t_d.dump();
    if (!f.flush()) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, data_file);
}

// 查票
void search(int i) {
  json t_d = read_data();
  seed::print("用户" + std::to_string(i) + "查询余票为:" + t_d.at("ticket").dump());
}

// 买票
void buy(int i) {
  json t_d = read_data();
  seed::sleep(1);
  if (t_d.at("ticket").get<int>() > 0) {
    t_d["ticket"] = t_d["ticket"].get<int>() - 1;  // 票数减一
    write_data(t_d);                               // 更新票数
    seed::print("用户" + std::to_string(i) + "抢票成功");
  } else {
    seed::print("没票了");
  }
}

void run(int i, Lock& mutex) {
  search(i);
  mutex.acquire();  // 抢锁: whoever holds it, the others wait until it is released
  buy(i);
  mutex.release();  // 释放锁
}

/// --no-lock: the seed's run() without acquire/release.
void run_without_lock(int i) {
  search(i);
  buy(i);
}

/// The run's folder: made by mkdtemp, removed with everything in it at the end.
class RunFolder {
 public:
  RunFolder() {
    std::string tmpl = (fs::temp_directory_path() / "mpsim-ticket-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp " + tmpl + " failed");
    path_ = tmpl;
  }
  ~RunFolder() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  RunFolder(const RunFolder&) = delete;
  RunFolder& operator=(const RunFolder&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

int buy_tickets(bool with_lock) {
  RunFolder folder;
  std::cerr << "run folder: " << folder.path().string() << std::endl;
  data_file = folder.path() / "data";
  write_data(json{{"ticket", 1}});

  Lock mutex;  // 生成了一把锁, before the buyers start: they all share it
  std::vector<Process> buyers;
  buyers.reserve(10);
  for (int i = 0; i < 10; ++i) {
    if (with_lock)
      buyers.push_back(Process::with_args({}, run, i, std::ref(mutex)));
    else
      buyers.push_back(Process::with_args({}, run_without_lock, i));
    buyers.back().start();
  }
  // Python joins the buyers when the parent's main ends; here before reading
  // the final file, and any buyer that failed fails the program.
  int failed = 0;
  for (auto& b : buyers) {
    b.join();
    if (b.exitcode() != 0) ++failed;
  }
  seed::print("data文件最后的内容: " + read_data().dump());
  if (failed > 0) {
    std::cerr << failed << " buyer(s) failed" << std::endl;
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bool with_lock = true;
  for (int a = 1; a < argc; ++a) {
    if (std::string_view(argv[a]) == "--no-lock") {
      with_lock = false;
    } else {
      std::cerr << "usage: " << argv[0] << " [--no-lock]\n";
      return 2;
    }
  }
  try {
    return buy_tickets(with_lock);
  } catch (const std::exception& e) {
    std::cerr << argv[0] << ": " << e.what() << std::endl;
    return 1;
  }
}
