/**
 * Heap measurement for the benchmark: heapUsed after a forced full garbage collection. Uses `gc` when
 * node runs with --expose-gc, and otherwise enables it at start-up through V8's flags (so
 * `npm run bench` needs no extra node option).
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let collect: (() => void) | undefined;

function gcFunction(): () => void {
  if (collect !== undefined) return collect;
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') {
    collect = existing;
  } else {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  return collect;
}

/** heapUsed in bytes after two forced full collections (the second picks up what finalizers freed). */
export function settledHeapUsed(): number {
  const gc = gcFunction();
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
