// Alert intake under concurrency (the group committer, command/intake.h): 200 POST
// /api/v1/alerts at once, with repeat callers, many callers at one event and duplicate
// Idempotency-Keys; then the store is checked through the API: every acknowledged alert is
// there once, repeats merged into one incident, one alert per key, one audit entry per alert,
// and the server committed them in fewer transactions than alerts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, fq } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { who, stopAndCheck } from './helpers.mjs';

let srv, operator, auditor;

const base = Date.now() - 30 * 60 * 1000;
const at = (sec) => new Date(base + sec * 1000).toISOString();

before(async () => {
  srv = await startServer({ demo: true, args: ['--threads', '16'] });
  operator = await loginAs(srv, who(srv, 'operator'));
  auditor = await loginAs(srv, who(srv, 'auditor'));
});

after(async () => {
  await stopAndCheck(srv);
});

test('200 concurrent alerts: each stored once, repeats merged, one alert per Idempotency-Key', async () => {
  const reqs = [];
  // 120 unrelated alerts: different callers, places spread over the station, four categories.
  const cats = ['criminal.theft', 'dispute.neighbour', 'public_order.noise', 'help.lost_property'];
  for (let i = 0; i < 120; i++) {
    reqs.push({
      kind: 'plain',
      body: {
        received_at: at(i), source: 'phone_110', caller_phone: `159${String(10000000 + i * 7919).slice(-8)}`,
        location: { lat: 29.67 + (i % 12) * 0.013, lon: 120.16 + Math.floor(i / 12) * 0.018 },
        category: cats[i % 4], description: `第${i}号报警：${['电动车被偷', '邻居吵架', '楼上噪音', '钱包丢了'][i % 4]}`,
      },
      key: `plain-${i}`,
    });
  }
  // 20 reports of one traffic accident by one repeat caller (一人多报), no key.
  for (let i = 0; i < 20; i++) {
    reqs.push({
      kind: 'repeat',
      body: {
        received_at: at(200 + i * 5), source: 'phone_110', caller_phone: i % 2 ? '+86 137-0000-9999' : '13700009999',
        location: { lat: 29.7601 + (i % 3) * 0.0001, lon: 120.2901 }, address: '枫溪镇建设路与学府路口',
        category: 'traffic.accident', description: '建设路学府路口两车相撞，有人受伤',
      },
    });
  }
  // 20 keys, each sent three times at once (client retries racing each other).
  for (let k = 0; k < 20; k++) {
    const body = {
      received_at: at(400 + k), source: 'app', caller_phone: `158${String(20000000 + k * 104729).slice(-8)}`,
      location: { lat: 29.70 + k * 0.004, lon: 120.33 }, category: 'help.lost_property', description: `重复提交${k}：手机丢了`,
    };
    for (let n = 0; n < 3; n++) reqs.push({ kind: 'dup', body, key: `dup-${k}` });
  }
  assert.equal(reqs.length, 200);
  // Shuffle so duplicates and repeats are spread through the burst.
  for (let i = reqs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [reqs[i], reqs[j]] = [reqs[j], reqs[i]];
  }
  const answers = await Promise.all(reqs.map((q) => operator.post('/api/v1/alerts', q.body, q.key ? { 'Idempotency-Key': q.key } : {})));
  answers.forEach((r, i) => assert.equal(r.status, 201, `${reqs[i].kind}: ${r.text}`));

  // One alert per key: all three answers of a key name the same alert, two of them replays.
  const byKey = new Map();
  answers.forEach((r, i) => {
    if (reqs[i].kind !== 'dup') return;
    const l = byKey.get(reqs[i].key) || [];
    l.push(r);
    byKey.set(reqs[i].key, l);
  });
  assert.equal(byKey.size, 20);
  for (const [key, rs] of byKey) {
    assert.equal(new Set(rs.map((r) => r.json.alert.id)).size, 1, `${key}: ${rs.map((r) => r.json.alert.id)}`);
    assert.equal(rs.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, 2, key);
    assert.equal(new Set(rs.map((r) => r.json.incident.id)).size, 1);
  }

  // The repeat caller's 20 reports are one incident.
  const repeat = answers.filter((r, i) => reqs[i].kind === 'repeat');
  const incidents = new Set(repeat.map((r) => r.json.incident.id));
  assert.equal(incidents.size, 1, `repeat caller spread over ${incidents.size} incidents`);
  const inc = await operator.get(`/api/v1/incidents/${[...incidents][0]}`);
  assert.equal(inc.status, 200, inc.text);
  assert.equal(inc.json.incident.alert_count, 20);
  assert.equal(repeat.filter((r) => r.json.merge.decision === 'new').length, 1, 'one report opened it, the others joined');

  // Every acknowledged alert is in the store, once: 120 + 20 + 20 distinct alerts.
  const ids = new Set(answers.map((r) => r.json.alert.id));
  assert.equal(ids.size, 160);
  const numbers = new Set(answers.map((r) => r.json.alert.number));
  assert.equal(numbers.size, 160, 'business numbers are unique');
  for (const id of ids) {
    const r = await operator.get(`/api/v1/alerts/${id}`);
    assert.equal(r.status, 200, `acknowledged alert ${id} missing`);
  }
  // One audit entry per stored alert (replays write none).
  const aud = await auditor.get('/api/v1/audit?action=alert.create&per_page=1');
  assert.equal(aud.status, 200, aud.text);
  assert.equal(aud.json.total, 160);

  // The server grouped them: fewer transactions than alerts (it logs its counts on SIGTERM).
  await srv.stop();
  const m = /intake: (\d+) alerts in (\d+) transactions/.exec(srv.output);
  assert.ok(m, `no intake line in the server log: ${srv.output.slice(-500)}`);
  assert.equal(Number(m[1]), 200);
  assert.ok(Number(m[2]) < 200, `${m[2]} transactions for 200 alerts`);
  const v = await fq(['audit', 'verify', '--db', srv.db]);
  assert.match(v.stdout, /intact/);
});
