// The VFIO IOVA allocator (native/vfio/iova_allocator.cc) built on its own with g++ and run: first fit
// inside the IOMMU's ranges, alignment, and reuse of every released block in any order.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';

const root = join(__dirname, '..', '..');

t.test('the IOVA allocator reuses released space whatever the order of release', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsnic-iova-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const exe = join(dir, 'iova-test');
  execFileSync('g++', ['-std=c++17', '-O1', '-Wall', '-Wextra', '-I', join(root, 'native'),
    join(root, 'native/vfio/iova_allocator.cc'), join(root, 'test/native/iova_allocator_test.cc'), '-o', exe]);
  const out = execFileSync(exe, { encoding: 'utf8' });
  t.match(out, /iova allocator: all checks passed/);
});
