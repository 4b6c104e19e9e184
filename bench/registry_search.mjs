// Search latency of the people registry on the full demo town
// (fengqiao demo --registry full: 97,656 people, 45,570 houses): realistic
// queries sent one at a time as the station chief (the widest scope), timed
// from request to parsed answer; prints p50/p99/max per kind and overall.
import { startServer } from '../tests/lib/server.mjs';
import { loginAs } from '../tests/lib/client.mjs';

const ROUNDS = Number(process.env.ROUNDS || 3);
const TARGET_P99_MS = 50;

// A few Simplified → Traditional pairs to write queries in Traditional script.
const T = { 国: '國', 华: '華', 伟: '偉', 刚: '剛', 红: '紅', 兰: '蘭', 丽: '麗', 东: '東', 军: '軍', 龙: '龍', 凤: '鳳', 阳: '陽', 陈: '陳', 刘: '劉', 张: '張', 杨: '楊', 黄: '黃', 赵: '趙', 吴: '吳', 郑: '鄭', 孙: '孫', 马: '馬', 罗: '羅', 梁: '梁', 谢: '謝', 许: '許', 邓: '鄧', 冯: '馮', 韩: '韓', 叶: '葉' };
const trad = (s) => [...s].map((c) => T[c] || c).join('');

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

const srv = await startServer({ demo: true, registry: 'full', env: { FQ_LOG: 'warn' } });
try {
  const chief = await loginAs(srv, srv.logins[0]);
  // Material for queries: a sample of people as the chief sees them (masked), spread over the town.
  const sample = [];
  for (let page = 1; page <= 20; page++) {
    const r = await chief.get(`/api/v1/people?per_page=50&page=${page * 97}&sort=created_at`);
    sample.push(...r.json.items);
  }
  const pick = (i) => sample[(i * 37) % sample.length];
  const queries = [];
  for (let i = 0; i < 40; i++) queries.push(['full name', pick(i).name]);
  for (let i = 0; i < 40; i++) { const n = pick(i + 40).name; queries.push(['two characters', [...n].slice(-2).join('')]); }
  for (let i = 0; i < 20; i++) queries.push(['surname (1 char)', [...pick(i + 80).name][0]]);
  for (let i = 0; i < 40; i++) {
    const a = pick(i + 100).address; // "枫溪镇人民路12号3幢101室" or "枫溪镇新坞村3组12号"
    const m = /^枫溪镇(.+?(?:路|村)\d+(?:号|组))/.exec(a);
    queries.push(['partial address', m ? m[1].slice(-6) : a.slice(3, 9)]);
  }
  for (let i = 0; i < 20; i++) { const p = pick(i + 140).phone; if (p) queries.push(['phone tail', p.slice(-4)]); }
  for (let i = 0; i < 20; i++) queries.push(['ID tail', pick(i + 160).id_number.slice(-4)]);
  for (let i = 0; i < 20; i++) queries.push(['Traditional', trad(pick(i + 180).name)]);
  for (let i = 0; i < 20; i++) queries.push(['name + address', `${[...pick(i + 200).name][0]} ${/路|村/.test(pick(i + 200).address) ? pick(i + 200).address.slice(3, 6) : ''}`.trim()]);

  const times = {};
  const all = [];
  let hits = 0;
  for (const [, q] of queries.slice(0, 10)) await chief.get(`/api/v1/people?q=${encodeURIComponent(q)}`); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const [kind, q] of queries) {
      const t0 = process.hrtime.bigint();
      const r = await chief.get(`/api/v1/people?q=${encodeURIComponent(q)}`);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 200) throw new Error(`${q}: ${r.status} ${r.text}`);
      if (round === 0 && r.json.total > 0) hits++;
      (times[kind] ||= []).push(ms);
      all.push(ms);
    }
  }
  console.log(`== people search on the full town (${queries.length} queries x ${ROUNDS} rounds, chief's scope)`);
  for (const [kind, xs] of Object.entries(times)) {
    console.log(`${kind.padEnd(18)} n=${String(xs.length).padStart(4)}  p50 ${pct(xs, 50).toFixed(2).padStart(7)} ms  p99 ${pct(xs, 99).toFixed(2).padStart(7)} ms  max ${Math.max(...xs).toFixed(2).padStart(7)} ms`);
  }
  const p99 = pct(all, 99);
  console.log(`overall            n=${String(all.length).padStart(4)}  p50 ${pct(all, 50).toFixed(2).padStart(7)} ms  p99 ${p99.toFixed(2).padStart(7)} ms  (target < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? 'ok' : 'MISSED'})`);
  console.log(`queries with at least one hit: ${hits} of ${queries.length}`);
  if (process.argv.includes('--strict') && p99 >= TARGET_P99_MS) process.exitCode = 1;
} finally {
  await srv.cleanup();
}
