// N-API glue for filter compilation (pcap/filter_compiler.h):
// pcapCompile(library, expression, linktype, snaplen) -> Uint32Array of [code, jt, jf, k] per instruction.
#include "binding/addon.h"
#include "pcap/filter_compiler.h"

namespace tsnic {

static Napi::Value PcapCompile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsString() || !info[1].IsString() || !info[2].IsNumber() || !info[3].IsNumber()) {
    throw MakeError(env, "ERR_INVALID_ARG", "pcapCompile(library: string, expression: string, linktype: number, snaplen: number)");
  }
  const FilterResult r = CompileFilter(info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::String>().Utf8Value(),
                                       info[2].As<Napi::Number>().Int32Value(), info[3].As<Napi::Number>().Int32Value());
  if (r.code != nullptr) throw MakeError(env, r.code, r.message);
  Napi::Uint32Array out = Napi::Uint32Array::New(env, r.program.size() * 4);
  for (size_t i = 0; i < r.program.size(); i++) {
    out[i * 4] = r.program[i].code;
    out[i * 4 + 1] = r.program[i].jt;
    out[i * 4 + 2] = r.program[i].jf;
    out[i * 4 + 3] = r.program[i].k;
  }
  return out;
}

void InitPcap(Napi::Env env, Napi::Object exports) {
  exports.Set("pcapCompile", Napi::Function::New(env, PcapCompile, "pcapCompile"));
}

}  // namespace tsnic
