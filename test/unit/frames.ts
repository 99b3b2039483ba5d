/**
 * Crafted Ethernet frames for the filter and capture-file tests: IPv4 (with options and fragments),
 * UDP, TCP with flags, ICMP, ARP, IPv6 and 802.1Q tags, checksums left 0 (filters do not read them).
 */

/** What to put in a crafted frame; everything has a default. */
export interface FrameSpec {
  dstMac?: number[];
  srcMac?: number[];
  /** 802.1Q tags, outermost first (VLAN ids). */
  vlans?: number[];
  /** Layer 3: default ipv4. */
  l3?: 'ipv4' | 'ipv6' | 'arp' | 'raw';
  /** Ethertype for l3 'raw'. */
  ethertype?: number;
  /** IPv4 addresses as four numbers. */
  src?: number[];
  dst?: number[];
  /** IPv4 header words beyond the 5 (options), 0..10. */
  ipOptionWords?: number;
  /** IPv4 fragment offset in 8-byte units (not the first fragment when above 0). */
  fragmentOffset?: number;
  /** Layer 4: default udp. */
  l4?: 'udp' | 'tcp' | 'icmp';
  srcPort?: number;
  dstPort?: number;
  /** TCP flags byte (byte 13 of the TCP header). */
  tcpFlags?: number;
  /** Payload bytes after the layer 4 header. */
  payload?: number;
}

/** Builds the frame `spec` describes. */
export function craft(spec: FrameSpec = {}): Uint8Array {
  const bytes: number[] = [];
  const u16 = (v: number): void => {
    bytes.push((v >> 8) & 0xff, v & 0xff);
  };
  bytes.push(...(spec.dstMac ?? [0x02, 0, 0, 0, 0, 0x02]), ...(spec.srcMac ?? [0x02, 0, 0, 0, 0, 0x01]));
  for (const vid of spec.vlans ?? []) {
    u16(0x8100);
    u16(vid & 0xfff);
  }
  const l3 = spec.l3 ?? 'ipv4';
  const l4 = spec.l4 ?? 'udp';
  const proto = l4 === 'udp' ? 17 : l4 === 'tcp' ? 6 : 1;
  const l4Header = (): number[] => {
    const h: number[] = [];
    const p16 = (v: number): void => {
      h.push((v >> 8) & 0xff, v & 0xff);
    };
    if (l4 === 'icmp') h.push(8, 0, 0, 0, 0, 1, 0, 1);
    else {
      p16(spec.srcPort ?? 1024);
      p16(spec.dstPort ?? 1024);
      if (l4 === 'udp') {
        p16(8 + (spec.payload ?? 18));
        p16(0);
      } else h.push(0, 0, 0, 1, 0, 0, 0, 0, 0x50, spec.tcpFlags ?? 0x10, 0xff, 0xff, 0, 0, 0, 0);
    }
    for (let i = 0; i < (spec.payload ?? 18); i++) h.push(i & 0xff);
    return h;
  };
  if (l3 === 'ipv4') {
    u16(0x0800);
    const words = 5 + (spec.ipOptionWords ?? 0);
    const l4bytes = l4Header();
    bytes.push(0x40 | words, 0);
    u16(words * 4 + l4bytes.length);
    u16(0);
    u16(spec.fragmentOffset ?? 0);
    bytes.push(64, proto, 0, 0, ...(spec.src ?? [10, 0, 0, 1]), ...(spec.dst ?? [10, 0, 0, 2]));
    for (let i = 0; i < (words - 5) * 4; i++) bytes.push(1);  // NOP options
    bytes.push(...l4bytes);
  } else if (l3 === 'ipv6') {
    u16(0x86dd);
    const l4bytes = l4Header();
    bytes.push(0x60, 0, 0, 0);
    u16(l4bytes.length);
    bytes.push(proto === 1 ? 58 : proto, 64);
    for (let i = 0; i < 16; i++) bytes.push(i === 0 ? 0xfe : i === 1 ? 0x80 : i === 15 ? 1 : 0);
    for (let i = 0; i < 16; i++) bytes.push(i === 0 ? 0xfe : i === 1 ? 0x80 : i === 15 ? 2 : 0);
    bytes.push(...l4bytes);
  } else if (l3 === 'arp') {
    u16(0x0806);
    bytes.push(0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2);
  } else {
    u16(spec.ethertype ?? 0x88b5);
    for (let i = 0; i < 46; i++) bytes.push(i);
  }
  while (bytes.length < 60) bytes.push(0);
  return Uint8Array.from(bytes);
}
