/**
 * Linux's side of a guest NIC left to its own driver (e1000 or igb): interface name, counters and drop
 * counters, link state, the raw sender.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';

/** The network interface Linux made for PCI function `address`. */
export function interfaceOf(address: string): string {
  const names = fs.readdirSync(`/sys/bus/pci/devices/${address}/net`);
  if (names.length !== 1) throw new Error(`${address} has ${names.length} network interfaces`);
  return names[0];
}

/** Receive/transmit counters of interface `name`. */
export function counters(name: string): { rxPackets: number; rxBytes: number; txPackets: number } {
  const read = (what: string): number => Number(fs.readFileSync(`/sys/class/net/${name}/statistics/${what}`, 'utf8'));
  return { rxPackets: read('rx_packets'), rxBytes: read('rx_bytes'), txPackets: read('tx_packets') };
}

/**
 * Every counter in which Linux's driver records a frame it did not deliver (rx_missed_errors is the
 * NIC's missed-packet count, rx_fifo_errors its per-queue drops, ...): the ones that are not zero.
 */
export function dropCounters(name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const what of ['rx_missed_errors', 'rx_fifo_errors', 'rx_over_errors', 'rx_dropped', 'rx_errors', 'rx_crc_errors', 'rx_length_errors', 'rx_frame_errors']) {
    const file = `/sys/class/net/${name}/statistics/${what}`;
    if (!fs.existsSync(file)) continue;
    const v = Number(fs.readFileSync(file, 'utf8'));
    if (v !== 0) out[what] = v;
  }
  return out;
}

/** Subtracts `before` from `after`, keeping the counters that changed. */
export function dropDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v !== (before[k] ?? 0)) out[k] = v - (before[k] ?? 0);
  return out;
}

/** Waits until interface `name` reports carrier (the link is up), at most `timeoutMs`; returns whether it did. */
export async function waitForCarrier(name: string, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    let up = false;
    try {
      up = fs.readFileSync(`/sys/class/net/${name}/carrier`, 'utf8').trim() === '1';
    } catch {
      // carrier cannot be read while the interface is down.
    }
    if (up) return true;
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The MAC of interface `name`. */
export function macOf(name: string): string {
  return fs.readFileSync(`/sys/class/net/${name}/address`, 'utf8').trim();
}

/** Runs tools/qemu/rawsend (path in TSNIC_RAWSEND): `count` test frames of `size` bytes to `dst`. */
export function rawsend(iface: string, dst: string, count: number, size: number, gapUs = 0): Promise<string> {
  const tool = process.env.TSNIC_RAWSEND;
  if (tool === undefined) return Promise.reject(new Error('TSNIC_RAWSEND is not set: run under tools/qemu/harness.ts'));
  return new Promise((resolve, reject) => {
    const child = spawn(tool, [iface, dst, String(count), String(size), String(gapUs)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`rawsend exited ${String(code)}: ${out.trim()}`))));
  });
}

/** Polls `read` until it returns at least `want` or `timeoutMs` passes; returns the last value. */
export async function waitForCount(read: () => number, want: number, timeoutMs: number): Promise<number> {
  const end = Date.now() + timeoutMs;
  let value = read();
  while (value < want && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = read();
  }
  return value;
}
