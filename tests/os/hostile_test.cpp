// Untrusted scenario files (docs/reliability.md, "Hostile input"): a scenario
// cannot name a path outside its run folder, cannot make mpsim run a command,
// and cannot make an output writer replace a file the user did not name; the
// HTML and SVG writers show every scenario string as text. TearDown (the
// fixture) checks that nothing is left behind after each case.
#include <sys/stat.h>

#include "real_mode.hpp"

namespace {

using namespace mpsim_os_test;

std::string hostile(const std::string& name) {
  return std::string(MPSIM_SOURCE_DIR) + "/tests/hostile/" + name;
}

using Hostile = RealMode;

TEST_F(Hostile, FileNamesCannotLeaveTheRunFolder) {
  // Each name alone, so that each is refused for itself; in both backends.
  std::string longname(101, 'n');
  std::vector<std::pair<std::string, std::string>> names = {
      {"../escape", "file name \"../escape\" is not allowed"},
      {"/tmp/escape", "file name \"/tmp/escape\" is not allowed"},
      {"..", "file name \"..\" is not allowed"},
      {"a\\u0000b", "file name \"a\\u0000b\" is not allowed"},  // a NUL byte, shown escaped
      {"a\\u001b[2Jb", "file name \"a\\u001b[2Jb\" is not allowed"},
      {longname, "expected a file name of at most 100 characters, found 101"},
  };
  for (const auto& [name, message] : names) {
    std::string path = write_scenario("names.json", R"({
      "name": "escape", "files": { ")" + name + R"(": { "x": 1 } },
      "programs": { "p": [ { "write": "escape.x", "value": 2 } ] },
      "processes": [ { "name": "p", "program": "p" } ]
    })");
    for (const char* backend : {"sim", "real"}) {
      Outcome o = run({"run", "--backend", backend, path});
      EXPECT_EQ(o.exit_code, 2) << name;
      EXPECT_NE(o.err.find(message), std::string::npos) << o.err;
      EXPECT_EQ(o.err.find('\0'), std::string::npos);
      EXPECT_EQ(o.err.find('\x1b'), std::string::npos);
    }
  }
  EXPECT_FALSE(fs::exists(dir_ + "/escape.json"));
  EXPECT_FALSE(fs::exists("/tmp/escape.json"));
}

TEST_F(Hostile, SymlinksPlantedBesideTheRunFolderAreNeverFollowed) {
  // Links where a careless runner would write (TMPDIR/data.json, guessable
  // run-folder names) point at a victim file; the run folder is a fresh
  // mkdtemp folder, private to its user, so they are never used.
  std::string victim = dir_ + "/victim.txt";
  std::ofstream(victim) << "precious\n";
  std::string tmp = dir_ + "/tmp";
  for (const char* link : {"data.json", ".data.json.tmp", "mpsim-run-000000", "mpsim-run-XXXXXX"})
    fs::create_symlink(victim, tmp + "/" + link);
  Outcome o = run_json(seed("ticket_nolock.json"), {"--tick-us", "20", "--keep"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  std::string folder = o.result["real"]["folder"];
  struct stat st {};
  ASSERT_EQ(stat(folder.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);  // nobody else can plant anything inside
  EXPECT_EQ(fs::path(folder).parent_path(), fs::path(tmp));
  EXPECT_TRUE(fs::is_regular_file(folder + "/data.json"));
  EXPECT_FALSE(fs::is_symlink(folder + "/data.json"));
  EXPECT_EQ(slurp(victim), "precious\n");
  fs::remove_all(folder);
  for (const char* link : {"data.json", ".data.json.tmp", "mpsim-run-000000", "mpsim-run-XXXXXX"})
    fs::remove(tmp + "/" + link);
}

TEST_F(Hostile, StringsThatLookLikeShellCommandsAreNeverRun) {
  std::string marker = dir_ + "/pwned";
  // R"J(...)J": the scenario itself contains )" sequences.
  std::string path = write_scenario("shell.json", R"J({
    "name": "$(touch )J" + marker + R"J()",
    "files": { "data": { "cmd": "`touch )J" + marker + R"J(`" } },
    "programs": { "p": [
      { "print": "; touch )J" + marker + R"J( && echo $(touch )J" +
                                                      marker + R"J() | sh" },
      { "read": "data.cmd", "into": "c" }, { "print": "{c}" }
    ] },
    "processes": [ { "name": "|touch )J" + marker + R"J(", "program": "p" } ]
  })J");
  for (const char* backend : {"sim", "real"}) {
    Outcome o = run({"run", "--backend", backend, path, "--format", "json"});
    ASSERT_EQ(o.exit_code, 0) << o.err;
    ASSERT_EQ(o.result["output"].size(), 2u);
    EXPECT_EQ(o.result["output"][0]["text"],
              "; touch " + marker + " && echo $(touch " + marker + ") | sh");
    EXPECT_EQ(o.result["output"][1]["text"], "`touch " + marker + "`");
    EXPECT_FALSE(fs::exists(marker)) << backend;
  }
}

TEST_F(Hostile, OutputWritersReplaceOnlyWhatTheUserNamedAndForced) {
  std::string scenario = seed("zombie.json");
  std::string victim = dir_ + "/victim.txt";
  std::vector<std::vector<std::string>> writers = {
      {"run", scenario, "-o"},
      {"run", scenario, "--trace"},
      {"run", scenario, "--gantt"},
      {"run", scenario, "--tree"},
      {"report", scenario, "-o"},
      {"run", std::string(MPSIM_SOURCE_DIR) + "/scenarios/sync/deadlock_ab_ba.json", "--dot"},
  };
  for (const auto& w : writers) {
    std::string what = w[0] + " " + w[2];
    // An existing file: refused without --force, left as it was.
    std::string out = dir_ + "/existing.out";
    std::ofstream(out) << "mine\n";
    std::vector<std::string> args = w;
    args.push_back(out);
    Outcome o = run(args);
    EXPECT_EQ(o.exit_code, 2) << what;
    EXPECT_EQ(o.err, "error: " + out + " already exists; pass --force to replace it\n") << what;
    EXPECT_EQ(slurp(out), "mine\n") << what;
    // A dangling symlink: refused too (a plain open would create its target).
    std::string dangling = dir_ + "/dangling.out";
    fs::create_symlink(dir_ + "/created-through-link", dangling);
    args.back() = dangling;
    o = run(args);
    EXPECT_EQ(o.exit_code, 2) << what;
    EXPECT_FALSE(fs::exists(dir_ + "/created-through-link")) << what;
    // A symlink to a victim, with --force: the link is replaced, never the victim.
    std::ofstream(victim) << "precious\n";
    std::string link = dir_ + "/link.out";
    fs::create_symlink(victim, link);
    args.back() = link;
    args.push_back("--force");
    o = run(args);
    EXPECT_EQ(o.exit_code, w[2] == "--dot" ? 3 : 0) << what << ": " << o.err;
    EXPECT_EQ(slurp(victim), "precious\n") << what;
    EXPECT_FALSE(fs::is_symlink(link)) << what;
    EXPECT_FALSE(slurp(link).empty()) << what;
    for (const auto& f : {out, dangling, link}) fs::remove(f);
  }
  // No temporary file is left beside the outputs.
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_NE(e.path().filename().string()[0], '.') << e.path();
}

TEST_F(Hostile, HtmlAndSvgShowMarkupFromTheScenarioAsText) {
  std::string html = dir_ + "/report.html", svg = dir_ + "/gantt.svg", tree = dir_ + "/tree.dot";
  ASSERT_EQ(run({"report", hostile("markup_in_names.json"), "-o", html}).exit_code, 0);
  ASSERT_EQ(run({"run", hostile("markup_in_names.json"), "--gantt", svg}).exit_code, 0);
  for (const auto& path : {html, svg}) {
    std::string text = slurp(path);
    // Every scenario string is there, escaped; none of its markup is.
    EXPECT_EQ(text.find("<script>document"), std::string::npos) << path;
    EXPECT_EQ(text.find("<img"), std::string::npos) << path;
    EXPECT_EQ(text.find("<b onmouseover"), std::string::npos) << path;
    EXPECT_EQ(text.find("\" onload=\""), std::string::npos) << path;
    EXPECT_NE(
        text.find(
            "&lt;b onmouseover=&quot;document.title='pwned-by-process'&quot;&gt;bold&lt;/b&gt;"),
        std::string::npos)
        << path;
  }
  std::string page = slurp(html);
  EXPECT_NE(page.find("&lt;script&gt;document.title='pwned-by-print'&lt;/script&gt;"),
            std::string::npos);
  EXPECT_NE(
      page.find(
          "&lt;img src=x onerror=&quot;document.title='pwned-by-img'&quot;&gt; &quot;' &amp; done"),
      std::string::npos);
}

TEST_F(Hostile, LimitsAreRaisedOnTheCommandLineAndReportedExactly) {
  std::string path = write_scenario("endless.json", R"({
    "name": "endless", "machine": { "cores": 1, "scheduler": "fcfs" },
    "programs": { "main": [ { "while": "true", "do": [ { "compute": 1 } ] } ] },
    "processes": [ { "name": "main{index}", "program": "main", "count": 2 } ]
  })");
  // Known at load: refused, exit 2.
  Outcome few = run({"run", path, "--max-processes", "1"});
  EXPECT_EQ(few.exit_code, 2);
  EXPECT_EQ(few.err,
            "error: " + path +
                ": the scenario starts 2 processes, above the limit of 1 (--max-processes)\n");
  Outcome zero = run({"run", path, "--max-ticks", "0"});
  EXPECT_EQ(zero.exit_code, 2);
  // Known at run time: the run stops, marked, exit 4.
  Outcome ticks = run({"run", path, "--max-ticks", "5", "--format", "json"});
  EXPECT_EQ(ticks.exit_code, 4) << ticks.err;
  EXPECT_EQ(
      ticks.result["stopped"],
      json({{"tick", 5}, {"reason", "simulated-time limit of 5 ticks reached (--max-ticks)"}}));
  Outcome text = run({"run", path, "--max-ticks", "5"});
  EXPECT_EQ(text.exit_code, 4);
  EXPECT_NE(
      text.out.find("STOPPED at tick 5: simulated-time limit of 5 ticks reached (--max-ticks)\n"),
      std::string::npos)
      << text.out;
}

}  // namespace
