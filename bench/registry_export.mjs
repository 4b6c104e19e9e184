// Export of the registries on the full demo town (fengqiao demo --registry
// full: 97,656 people, 45,570 houses, 735 organisations): each export
// (people, houses, organisations; CSV and xlsx) requested as the station
// chief ROUNDS times, timed from request to the last byte; prints the median
// and max time, the rows and the file size. See bench/README.md.
import { startServer } from '../tests/lib/server.mjs';
import { loginAs } from '../tests/lib/client.mjs';

const ROUNDS = Number(process.env.ROUNDS || 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const srv = await startServer({ demo: true, registry: 'full', env: { FQ_LOG: 'warn' } });
try {
  const chief = await loginAs(srv, srv.logins[0]);
  for (const what of ['people', 'houses', 'organisations']) {
    const total = (await chief.get(`/api/v1/${what}?per_page=1`)).json.total;
    for (const format of ['csv', 'xlsx']) {
      const times = [];
      let bytes = 0;
      for (let i = 0; i < ROUNDS; i++) {
        const t0 = performance.now();
        const r = await fetch(`${srv.url}/api/v1/${what}/export?format=${format}`, { headers: { Cookie: chief.cookie } });
        const body = Buffer.from(await r.arrayBuffer());
        times.push(performance.now() - t0);
        if (r.status !== 200) throw new Error(`${what} ${format}: HTTP ${r.status} ${body.toString().slice(0, 200)}`);
        bytes = body.length;
      }
      console.log(`${what.padEnd(13)} ${format.padEnd(4)} rows ${String(total).padStart(6)}  median ${(median(times) / 1000).toFixed(2)} s  max ${(Math.max(...times) / 1000).toFixed(2)} s  ${(bytes / 1048576).toFixed(1)} MiB`);
    }
  }
} finally {
  await srv.cleanup();
}
