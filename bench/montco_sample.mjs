// What the merge engine made of the Montgomery County 911 calls: reads the
// feed (../shared/data/calls/montco911_2016_2017.csv) and the decisions file
// of `fengqiao import alerts --montco --decisions-out FILE`, and prints the
// counts, the incidents with more than one call, a sample of 10 automatic
// merges (titles, local times, distance) to inspect by eye, and, for
// reference, the pairs of calls within 10 minutes and 80 m (the data
// README's yardstick) and how many of them the engine put together.
// Usage: node bench/montco_sample.mjs FEED.csv DECISIONS.tsv
import { readFileSync } from 'node:fs';

const [feedPath, decisionsPath] = process.argv.slice(2);
if (!decisionsPath) {
  console.error('usage: node bench/montco_sample.mjs FEED.csv DECISIONS.tsv');
  process.exit(2);
}

// The feed has no quoted fields: lat,lon,title,received_at,township,address.
const feed = readFileSync(feedPath, 'utf8').split('\n');
const call = (line) => {
  const [lat, lon, title, at, township, address] = feed[line - 1].split(',');
  return { lat: Number(lat), lon: Number(lon), title, at, township, address };
};

const rows = readFileSync(decisionsPath, 'utf8').split('\n').filter(Boolean);
const head = rows.shift().split('\t');
const col = Object.fromEntries(head.map((h, i) => [h, i]));
const alerts = rows.map((l) => {
  const f = l.split('\t');
  return {
    line: Number(f[col.line]),
    incident: f[col.incident_id],
    decision: f[col.decision],
    score: f[col.score],
    ms: Date.parse(f[col.received_at]),
    ...call(Number(f[col.line])),
  };
});

function metres(a, b) {
  const r = Math.PI / 180, R = 6371008.8;
  const x = Math.sin(((b.lat - a.lat) * r) / 2) ** 2 +
    Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(((b.lon - a.lon) * r) / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(x));
}
const agency = (t) => t.split(':')[0];

const byIncident = new Map();
for (const a of alerts) {
  if (!byIncident.has(a.incident)) byIncident.set(a.incident, []);
  byIncident.get(a.incident).push(a);
}
const sizes = new Map();
for (const v of byIncident.values()) sizes.set(v.length, (sizes.get(v.length) || 0) + 1);
const count = (d) => alerts.filter((a) => a.decision === d).length;
console.log(`calls ${alerts.length} -> incidents ${byIncident.size}`);
console.log(`decisions: merged ${count('merged')}, suggested ${count('suggested')}, new ${count('new')}`);
console.log(`incidents by calls: ${[...sizes].sort((a, b) => a[0] - b[0]).map(([n, k]) => `${n} call${n > 1 ? 's' : ''}: ${k}`).join(', ')}`);

const merges = [];
for (const v of byIncident.values())
  for (const a of v.slice(1)) if (a.decision === 'merged') merges.push([v[0], a]);
const cross = merges.filter(([a, b]) => agency(a.title) !== agency(b.title)).length;
console.log(`automatic merges ${merges.length}, of which across agencies ${cross}`);

console.log('\nsample of 10 merges (first call of the incident -> merged call):');
const step = merges.length / 10;
for (let i = 0; i < Math.min(10, merges.length); i++) {
  const [a, b] = merges[Math.floor(i * step)];
  const dt = Math.round((b.ms - a.ms) / 60000);
  console.log(`  ${a.at}  ${a.title.padEnd(34)} ${a.address}, ${a.township}`);
  console.log(`  ${b.at}  ${b.title.padEnd(34)} ${b.address}, ${b.township}` +
    `   (+${dt} min, ${Math.round(metres(a, b))} m, score ${b.score})`);
}

// The README's yardstick: pairs of calls within 10 minutes and 80 m.
let near = 0, nearCross = 0, nearTogether = 0;
for (let i = 0; i < alerts.length; i++)
  for (let j = i + 1; j < alerts.length; j++) {
    const a = alerts[i], b = alerts[j];
    if (Math.abs(b.ms - a.ms) > 600000 || metres(a, b) > 80) continue;
    near++;
    if (agency(a.title) !== agency(b.title)) nearCross++;
    if (a.incident === b.incident) nearTogether++;
  }
console.log(`\npairs within 10 min and 80 m: ${near} (one per ${(alerts.length / Math.max(near, 1)).toFixed(1)} calls), ` +
  `${nearCross} across agencies; in one incident: ${nearTogether}`);
