/**
 * Reading Valgrind callgrind dumps (the "callgrind format" of Valgrind's manual, with only the `Ir`
 * event): the total instructions of a dump, the inclusive instructions of every call to a named
 * function, and each function's self instructions, with JIT code named through V8's perf map
 * (`node --perf-basic-prof` writes /tmp/perf-<pid>.map). docs/benchmark.md, "Instructions per packet",
 * says how the benchmark uses them.
 */

/** What one callgrind dump says. */
export interface CallgrindDump {
  /** Instructions executed in the dump's time range (its `summary:` line). */
  total: number;
  /** Inclusive instructions of the calls to each called function, summed over its call sites, by name. */
  inclusiveByCallee: Map<string, number>;
  /**
   * Self instructions of each function (its cost lines, without the calls it makes), by name as the
   * dump gives it: a symbol, or for code without one (V8's JIT code) its address, `0x…`.
   */
  selfByFunction: Map<string, number>;
}

/** The name behind a compressed `(id) name` or `(id)` reference, defining it when the name is given. */
function resolveName(spec: string, names: Map<string, string>): string {
  const m = /^\((\d+)\)(?: (.*))?$/.exec(spec);
  if (m === null) return spec;
  if (m[2] !== undefined) {
    names.set(m[1], m[2]);
    return m[2];
  }
  return names.get(m[1]) ?? spec;
}

/**
 * Parses the text of one callgrind dump. Throws when it has no `summary:` line (not a callgrind dump,
 * or one cut short) or records an event other than `Ir` first.
 */
export function parseCallgrind(text: string): CallgrindDump {
  const names = new Map<string, string>();
  const inclusiveByCallee = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  let total: number | undefined;
  let fn: string | undefined;
  let callee: string | undefined;
  let costOfCall = false;
  for (const line of text.split('\n')) {
    if (costOfCall) {
      // The line after `calls=`: position(s), then the call's inclusive cost of each event.
      costOfCall = false;
      const ir = Number(line.trim().split(/\s+/)[1] ?? 'NaN');
      if (callee !== undefined && Number.isFinite(ir)) inclusiveByCallee.set(callee, (inclusiveByCallee.get(callee) ?? 0) + ir);
      continue;
    }
    if (line.startsWith('cfn=')) {
      callee = resolveName(line.slice(4), names);
    } else if (line.startsWith('fn=')) {
      fn = resolveName(line.slice(3), names);
    } else if (fn !== undefined && /^[0-9+\-*]/.test(line)) {
      // A cost line of the current function: position(s), then Ir.
      const ir = Number(line.trim().split(/\s+/)[1] ?? 'NaN');
      if (Number.isFinite(ir)) selfByFunction.set(fn, (selfByFunction.get(fn) ?? 0) + ir);
    } else if (line.startsWith('calls=')) {
      costOfCall = true;
    } else if (line.startsWith('summary:')) {
      total = Number(line.slice(8).trim().split(/\s+/)[0]);
    } else if (line.startsWith('events:')) {
      const first = line.slice(7).trim().split(/\s+/)[0];
      if (first !== 'Ir') throw new Error(`callgrind dump counts ${first} first, not Ir: run callgrind without cache or branch simulation`);
    }
  }
  if (total === undefined || !Number.isFinite(total)) throw new Error('not a complete callgrind dump (no summary: line): the counting run was cut short');
  return { total, inclusiveByCallee, selfByFunction };
}

/** Inclusive instructions of every call to a function whose name starts with `prefix` (a C++ name without its parameter list). */
export function inclusiveOf(dump: CallgrindDump, prefix: string): number {
  let sum = 0;
  for (const [name, ir] of dump.inclusiveByCallee) if (name === prefix || name.startsWith(`${prefix}(`)) sum += ir;
  return sum;
}

/** One code object of a perf map: `[start, start + size)` named `name`. */
export interface PerfMapEntry {
  start: number;
  size: number;
  name: string;
}

/**
 * Parses a perf map (`<hex start> <hex size> <name>` per line), sorted by start. V8 names its optimized
 * (TurboFan) code `JS:*<function> <file>:<line>:<column>`, baseline code `JS:^…`, and interpreted
 * frames `JS:~…`.
 */
export function parsePerfMap(text: string): PerfMapEntry[] {
  const out: PerfMapEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-fA-F]+) ([0-9a-fA-F]+) (.*)$/.exec(line);
    if (m !== null) out.push({ start: parseInt(m[1], 16), size: parseInt(m[2], 16), name: m[3] });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The perf map's name for a function name `0x…` (an address) of a dump, or the name itself. */
export function nameInPerfMap(map: readonly PerfMapEntry[], fn: string): string {
  const m = /^0x([0-9a-fA-F]+)/.exec(fn);
  if (m === null) return fn;
  const address = parseInt(m[1], 16);
  let lo = 0;
  let hi = map.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (map[mid].start <= address) lo = mid + 1;
    else hi = mid - 1;
  }
  const e = map[hi];
  return e !== undefined && address < e.start + e.size ? e.name : fn;
}

/** Self instructions of the dump's V8-optimized code (`JS:*` in the perf map), in all. */
export function optimizedJsSelf(dump: CallgrindDump, map: readonly PerfMapEntry[]): number {
  let sum = 0;
  for (const [fn, ir] of dump.selfByFunction) if (nameInPerfMap(map, fn).startsWith('JS:*')) sum += ir;
  return sum;
}
