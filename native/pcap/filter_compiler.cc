// libpcap through dlopen(): pcap_open_dead() gives a handle with a link type and a snapshot length and
// no capture device, pcap_compile() turns the expression into a struct bpf_program, which is copied
// out and released with pcap_freecode(). The prototypes and structs below are libpcap's public ABI
// (pcap/pcap.h, pcap/bpf.h), stable since libpcap 0.8, declared here so that no -dev package is needed.
#include "pcap/filter_compiler.h"

#include <dlfcn.h>

#include <map>
#include <mutex>

namespace tsnic {
namespace {

// struct bpf_program { u_int bf_len; struct bpf_insn *bf_insns; }
struct BpfProgram {
  unsigned int bf_len;
  BpfInsn* bf_insns;
};

// pcap_t is opaque.
struct PcapHandle;

// PCAP_NETMASK_UNKNOWN: "ip broadcast" then fails to compile instead of using a wrong netmask.
constexpr uint32_t kNetmaskUnknown = 0xffffffff;

struct Libpcap {
  void* handle = nullptr;
  PcapHandle* (*open_dead)(int linktype, int snaplen) = nullptr;
  int (*compile)(PcapHandle*, BpfProgram*, const char*, int optimize, uint32_t netmask) = nullptr;
  void (*freecode)(BpfProgram*) = nullptr;
  char* (*geterr)(PcapHandle*) = nullptr;
  void (*close)(PcapHandle*) = nullptr;
  std::string error;  // why it could not be loaded
};

std::mutex g_mutex;
// Each library loaded once and kept for the life of the process (a failed load is remembered too).
std::map<std::string, Libpcap> g_loaded;

template <typename F>
bool Bind(Libpcap& lib, F& fn, const char* name) {
  fn = reinterpret_cast<F>(dlsym(lib.handle, name));
  if (fn == nullptr) lib.error = std::string(name) + " is missing from it";
  return fn != nullptr;
}

Libpcap& Load(const std::string& library) {
  auto found = g_loaded.find(library);
  if (found != g_loaded.end()) return found->second;
  Libpcap& lib = g_loaded[library];
  lib.handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (lib.handle == nullptr) {
    const char* why = dlerror();
    lib.error = why == nullptr ? "dlopen failed" : why;
    return lib;
  }
  if (!Bind(lib, lib.open_dead, "pcap_open_dead") || !Bind(lib, lib.compile, "pcap_compile") ||
      !Bind(lib, lib.freecode, "pcap_freecode") || !Bind(lib, lib.geterr, "pcap_geterr") ||
      !Bind(lib, lib.close, "pcap_close")) {
    dlclose(lib.handle);
    lib.handle = nullptr;
  }
  return lib;
}

}  // namespace

FilterResult CompileFilter(const std::string& library, const std::string& expression, int linktype, int snaplen) {
  std::lock_guard<std::mutex> lock(g_mutex);
  FilterResult result;
  Libpcap& lib = Load(library);
  if (lib.handle == nullptr) {
    result.code = "ERR_LIBPCAP";
    result.message = "capture filters need libpcap, which could not be loaded (" + library + ": " + lib.error +
                     "): install libpcap0.8: apt-get install libpcap0.8";
    return result;
  }
  PcapHandle* p = lib.open_dead(linktype, snaplen);
  if (p == nullptr) {
    result.code = "ERR_LIBPCAP";
    result.message = "pcap_open_dead failed (out of memory?): retry, or run without a filter";
    return result;
  }
  BpfProgram prog{0, nullptr};
  if (lib.compile(p, &prog, expression.c_str(), 1, kNetmaskUnknown) != 0) {
    result.code = "ERR_INVALID_ARG";
    result.message = lib.geterr(p);
  } else {
    result.program.assign(prog.bf_insns, prog.bf_insns + prog.bf_len);
    lib.freecode(&prog);
  }
  lib.close(p);
  return result;
}

}  // namespace tsnic
