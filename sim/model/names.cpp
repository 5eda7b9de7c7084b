// Names of enums as users see them in reports, JSON and errors.
#include "mpsim/model/program.hpp"
#include "mpsim/model/result.hpp"

namespace mpsim {

const char* to_string(ProcState s) {
  switch (s) {
    case ProcState::New: return "new";
    case ProcState::Ready: return "ready";
    case ProcState::Running: return "running";
    case ProcState::Blocked: return "blocked";
    case ProcState::Zombie: return "zombie";
    case ProcState::Reaped: return "reaped";
  }
  return "?";
}

const char* to_string(BlockReason r) {
  switch (r) {
    case BlockReason::None: return "none";
    case BlockReason::Io: return "io";
    case BlockReason::Sleep: return "sleep";
    case BlockReason::Join: return "join";
    case BlockReason::Lock: return "lock";
    case BlockReason::Semaphore: return "semaphore";
    case BlockReason::Event: return "event";
    case BlockReason::Barrier: return "barrier";
    case BlockReason::Condition: return "condition";
    case BlockReason::Queue: return "queue";
  }
  return "?";
}

const char* to_string(SyncKind k) {
  switch (k) {
    case SyncKind::Lock: return "lock";
    case SyncKind::RLock: return "rlock";
    case SyncKind::Semaphore: return "semaphore";
    case SyncKind::Event: return "event";
    case SyncKind::Barrier: return "barrier";
    case SyncKind::Condition: return "condition";
    case SyncKind::Queue: return "queue";
  }
  return "?";
}

const char* to_string(SyncOp op) {
  switch (op) {
    case SyncOp::Read: return "read";
    case SyncOp::Write: return "write";
    case SyncOp::Acquire: return "acquire";
    case SyncOp::Release: return "release";
    case SyncOp::Put: return "put";
    case SyncOp::Get: return "get";
    case SyncOp::Set: return "set";
    case SyncOp::Wake: return "wake";
    case SyncOp::Arrive: return "arrive";
    case SyncOp::Pass: return "pass";
    case SyncOp::Notify: return "notify";
    case SyncOp::Notified: return "notified";
  }
  return "?";
}

BlockReason block_reason(SyncKind k) {
  switch (k) {
    case SyncKind::Lock:
    case SyncKind::RLock: return BlockReason::Lock;
    case SyncKind::Semaphore: return BlockReason::Semaphore;
    case SyncKind::Event: return BlockReason::Event;
    case SyncKind::Barrier: return BlockReason::Barrier;
    case SyncKind::Condition: return BlockReason::Condition;
    case SyncKind::Queue: return BlockReason::Queue;
  }
  return BlockReason::None;
}

std::string quoted(const SyncObject& o) {
  return std::string(o.pipe_end ? "pipe end" : to_string(o.kind)) + " `" + o.name + "`";
}

const char* to_string(CoreStatus s) {
  switch (s) {
    case CoreStatus::Idle: return "idle";
    case CoreStatus::Switching: return "switching";
    case CoreStatus::Running: return "running";
    case CoreStatus::Held: return "held";
  }
  return "?";
}

const char* to_string(OpCode op) {
  switch (op) {
    case OpCode::Compute: return "compute";
    case OpCode::Io: return "io";
    case OpCode::Sleep: return "sleep";
    case OpCode::Yield: return "yield";
    case OpCode::Set: return "set";
    case OpCode::Print: return "print";
    case OpCode::Jump: return "jump";
    case OpCode::JumpIfFalse: return "if";
    case OpCode::RepeatInit: return "repeat";
    case OpCode::RepeatNext: return "repeat";
    case OpCode::Create: return "create";
    case OpCode::Start: return "start";
    case OpCode::Spawn: return "spawn";
    case OpCode::SetDaemon: return "set_daemon";
    case OpCode::Join: return "join";
    case OpCode::Terminate: return "terminate";
    case OpCode::Kill: return "kill";
    case OpCode::IsAlive: return "is_alive";
    case OpCode::GetPid: return "getpid";
    case OpCode::GetPpid: return "getppid";
    case OpCode::Exit: return "exit";
    case OpCode::Read: return "read";
    case OpCode::Write: return "write";
    case OpCode::Assert:
      return "assert";
    case OpCode::Acquire: return "acquire";
    case OpCode::Release: return "release";
    case OpCode::SetEvent: return "set_event";
    case OpCode::ClearEvent: return "clear_event";
    case OpCode::IsSet: return "is_set";
    case OpCode::Wait: return "wait";
    case OpCode::Notify: return "notify";
    case OpCode::NotifyAll: return "notify_all";
    case OpCode::Put: return "put";
    case OpCode::Get: return "get";
    case OpCode::QSize: return "qsize";
    case OpCode::CreatePool: return "create_pool";
    case OpCode::Apply: return "apply";
    case OpCode::ApplyAsync: return "apply_async";
    case OpCode::Map: return "map";
    case OpCode::MapAsync: return "map_async";
    case OpCode::Imap: return "imap";
    case OpCode::ImapUnordered: return "imap_unordered";
    case OpCode::GetResult: return "get_result";
    case OpCode::WaitResult: return "wait_result";
    case OpCode::Ready: return "ready";
    case OpCode::Next: return "next";
    case OpCode::ClosePool: return "close_pool";
    case OpCode::JoinPool: return "join_pool";
    case OpCode::TerminatePool: return "terminate_pool";
    case OpCode::Return: return "return";
    case OpCode::PoolWork: return "pool_work";
    case OpCode::Load: return "load";
    case OpCode::Store: return "store";
    case OpCode::Send: return "send";
    case OpCode::Recv: return "recv";
    case OpCode::Poll: return "poll";
    case OpCode::ClosePipe: return "close";
    case OpCode::End: return "end";
  }
  return "?";
}

}  // namespace mpsim
