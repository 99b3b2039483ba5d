/** `tsnic hugepages`: show and set the 2 MiB hugepage pool DMA memory comes from. */
import fs from 'node:fs';
import { TsnicError } from '../errors';
import { flagOption, numberOption } from './args';
import type { Command } from './command';

/** Where the kernel exposes the 2 MiB pool, below sysfs. */
const POOL_PATH = 'kernel/mm/hugepages/hugepages-2048kB';
const POOL_DIR = `/sys/${POOL_PATH}`;

/** The 2 MiB hugepage pool. */
export interface HugepagePool {
  /** Pages reserved (nr_hugepages). */
  total: number;
  /** Pages not in use (free_hugepages). */
  free: number;
}

function readCount(dir: string, name: string): number {
  try {
    return Number(fs.readFileSync(`${dir}/${name}`, 'utf8').trim());
  } catch (err) {
    throw new TsnicError(
      'ERR_SYSFS',
      `cannot read ${dir}/${name} (${(err as NodeJS.ErrnoException).code ?? 'error'}): this kernel has no 2 MiB hugepage support; ` +
        'tsnic falls back to ordinary pages',
      { cause: err },
    );
  }
}

/** Reads the pool from `dir` (default the kernel's). */
export function readHugepages(dir = POOL_DIR): HugepagePool {
  return { total: readCount(dir, 'nr_hugepages'), free: readCount(dir, 'free_hugepages') };
}

/** Asks the kernel for `pages` hugepages in total; returns the pool it actually made (it may give fewer). */
export function setHugepages(pages: number, dir = POOL_DIR): HugepagePool {
  try {
    fs.writeFileSync(`${dir}/nr_hugepages`, `${pages}\n`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new TsnicError('ERR_PERMISSION', `cannot write ${dir}/nr_hugepages (${code}): run as root: sudo tsnic hugepages --pages ${pages}`, {
        cause: err,
      });
    }
    throw new TsnicError('ERR_SYSFS', `cannot write ${dir}/nr_hugepages (${code ?? 'error'}): check that hugepages are supported`, { cause: err });
  }
  return readHugepages(dir);
}

function describe(pool: HugepagePool): string {
  return `2 MiB hugepages: ${pool.total} reserved (${pool.total * 2} MiB), ${pool.free} free`;
}

/** The hugepages subcommand. */
export const hugepagesCommand: Command = {
  spec: {
    name: 'hugepages',
    summary: 'Show the 2 MiB hugepage pool, or set its size with --pages',
    positionals: [],
    options: [
      { name: 'pages', kind: 'integer', value: 'N', min: 0, max: 1048576, help: 'Reserve N pages in total (needs root)' },
      {
        name: 'json', kind: 'flag',
        help: 'One JSON object: {"page_kib":2048,"total":N,"free":N,"total_mib":N}, with "requested":N after --pages',
      },
    ],
    notes: [
      'tsnic allocates rings and packet buffers from 2 MiB hugepages when there are free ones (fewer TLB',
      'misses, physically contiguous buffers), and from ordinary locked pages otherwise, with a warning.',
      'A 512-descriptor port with its mempool needs about 8 MiB: 4 to 16 pages per port is plenty.',
      'To keep them across reboots: vm.nr_hugepages = N in /etc/sysctl.d/, or hugepages=N on the kernel command line.',
    ],
    examples: ['tsnic hugepages', 'tsnic hugepages --json', 'sudo tsnic hugepages --pages 64'],
  },
  async run(args, io) {
    const dir = io.roots?.sys === undefined ? POOL_DIR : `${io.roots.sys}/${POOL_PATH}`;
    const pages = numberOption(args, 'pages');
    const report = (pool: HugepagePool): void => {
      if (!flagOption(args, 'json')) io.stdout.write(`${describe(pool)}\n`);
      else {
        const record = { page_kib: 2048, total: pool.total, free: pool.free, total_mib: pool.total * 2, ...(pages === undefined ? {} : { requested: pages }) };
        io.stdout.write(`${JSON.stringify(record)}\n`);
      }
    };
    if (pages === undefined) {
      report(readHugepages(dir));
      return 0;
    }
    const pool = setHugepages(pages, dir);
    report(pool);
    if (pool.total < pages) {
      io.stderr.write(`tsnic: the kernel reserved only ${pool.total} of ${pages} pages (memory is fragmented): free memory or reboot with hugepages=${pages}\n`);
      return 1;
    }
    return 0;
  },
};
