// The hugepage policy with an injected allocator: hugepages first, the fallback and its one warning,
// 'require' and 'never'.
import t from 'tap';
import { allocHostDma, HUGEPAGE_FALLBACK_WARNING, type HostAllocator } from '../../lib/bus/dma';
import type { HostMemory } from '../../lib/bus/native';
import type { HugepagePolicy } from '../../lib/bus/types';

/** An allocator whose hugepage pool holds `hugePages` 2 MiB pages; records every call. */
function allocator(hugePages: number): { allocate: HostAllocator; calls: string[] } {
  const calls: string[] = [];
  let free = hugePages;
  const allocate: HostAllocator = (size, huge): HostMemory => {
    calls.push(`${size} ${huge ? 'huge' : 'small'}`);
    const unit = huge ? 2 << 20 : 4096;
    const rounded = Math.ceil(size / unit) * unit;
    if (huge) {
      if (rounded / unit > free) {
        throw Object.assign(new Error('no free 2 MiB hugepages'), { code: 'ERR_HUGEPAGES_EXHAUSTED' });
      }
      free -= rounded / unit;
    }
    return { bytes: new ArrayBuffer(0), address: 0, size: rounded, huge };
  };
  return { allocate, calls };
}

const warnings: Error[] = [];
process.on('warning', (w) => warnings.push(w));
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

t.test("'prefer' takes hugepages while the pool has them, without a warning", async (t) => {
  const { allocate, calls } = allocator(2);
  t.match(allocHostDma(3 << 20, 'prefer', allocate), { huge: true, size: 4 << 20 });
  await settle();
  t.same(calls, [`${3 << 20} huge`]);
  t.equal(warnings.length, 0);
});

t.test("'prefer' falls back to ordinary pages, with ONE process warning saying how to reserve hugepages", async (t) => {
  const { allocate, calls } = allocator(0);
  t.match(allocHostDma(8192, undefined, allocate), { huge: false, size: 8192 }, "'prefer' is the default");
  t.match(allocHostDma(4096, 'prefer', allocate), { huge: false });
  await settle();
  t.same(calls, ['8192 huge', '8192 small', '4096 huge', '4096 small']);
  t.equal(warnings.length, 1, 'one warning for the whole process');
  t.match(warnings[0], { name: 'TsnicWarning', code: HUGEPAGE_FALLBACK_WARNING });
  t.match(warnings[0].message, /tsnic hugepages --pages/);
  t.match(warnings[0].message, /nr_hugepages/);
});

t.test("'require' throws ERR_HUGEPAGES_EXHAUSTED and never takes ordinary pages", async (t) => {
  const { allocate, calls } = allocator(1);
  t.match(allocHostDma(2 << 20, 'require', allocate), { huge: true });
  t.throws(() => allocHostDma(2 << 20, 'require', allocate), { code: 'ERR_HUGEPAGES_EXHAUSTED' });
  t.same(calls, [`${2 << 20} huge`, `${2 << 20} huge`]);
});

t.test("'never' takes ordinary pages only", async (t) => {
  const { allocate, calls } = allocator(10);
  t.match(allocHostDma(4096, 'never', allocate), { huge: false });
  t.same(calls, ['4096 small']);
});

t.test('other allocation failures are not hidden by the fallback', async (t) => {
  const allocate: HostAllocator = () => {
    throw Object.assign(new Error('mmap failed'), { code: 'ERR_DMA_ALLOC' });
  };
  t.throws(() => allocHostDma(4096, 'prefer', allocate), { code: 'ERR_DMA_ALLOC' });
});

t.test('size and policy are validated before allocating', async (t) => {
  const { allocate, calls } = allocator(10);
  for (const size of [0, -1, 1.5, NaN, 2 ** 37]) t.throws(() => allocHostDma(size, 'prefer', allocate), { code: 'ERR_INVALID_ARG' }, String(size));
  t.throws(() => allocHostDma(4096, 'sometimes' as HugepagePolicy, allocate), { code: 'ERR_INVALID_ARG', message: /prefer, require or never/ });
  t.same(calls, []);
});

t.test('the real allocator: ordinary pages are zeroed and sized to the page', async (t) => {
  const { native } = await import('../../lib/bus/native');
  const mem = allocHostDma(100, 'never');
  t.teardown(() => native.freeHostMemory(mem.bytes));
  t.equal(mem.huge, false);
  t.equal(mem.size % 4096, 0);
  t.ok(new Uint8Array(mem.bytes).every((b) => b === 0), 'zero-filled');
});
