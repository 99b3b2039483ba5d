// Markers for counting instructions under Valgrind's callgrind (docs/benchmark.md, "Instructions per
// packet"): two empty functions that do nothing when run normally. The benchmark's counting run starts
// callgrind with --zero-before=tsnic_count_begin --dump-before=tsnic_count_end, so the dump holds exactly
// the instructions executed between the two calls, with the model's passes (tsnic::sim::SimStep)
// broken out by callgrind's inclusive costs. Plain C symbols, never inlined, so callgrind finds them by
// name without any valgrind header at build time.
#pragma once

extern "C" {
// Called just before the measured loop.
void tsnic_count_begin();
// Called just after it.
void tsnic_count_end();
}
