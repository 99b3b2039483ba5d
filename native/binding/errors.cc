// MakeError (binding/addon.h), linked into both addons.
#include "binding/addon.h"

namespace tsnic {

Napi::Error MakeError(Napi::Env env, const char* code, const std::string& message, int err,
                      const char* syscall) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  if (err != 0) e.Set("errno", Napi::Number::New(env, err));
  if (syscall != nullptr) e.Set("syscall", Napi::String::New(env, syscall));
  return e;
}

}  // namespace tsnic
