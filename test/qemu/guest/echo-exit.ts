/**
 * Harness check program: prints its arguments, writes them to $TSNIC_JOB_DIR/echo.txt (the writable
 * job folder) and exits with the status given as its first argument.
 */
import fs from 'node:fs';
import path from 'node:path';

const [status, ...words] = process.argv.slice(2);
const nics = JSON.parse(process.env.TSNIC_GUEST_NICS ?? '[]') as { address: string; bind: string }[];
const drivers = nics.map((n) => {
  const link = `/sys/bus/pci/devices/${n.address}/driver`;
  return fs.existsSync(link) ? path.basename(fs.readlinkSync(link)) : 'none';
});
process.stdout.write(`echo: ${words.join(' ')}\n`);
process.stderr.write(`drivers: ${drivers.join(',')}\n`);
fs.writeFileSync(path.join(process.env.TSNIC_JOB_DIR ?? '.', 'echo.txt'), words.join(' '));
process.exit(Number(status));
