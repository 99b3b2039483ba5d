// Compiling a tcpdump filter expression to classic BPF with libpcap, loaded at run time with dlopen()
// so that building tsnic needs no libpcap headers and running it needs libpcap only for filters.
// Plain C++: binding/pcap.cc is the N-API glue.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace tsnic {

// One classic BPF instruction, as struct bpf_insn lays it out (libpcap's stable ABI, <pcap/bpf.h>).
struct BpfInsn {
  uint16_t code;
  uint8_t jt;
  uint8_t jf;
  uint32_t k;
};
static_assert(sizeof(BpfInsn) == 8, "struct bpf_insn is 8 bytes");

// The result of CompileFilter: the program, or an error code (lib/errors.ts) and a message that says
// what to do.
struct FilterResult {
  std::vector<BpfInsn> program;
  const char* code = nullptr;  // nullptr on success
  std::string message;
};

// Compiles `expression` for `linktype` (DLT_EN10MB = 1) frames captured up to `snaplen` bytes, with
// libpcap's optimizer, using the libpcap shared object `library` (a file name dlopen() resolves).
// Thread-safe (one compile at a time).
FilterResult CompileFilter(const std::string& library, const std::string& expression, int linktype, int snaplen);

}  // namespace tsnic
