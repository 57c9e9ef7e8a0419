// Child-process half of probeChdb (stack/chdb.ts): opens the chDB folder given as argument,
// runs SELECT 1, prints the answer and closes. Run as: node --import tsx stack/chdb-probe.ts <folder>
import { openChdbClient } from './chdb.ts';

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: chdb-probe.ts <data folder>\n');
  process.exit(2);
}
const client = openChdbClient(path);
try {
  const rows = await (await client.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' })).json<{ one: number }>();
  process.stdout.write(`SELECT 1 = ${rows[0]?.one ?? 'nothing'}\n`);
} finally {
  await client.close();
}
