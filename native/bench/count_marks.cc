// See count_marks.h.
#include "bench/count_marks.h"

extern "C" {
// The empty asm keeps the compiler from folding the calls away; noinline keeps a symbol callgrind can hook.
__attribute__((noinline, used, visibility("default"))) void tsnic_count_begin() { __asm__ volatile(""); }
__attribute__((noinline, used, visibility("default"))) void tsnic_count_end() { __asm__ volatile(""); }
}
