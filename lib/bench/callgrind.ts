/**
 * Reading Valgrind callgrind dumps (the "callgrind format" of Valgrind's manual, with only the `Ir`
 * event): the total instructions of a dump and the inclusive instructions of every call to a named
 * function. docs/benchmark.md, "Instructions per packet", says how the benchmark uses them.
 */

/** What one callgrind dump says. */
export interface CallgrindDump {
  /** Instructions executed in the dump's time range (its `summary:` line). */
  total: number;
  /** Inclusive instructions of the calls to each called function, summed over its call sites, by name. */
  inclusiveByCallee: Map<string, number>;
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
  let total: number | undefined;
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
      resolveName(line.slice(3), names);
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
  return { total, inclusiveByCallee };
}

/** Inclusive instructions of every call to a function whose name starts with `prefix` (a C++ name without its parameter list). */
export function inclusiveOf(dump: CallgrindDump, prefix: string): number {
  let sum = 0;
  for (const [name, ir] of dump.inclusiveByCallee) if (name === prefix || name.startsWith(`${prefix}(`)) sum += ir;
  return sum;
}
