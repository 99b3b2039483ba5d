/**
 * Linux's own stack sending IPv4/UDP from a guest interface, over many flows (source ports), for the
 * receiver's RSS to spread: the interface gets an address and a static neighbour entry for the
 * destination (no ARP on the wire), through busybox's `ip` and `arp` (busybox-static is on every host that can
 * build the guest).
 */
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';

/** Addresses of the two ends. */
export const LINUX_IP = '10.9.0.2';
export const TSNIC_IP = '10.9.0.1';

/** Gives interface `name` {@link LINUX_IP}/24 and a permanent neighbour entry for {@link TSNIC_IP} at `tsnicMac`. */
export function configureSender(name: string, tsnicMac: string): void {
  execFileSync('/bin/busybox', ['ip', 'addr', 'add', `${LINUX_IP}/24`, 'dev', name]);
  // busybox's `ip neigh` only shows and flushes; its arp sets a permanent entry.
  execFileSync('/bin/busybox', ['arp', '-i', name, '-s', TSNIC_IP, tsnicMac]);
}

/**
 * Sends `count` UDP datagrams of `payload` bytes to {@link TSNIC_IP}:9000, round-robin from `flows`
 * sockets (source ports 40000, 40001, ...), waiting `gapMs` between rounds of `flows` datagrams.
 */
export async function sendUdpFlows(count: number, payload: number, flows: number, gapMs: number): Promise<number> {
  const sockets = await Promise.all(Array.from({ length: flows }, (_, i) => new Promise<dgram.Socket>((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind({ address: LINUX_IP, port: 40000 + i }, () => resolve(s));
  })));
  const data = Buffer.alloc(payload, 0x5a);
  let sent = 0;
  try {
    while (sent < count) {
      for (let i = 0; i < flows && sent < count; i++) {
        await new Promise<void>((resolve, reject) => sockets[i].send(data, 9000, TSNIC_IP, (err) => (err ? reject(err) : resolve())));
        sent++;
      }
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
  } finally {
    for (const s of sockets) s.close();
  }
  return sent;
}
