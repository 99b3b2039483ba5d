// The IOVA allocator on its own (built and run by test/unit/iova-allocator.test.ts): first fit inside
// the kernel's ranges, alignment, and every released block reusable whatever the order of release.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "vfio/iova_allocator.h"

using tsnic::IovaAllocator;

static int failures = 0;
#define CHECK(cond)                                               \
  do {                                                            \
    if (!(cond)) {                                                \
      std::printf("FAIL line %d: %s\n", __LINE__, #cond);         \
      failures++;                                                 \
    }                                                             \
  } while (0)

int main() {
  constexpr uint64_t kMiB = 1ull << 20;
  IovaAllocator a;
  // Two ranges, the first partly below the 1 GiB floor; a hole between them.
  a.Reset({{0, (1ull << 30) + 8 * kMiB - 1}, {(1ull << 30) + 16 * kMiB, (1ull << 30) + 32 * kMiB - 1}});
  CHECK(a.FreeBytes() == 24 * kMiB);
  uint64_t x = 0, y = 0, z = 0, w = 0;
  CHECK(a.Allocate(4 * kMiB, 2 * kMiB, &x) && x == (1ull << 30));
  CHECK(a.Allocate(4 * kMiB, 2 * kMiB, &y) && y == (1ull << 30) + 4 * kMiB);
  CHECK(a.Allocate(4 * kMiB, 2 * kMiB, &z) && z == (1ull << 30) + 16 * kMiB);  // skips the hole
  CHECK(!a.Allocate(16 * kMiB, 4096, &w));                                       // no block that large
  // Release the oldest first (the old bump allocator reclaimed only the newest block).
  a.Release(x, 4 * kMiB);
  CHECK(a.Allocate(4 * kMiB, 2 * kMiB, &w) && w == x);
  a.Release(w, 4 * kMiB);
  a.Release(y, 4 * kMiB);
  CHECK(a.Allocate(8 * kMiB, 2 * kMiB, &w) && w == x);  // the two released blocks merged
  a.Release(w, 8 * kMiB);
  a.Release(z, 4 * kMiB);
  CHECK(a.FreeBytes() == 24 * kMiB);
  // Alignment inside a block whose start is not aligned.
  CHECK(a.Allocate(4096, 4096, &x) && x == (1ull << 30));
  CHECK(a.Allocate(2 * kMiB, 2 * kMiB, &y) && y == (1ull << 30) + 2 * kMiB);
  a.Release(x, 4096);
  a.Release(y, 2 * kMiB);
  CHECK(a.FreeBytes() == 24 * kMiB);
  // Random churn: allocations never overlap, and everything comes back.
  std::mt19937_64 rng(12345);
  struct Block { uint64_t at, size; };
  std::vector<Block> live;
  for (int i = 0; i < 20000; i++) {
    if (live.empty() || rng() % 2 == 0) {
      const uint64_t size = (1 + rng() % 64) * 4096;
      const uint64_t align = (rng() % 4 == 0) ? 2 * kMiB : 4096;
      uint64_t at = 0;
      if (!a.Allocate(size, align, &at)) continue;
      CHECK(at % align == 0);
      for (const Block& b : live) CHECK(at + size <= b.at || b.at + b.size <= at);
      live.push_back({at, size});
    } else {
      const size_t k = rng() % live.size();
      a.Release(live[k].at, live[k].size);
      live[k] = live.back();
      live.pop_back();
    }
  }
  for (const Block& b : live) a.Release(b.at, b.size);
  CHECK(a.FreeBytes() == 24 * kMiB);
  std::printf(failures == 0 ? "iova allocator: all checks passed\n" : "iova allocator: %d failures\n", failures);
  return failures == 0 ? 0 : 1;
}
