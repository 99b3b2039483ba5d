// The outcome of a VFIO operation: success, or a stable error code (the same codes lib/errors.ts lists)
// with a message that says what to do, plus errno and the failed system call when there was one.
#pragma once
#include <string>

namespace tsnic {

struct VfioStatus {
  const char* code = nullptr;  // nullptr on success
  std::string message;
  int err = 0;
  const char* syscall = nullptr;

  bool ok() const { return code == nullptr; }

  static VfioStatus Ok() { return VfioStatus(); }
  static VfioStatus Fail(const char* code, std::string message, int err = 0, const char* syscall = nullptr) {
    VfioStatus s;
    s.code = code;
    s.message = std::move(message);
    s.err = err;
    s.syscall = syscall;
    return s;
  }
};

}  // namespace tsnic
