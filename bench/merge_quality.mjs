// Scores the merge engine on labelled alerts: reads the decisions file that
// `fengqiao import alerts --decisions-out FILE` writes for the demo alerts
// (each alert's extra holds its ground-truth event_id and the noise applied
// to it) and prints:
//   - precision and recall of automatic merges over pairs of alerts: a pair
//     is predicted when both alerts ended in one incident (in an import only
//     automatic merges join incidents), true when both report one event;
//   - top-3: for every later report of an event (not its earliest), whether
//     the true incident (the one holding the earliest report) is among the
//     first three candidates the engine offered, over the reports that had a
//     candidate (the target) and over all later reports;
//   - what the misses have in common: noise tags, decisions, categories.
// Usage: node bench/merge_quality.mjs DECISIONS.tsv [--json]
import { readFileSync } from 'node:fs';

const TARGETS = { precision: 0.99, recall: 0.9, top3: 0.98 };

function load(path) {
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  const head = lines.shift().split('\t');
  const col = Object.fromEntries(head.map((h, i) => [h, i]));
  return lines.map((l) => {
    const f = l.split('\t');
    const extra = JSON.parse(f[col.extra]);
    return {
      line: Number(f[col.line]),
      at: Date.parse(f[col.received_at]),
      incident: f[col.incident_id],
      decision: f[col.decision],
      kind: f[col.kind] || null,
      score: f[col.score] === '' ? null : Number(f[col.score]),
      candidates: f[col.candidates] ? f[col.candidates].split(',') : [],
      event: extra.event_id,
      noise: extra.noise ? extra.noise.split(';') : [],
      category: f[col.category],
    };
  });
}

const pairs = (n) => (n * (n - 1)) / 2;

function score(alerts) {
  const byIncident = new Map();
  const byEvent = new Map();
  const cell = new Map();
  for (const a of alerts) {
    byIncident.set(a.incident, (byIncident.get(a.incident) || 0) + 1);
    byEvent.set(a.event, (byEvent.get(a.event) || 0) + 1);
    const k = `${a.incident}\u0000${a.event}`;
    cell.set(k, (cell.get(k) || 0) + 1);
  }
  let predicted = 0, truth = 0, tp = 0;
  for (const n of byIncident.values()) predicted += pairs(n);
  for (const n of byEvent.values()) truth += pairs(n);
  for (const n of cell.values()) tp += pairs(n);

  // Alerts are in import (time) order: the first of an event is its earliest report.
  const trueIncident = new Map();
  const firstOfIncident = new Map();
  let later = 0, withCandidate = 0, inTop3 = 0, inTop3All = 0, joined = 0;
  const tagStats = new Map();
  const missByDecision = new Map();
  const falseMerges = [];
  const bump = (m, k, field) => {
    const v = m.get(k) || { n: 0, missed: 0 };
    v[field]++;
    m.set(k, v);
  };
  for (const a of alerts) {
    if (!firstOfIncident.has(a.incident)) firstOfIncident.set(a.incident, a);
    if (!trueIncident.has(a.event)) {
      trueIncident.set(a.event, a.incident);
    } else {
      const t = trueIncident.get(a.event);
      later++;
      const hit = a.candidates.slice(0, 3).includes(t);
      if (a.candidates.length) {
        withCandidate++;
        if (hit) inTop3++;
      }
      if (hit) inTop3All++;
      const ok = a.incident === t;
      if (ok) joined++;
      for (const tagName of a.noise.length ? a.noise : ['(none)']) {
        bump(tagStats, tagName, 'n');
        if (!ok) bump(tagStats, tagName, 'missed');
      }
      if (!ok) {
        const why = a.decision === 'new' && !a.candidates.length ? 'new, no candidate'
          : a.decision === 'new' ? 'new, candidates below the suggestion threshold'
          : a.decision === 'suggested' ? (hit ? 'suggested (true incident in top 3)' : 'suggested, true incident not in top 3')
          : 'merged into another incident';
        missByDecision.set(why, (missByDecision.get(why) || 0) + 1);
      }
    }
    if (a.decision === 'merged') {
      const owner = firstOfIncident.get(a.incident);
      if (owner && owner.event !== a.event) falseMerges.push({ a, owner });
    }
  }
  return {
    alerts: alerts.length, events: byEvent.size, incidents: byIncident.size,
    pairs: { predicted, truth, tp },
    precision: predicted ? tp / predicted : 1,
    recall: truth ? tp / truth : 1,
    later, joined, withCandidate, inTop3, inTop3All,
    top3: withCandidate ? inTop3 / withCandidate : 1,
    top3All: later ? inTop3All / later : 1,
    tagStats, missByDecision, falseMerges,
  };
}

function fmt(x) {
  return x.toFixed(4);
}

const path = process.argv[2];
if (!path) {
  console.error('usage: node bench/merge_quality.mjs DECISIONS.tsv [--json]');
  process.exit(2);
}
// Harassing callers are matched by caller only, within 24 h (TAXONOMY.md): their bursts on
// consecutive days join one incident by that definition, while the generator labels each burst
// an event of its own. The figures are given with and without them.
const CALLER_ONLY = new Set(['other.harassing']);
const all = load(path);
const r = score(all);
const rp = score(all.filter((a) => !CALLER_ONLY.has(a.category)));
if (process.argv.includes('--json')) {
  const figures = (x) => {
    const { tagStats, missByDecision, falseMerges, ...f } = x;
    return f;
  };
  console.log(JSON.stringify({ ...figures(r), without_harassing: figures(rp) }));
  process.exit(0);
}
const ok = (v, t) => (v >= t ? 'ok' : 'MISSED');
console.log(`alerts ${r.alerts}, true events ${r.events}, incidents ${r.incidents}`);
console.log(`pairs: same incident ${r.pairs.predicted}, same event ${r.pairs.truth}, both ${r.pairs.tp}`);
console.log(`precision of automatic merges  ${fmt(r.precision)}   (target >= ${TARGETS.precision}: ${ok(r.precision, TARGETS.precision)})`);
console.log(`recall of automatic merges     ${fmt(r.recall)}   (target >= ${TARGETS.recall}: ${ok(r.recall, TARGETS.recall)})`);
console.log(`true incident in top-3         ${fmt(r.top3)}   (target >= ${TARGETS.top3}: ${ok(r.top3, TARGETS.top3)}; ${r.inTop3} of ${r.withCandidate} later reports with a candidate)`);
console.log(`  over all later reports       ${fmt(r.top3All)}   (${r.inTop3All} of ${r.later})`);
console.log(`later reports joined to their event's incident: ${r.joined} of ${r.later} (${fmt(r.joined / r.later)})`);
console.log(`without harassing calls (${r.alerts - rp.alerts} alerts of other.harassing left out):`);
console.log(`  precision ${fmt(rp.precision)} (${ok(rp.precision, TARGETS.precision)}), recall ${fmt(rp.recall)} (${ok(rp.recall, TARGETS.recall)}), top-3 ${fmt(rp.top3)} (${ok(rp.top3, TARGETS.top3)})`);
console.log('\nlater reports not joined, by what the engine did:');
for (const [k, v] of [...r.missByDecision].sort((a, b) => b[1] - a[1])) console.log(`  ${String(v).padStart(6)}  ${k}`);
console.log('\nlater reports by noise tag: reports, not joined, share not joined');
for (const [k, v] of [...r.tagStats].sort((a, b) => b[1].missed - a[1].missed)) {
  console.log(`  ${k.padEnd(22)} ${String(v.n).padStart(6)} ${String(v.missed).padStart(6)}  ${fmt(v.missed / v.n)}`);
}
const fmKinds = new Map();
for (const { a } of r.falseMerges) fmKinds.set(a.kind, (fmKinds.get(a.kind) || 0) + 1);
console.log(`\nmerges into an incident opened by another event: ${r.falseMerges.length} (${[...fmKinds].map(([k, v]) => `${k} ${v}`).join(', ')})`);
for (const { a, owner } of r.falseMerges.slice(0, 12)) {
  const dt = Math.round((a.at - owner.at) / 60000);
  console.log(`  line ${a.line} ${a.event} -> ${owner.event} (line ${owner.line}), ${a.kind}, score ${a.score}, ${dt} min after, noise ${a.noise.join(';') || '-'}`);
}
