#pragma once
/// Programs compiled to a flat instruction list: structured `if`/`repeat`/`while`
/// become jumps, so a process's position is one index and pausing at any
/// time-consuming operation is trivial.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "mpsim/model/expr.hpp"

namespace mpsim {

enum class OpCode : std::uint8_t {
  // time-consuming
  Compute, Io, Sleep, Yield,
  // zero-time
  Set, Print, Jump, JumpIfFalse, RepeatInit, RepeatNext,
  Create, Start, Spawn, SetDaemon, Join, Terminate, Kill, IsAlive, GetPid, GetPpid,
  Exit, Read, Write,
  Assert,  ///< condition must hold, else the process fails (semantics.md §3)
  // synchronisation objects (semantics.md §7); Acquire, Wait, Put and Get may block
  Acquire, Release, SetEvent, ClearEvent, IsSet, Wait, Notify, NotifyAll, Put, Get, QSize,
  // process pools (semantics.md §13); Instr::obj names the pool. Apply, Map,
  // GetResult, WaitResult, Next, JoinPool and the internal PoolWork may block.
  CreatePool, Apply, ApplyAsync, Map, MapAsync, Imap, ImapUnordered, GetResult, WaitResult,
  Ready, Next, ClosePool, JoinPool, TerminatePool, Return, PoolWork,
  // shared values and arrays (semantics.md §14): a read or write of one element
  Load, Store,
  // pipes (semantics.md §14); Send and Recv may block, Poll with a timeout too
  Send, Recv, Poll, ClosePipe,
  End,
};

const char* to_string(OpCode op);

/// Operations on a synchronisation object (Instr::obj names it).
inline bool is_sync_op(OpCode op) { return op >= OpCode::Acquire && op <= OpCode::QSize; }
/// Operations of process pools (Return included: it ends a pool task).
inline bool is_pool_op(OpCode op) { return op >= OpCode::CreatePool && op <= OpCode::PoolWork; }

/// One instruction. Which fields are used depends on `op` (see comments).
struct Instr {
  OpCode op = OpCode::End;
  Expr amount;           ///< Compute/Io/Sleep ticks, Repeat count, Exit code, Join timeout,
                         ///< Set/Write/Put value, Notify count
  Expr handle;           ///< Start/SetDaemon/Join/Terminate/Kill/IsAlive: the child handle
  Expr condition;        ///< JumpIfFalse
  Template text;         ///< Print
  Template child_name;   ///< Create/Spawn: optional name (empty() when absent)
  bool has_child_name = false;
  bool daemon = false;   ///< Create/Spawn: start as a daemon; SetDaemon: the value
  bool has_timeout = false;
  Expr timeout;          ///< synchronisation waits with has_timeout (Join keeps it in `amount`)
  std::string target;    ///< Set/Read/IsAlive/GetPid/GetPpid/Create/Spawn, sync ops: variable ("into");
  std::string flag;      ///< Put/Get: variable told whether it succeeded ("ok"); "" = none
  std::string object;    ///< Create/Spawn: program; Read/Write: "file.key"; sync ops: object name
  std::int32_t obj = -1; ///< sync ops: index into Scenario::objects
  std::vector<std::pair<std::string, Expr>> args;  ///< Create/Spawn: child arguments
  std::int32_t jump = -1;  ///< Jump/JumpIfFalse/RepeatNext: target index
  std::int32_t slot = -1;  ///< RepeatInit/RepeatNext: loop counter slot
  /// Pipe operations: `obj` is the queue the operation uses (Send: the one the
  /// other end receives from; Recv/Poll/ClosePipe: the end's own), `other` the
  /// end's second queue (-1: none, on a one-way pipe). Load/Store: `handle`
  /// holds the index of an array element, `object` the value or array name.
  std::int32_t other = -1;
  std::string path;        ///< JSON path of the operation in the scenario, for messages
  std::string callback;        ///< ApplyAsync/MapAsync: program run on success ("" = none)
  std::string error_callback;  ///< ApplyAsync/MapAsync: program run on failure ("" = none)
};

/// A program: defined once, shared (not copied) by every process that runs it.
struct Program {
  std::string name;
  std::vector<Instr> code;  ///< always ends with OpCode::End
  std::int32_t loop_slots = 0;
  /// Its operations come from an ExternalDriver (mpsim/kernel/external.hpp)
  /// whenever a process running it reaches End.
  bool external = false;
};

}  // namespace mpsim
