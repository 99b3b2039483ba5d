/**
 * The host's view of a virtual wire: tshark over the pcap file QEMU's filter-dump wrote, for the QEMU
 * suites' checks.
 */
import { execFileSync } from 'node:child_process';

/** The lines tshark prints for the frames of `pcap` matching display filter `filter`, with `fields`. */
function fieldsOf(pcap: string, filter: string, fields: string[], options: string[] = []): string[] {
  const args = ['-r', pcap, ...options, '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
  return execFileSync('tshark', args, { encoding: 'utf8' }).split('\n').filter((l) => l !== '');
}

/** Frames matching `filter`, and how many of them are IPv4/UDP with both checksums verified good. */
export function udpFrames(pcap: string, filter: string): { matching: number; checksumsGood: number } {
  const lines = fieldsOf(pcap, filter, ['ip.checksum.status', 'udp.checksum.status'], [
    '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
  ]);
  return { matching: lines.length, checksumsGood: lines.filter((l) => l === '1\t1').length };
}

/** How many frames of `pcap` match `filter`. */
export function countFrames(pcap: string, filter: string): number {
  return fieldsOf(pcap, filter, ['frame.number']).length;
}

/** tshark's complaints about `pcap`: malformed frames or expert errors (empty when there are none). */
export function malformedFrames(pcap: string): string {
  return execFileSync('tshark', ['-r', pcap, '-Y', '_ws.malformed || _ws.expert.severity == error'], { encoding: 'utf8' }).trim();
}
