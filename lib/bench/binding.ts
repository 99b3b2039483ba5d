/** native/binding/bench.cc: filled in by the benchmark's native reference. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface BenchBinding {}
