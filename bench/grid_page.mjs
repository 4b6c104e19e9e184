// Grid page load on the full demo town: GET /api/v1/grids/:code (the grid
// with its staff, counts and visit coverage, and the first page of its
// people, houses, venues, open directives, open disputes and recent alerts)
// for every grid of the main station, and GET /api/v1/grids (the list with
// every grid's counts), timed from request to parsed answer, one request at
// a time. The store: `fengqiao demo --registry full` (97,656 people, 45,570
// houses, 735 organisations) plus, unless FQ_BENCH_ALERTS=0, a year of the
// main station's demo alerts (bench/merge_quality_gen, ~37,000 alerts, the
// last month's counted on the page) imported with `fengqiao import alerts`.
// Prints p50/p99/max per request kind; --strict exits 1 when the grid
// page's p99 misses the target.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { createDemo, fq, startServer, ROOT } from '../tests/lib/server.mjs';
import { loginAs } from '../tests/lib/client.mjs';

const execFileP = promisify(execFile);
const ROUNDS = Number(process.env.ROUNDS || 5);
const TARGET_P99_MS = 100;
const ALERTS = process.env.FQ_BENCH_ALERTS !== '0';

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
const line = (kind, xs) =>
  `${kind.padEnd(30)} n=${String(xs.length).padStart(4)}  p50 ${pct(xs, 50).toFixed(2).padStart(7)} ms  p99 ${pct(xs, 99).toFixed(2).padStart(7)} ms  max ${Math.max(...xs).toFixed(2).padStart(7)} ms`;

const dir = mkdtempSync(join(tmpdir(), 'fq-bench-grid-'));
const db = join(dir, 'bench.db');
let t0 = Date.now();
const logins = await createDemo(db, 1, 'full');
console.log(`demo town built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
if (ALERTS) {
  t0 = Date.now();
  const csv = join(dir, 'alerts.csv');
  await execFileP(join(ROOT, 'build/bench/merge_quality_gen'), [db, '7', new Date().toISOString(), csv]);
  await fq(['import', 'alerts', '--db', db, csv]);
  console.log(`a year of demo alerts imported in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
const srv = await startServer({ db, dir, logins, env: { FQ_LOG: 'warn' } });
try {
  const who = (u) => srv.logins.find((l) => l.username === u);
  const chief = await loginAs(srv, who('chief'));
  const community = await loginAs(srv, who('community'));
  const list = await chief.get('/api/v1/grids');
  if (list.status !== 200) throw new Error(`grid list: ${list.status} ${list.text}`);
  const grids = list.json.items.map((g) => g.code);
  const sum = (k) => list.json.items.reduce((n, g) => n + g.counts[k], 0);
  console.log(`== the main station: ${grids.length} grids; ${sum('people')} people, ${sum('houses')} houses, ${sum('venues')} venues, ${sum('open_disputes')} open disputes, ${sum('alerts')} alerts in the last 30 days`);

  // The server's CPU time (user + system, clock ticks of 10 ms) from /proc: what a
  // request costs whatever else the machine runs, beside the wall-clock latency.
  const cpuMs = () => {
    const f = readFileSync(`/proc/${srv.proc.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  };
  const kinds = [
    ['grid page (chief)', chief, grids.map((c) => `/api/v1/grids/${c}`)],
    ['grid page (community officer)', community, grids.map((c) => `/api/v1/grids/${c}`)],
    ['grid list (40 grids, counts)', chief, Array(8).fill('/api/v1/grids')],
    ['grid list + boundaries', chief, Array(8).fill('/api/v1/grids?boundary=1&sort=-people')],
  ];
  for (const code of grids.slice(0, 5)) await chief.get(`/api/v1/grids/${code}`); // warm-up
  const times = {};
  const cpu = {};
  let bytes = 0;
  for (const [kind, client, paths] of kinds) {
    const xs = (times[kind] = []);
    const c0 = cpuMs();
    for (let round = 0; round < ROUNDS; round++) {
      for (const path of paths) {
        const t = process.hrtime.bigint();
        const r = await client.get(path);
        xs.push(Number(process.hrtime.bigint() - t) / 1e6);
        if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text}`);
        if (kind.startsWith('grid page')) bytes = Math.max(bytes, r.text.length);
      }
    }
    cpu[kind] = (cpuMs() - c0) / xs.length;
  }
  console.log(`== ${ROUNDS} rounds, one request at a time (largest grid page ${(bytes / 1024).toFixed(1)} KiB); load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} CPUs`);
  for (const [kind, xs] of Object.entries(times)) console.log(`${line(kind, xs)}  server CPU ${cpu[kind].toFixed(1)} ms/request`);
  const page = [...times['grid page (chief)'], ...times['grid page (community officer)']];
  const p99 = pct(page, 99);
  console.log(`grid page overall: p50 ${pct(page, 50).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (target < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? 'ok' : 'MISSED'})`);
  if (process.argv.includes('--strict') && p99 >= TARGET_P99_MS) process.exitCode = 1;
} finally {
  await srv.cleanup();
}
