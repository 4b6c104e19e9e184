// Anti-fraud warnings (预警劝阻): a warning from the anti-fraud centre routed
// to the grid of its place with a 30-minute deadline, refusals naming the
// field, phones and ID numbers masked role by role, a warning dissuaded in
// time, one escalated to the chief when nobody reached the person (server
// clock shifted), the warned person later reporting fraud from the same
// phone (预后归零), outreach, the KPIs against hand-computed figures, live
// events, and the CSV import's all-or-nothing with line numbers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, fq } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { who, assertError, restartAt, stopAndCheck, waitFor } from './helpers.mjs';

const MIN = 60 * 1000;
const DAY = 24 * 60 * MIN;
const STATION = '339902510000';
const STATION2 = '339902520000';
const PHONE = '13912345678';
const IDNUM = '330681198503174410';

let srv;
const as = {};
const t0 = Date.now();
const iso = (ms) => new Date(ms).toISOString();
// The demo holds a year of closed warnings up to yesterday: lists and KPIs look at this run's.
const SINCE = `from=${encodeURIComponent(iso(t0 - 5 * 60 * 1000))}`;
const ROLES = ['operator', 'chief', 'community', 'caseofficer', 'auxiliary', 'gridworker', 'volunteer', 'analyst', 'auditor', 'chief2'];

async function loginAll() {
  for (const name of ROLES) as[name] = await loginAs(srv, who(srv, name));
}

before(async () => {
  srv = await startServer({ demo: true });
  await loginAll();
});

after(async () => {
  await stopAndCheck(srv);
});

const centre = (extra = {}) => ({
  source: 'centre',
  external_ref: 'FZ-2026-0001',
  phone: PHONE,
  person_name: '钱七',
  id_number: IDNUM,
  location: { lat: 29.72, lon: 120.22 },
  warning_type: '刷单返利',
  level: 1,
  warned_at: iso(t0 - 2 * MIN),
  description: '反诈中心监测到该号码与刷单诈骗号码通话',
  ...extra,
});

let w1; // dissuaded in time
let wEsc; // never reached: escalated
let wL2, wL3; // pending

/** Read a live event stream as client c until fn(frame) is true. */
async function eventUntil(c, fn, action, ms = 5000) {
  const ac = new AbortController();
  const r = await fetch(`${srv.url}/api/v1/events`, { headers: { Accept: 'text/event-stream', Cookie: c.cookie }, signal: ac.signal });
  assert.equal(r.status, 200);
  const frames = [];
  const reading = (async () => {
    const dec = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of r.body) {
        buf += dec.decode(chunk, { stream: true });
        let cut;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const f = {};
          for (const line of block.split('\n')) {
            const i = line.indexOf(':');
            if (i > 0) f[line.slice(0, i)] = line.slice(i + 1).trim();
          }
          if (f.data) {
            frames.push({ type: f.event, data: JSON.parse(f.data) });
            if (fn(frames[frames.length - 1])) ac.abort();
          }
        }
      }
    } catch { /* aborted */ }
  })();
  await action();
  const timer = setTimeout(() => ac.abort(), ms);
  await reading;
  clearTimeout(timer);
  return frames.find(fn);
}

test('a warning from the anti-fraud centre goes to the grid of its place with a 30-minute deadline', async () => {
  let r;
  const ev = await eventUntil(as.chief, (f) => f.type === 'fraud_warning.created', async () => {
    r = await as.operator.post('/api/v1/fraud-warnings', centre());
  });
  assert.equal(r.status, 201, r.text);
  w1 = r.json.warning;
  assert.match(w1.number, /^YJ-339902510000-\d{8}-\d{4}$/);
  assert.equal(w1.unit, STATION);
  assert.equal(w1.route, 'location');
  assert.match(w1.grid, /^339902100\d{3}$/);
  // No officer works at grid level in the demo: the station's community officer.
  assert.equal(w1.assigned_to, as.community.user.id);
  assert.equal(w1.state, 'assigned');
  assert.equal(w1.warning_type, 'rebate');
  assert.equal(w1.level, 1);
  const due = Date.parse(w1.deadline_at) - Date.parse(w1.received_at);
  assert.equal(due, 30 * MIN);
  assert.ok(w1.remaining_s > 1790 && w1.remaining_s <= 1800, `remaining_s ${w1.remaining_s}`);
  assert.equal(w1.overdue, false);
  // The live event names the warning and carries no personal data.
  assert.ok(ev, 'fraud_warning.created event');
  assert.equal(ev.data.id, w1.id);
  assert.doesNotMatch(JSON.stringify(ev.data), new RegExp(`${PHONE}|${IDNUM}|钱七`));
  // The centre's reference is taken once.
  r = await as.operator.post('/api/v1/fraud-warnings', centre());
  assertError(r, 409, 'duplicate', 'external_ref');
});

test('refusals name the field; roles without fraud.handle cannot take warnings', async () => {
  const cases = [
    [{ warning_type: undefined }, 'warning_type'],
    [{ warning_type: '中奖' }, 'warning_type'],
    [{ level: 0 }, 'level'],
    [{ level: 5 }, 'level'],
    [{ phone: '13a12345678' }, 'phone'],
    [{ id_number: '330681198503174411' }, 'id_number'],
    [{ phone: undefined, id_number: undefined, person_name: undefined }, 'phone'],
    [{ warned_at: iso(t0 + DAY) }, 'warned_at'],
    [{ source: 'rumour' }, 'source'],
    [{ location: { lat: 95, lon: 120 } }, 'location'],
    [{ unit: STATION2 }, 'unit'],
  ];
  for (const [change, field] of cases) {
    const body = centre({ external_ref: undefined, ...change });
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    const r = await as.community.post('/api/v1/fraud-warnings', body);
    assert.equal(r.status, 400, `${JSON.stringify(change)}: ${r.text}`);
    assert.equal(r.json.error.field, field, `${JSON.stringify(change)}: ${r.text}`);
  }
  assertError(await as.community.post('/api/v1/fraud-warnings', { ...centre(), colour: 'red' }), 400, 'unknown_field');
  for (const name of ['volunteer', 'gridworker', 'analyst', 'auditor']) {
    const r = await as[name].post('/api/v1/fraud-warnings', centre({ external_ref: undefined }));
    assertError(r, 403, 'forbidden');
  }
});

test('phones and ID numbers are masked role by role, reads are audited, other stations see 404', async () => {
  const want = {
    chief: [PHONE, IDNUM], // phone.read, person.reveal
    operator: [PHONE, '330681********4410'], // phone.read, no person.reveal
    community: [PHONE, IDNUM], // fraud.handle (must call), person.reveal
    caseofficer: [PHONE, IDNUM],
    auxiliary: [PHONE, '330681********4410'], // fraud.handle, no person.reveal
    analyst: ['139****5678', '330681********4410'], // reads only
  };
  for (const [name, [phone, idn]] of Object.entries(want)) {
    const r = await as[name].get(`/api/v1/fraud-warnings/${w1.id}`);
    assert.equal(r.status, 200, `${name}: ${r.text}`);
    assert.equal(r.json.warning.phone, phone, name);
    assert.equal(r.json.warning.id_number, idn, name);
    const l = await as[name].get(`/api/v1/fraud-warnings?per_page=50&${SINCE}`);
    const item = l.json.items.find((x) => x.id === w1.id);
    assert.equal(item.phone, phone, `${name} list`);
    assert.equal(item.id_number, idn, `${name} list`);
  }
  for (const name of ['volunteer', 'gridworker', 'auditor']) assertError(await as[name].get(`/api/v1/fraud-warnings/${w1.id}`), 403, 'forbidden');
  assertError(await as.chief2.get(`/api/v1/fraud-warnings/${w1.id}`), 404, 'not_found');
  assertError(await as.chief2.post(`/api/v1/fraud-warnings/${w1.id}/attempts`, { method: 'phone', reached: false }), 404, 'not_found');
  assert.equal((await as.chief2.get('/api/v1/fraud-warnings')).json.total, 0);
  assertError(await as.chief.get('/api/v1/fraud-warnings/not-an-id'), 404, 'not_found');
  const a = await as.auditor.get(`/api/v1/audit?object_type=fraud_warning&object_id=${w1.id}&per_page=100`);
  assert.equal(a.status, 200, a.text);
  const reads = a.json.items.filter((e) => e.action === 'person.read');
  assert.ok(reads.length >= 6, `reads audited: ${reads.length}`);
  const create = a.json.items.find((e) => e.action === 'fraud_warning.create');
  assert.ok(create, 'creation audited');
  assert.doesNotMatch(JSON.stringify(create), new RegExp(`${PHONE}|${IDNUM}`));
});

test('a warning dissuaded in time: two attempts, then closed; every step audited', async () => {
  // Nothing recorded yet: nothing to close on.
  assertError(await as.community.post(`/api/v1/fraud-warnings/${w1.id}/close`, {}), 409, 'invalid_transition');
  let r = await as.community.post(`/api/v1/fraud-warnings/${w1.id}/attempts`, { method: 'phone', reached: false, note: '电话无人接听' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.warning.state, 'not_reached');
  assert.ok(r.json.warning.remaining_s > 0);
  // Refusals of the record.
  assertError(await as.community.post(`/api/v1/fraud-warnings/${w1.id}/attempts`, { method: 'pigeon', reached: false }), 400, 'invalid_value', 'method');
  assertError(await as.community.post(`/api/v1/fraud-warnings/${w1.id}/attempts`, { method: 'visit', reached: true }), 400, 'missing_field', 'person_state');
  assertError(await as.community.post(`/api/v1/fraud-warnings/${w1.id}/attempts`, { method: 'visit', reached: false, dissuaded: true }), 400, 'conflicting_fields', 'dissuaded');
  assertError(await as.community.post(`/api/v1/fraud-warnings/${w1.id}/attempts`, { method: 'visit', reached: true, person_state: 'about_to_pay', money_protected_yuan: 1.234 }), 400, 'invalid_value', 'money_protected_yuan');
  assertError(await as.community.post(`/api/v1/fraud-warnings/${w1.id}/attempts`, { method: 'visit', reached: false, version: 1 }), 409, 'stale_version', 'version');
  r = await as.community.post(`/api/v1/fraud-warnings/${w1.id}/attempts`, {
    method: 'visit', reached: true, person_state: 'about_to_pay', dissuaded: true, money_protected_yuan: 5000.5, note: '上门劝阻，已联系银行止付',
  });
  assert.equal(r.status, 201, r.text);
  const w = r.json.warning;
  assert.equal(w.state, 'dissuaded');
  assert.equal(w.reached_in_time, true);
  assert.equal(w.remaining_s, null);
  assert.equal(w.overdue, false);
  assert.equal(w.money_protected_yuan, 5000.5);
  assert.equal(w.attempt_log.length, 2);
  assert.deepEqual(w.attempt_log.map((x) => x.method), ['phone', 'visit']);
  r = await as.auxiliary.post(`/api/v1/fraud-warnings/${w1.id}/close`, { version: w.version });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.warning.state, 'closed');
  assert.equal(r.json.warning.outcome, 'dissuaded');
  assertError(await as.community.post(`/api/v1/fraud-warnings/${w1.id}/attempts`, { method: 'sms', reached: false }), 409, 'invalid_transition');
  const a = await as.auditor.get(`/api/v1/audit?object_type=fraud_warning&object_id=${w1.id}&per_page=100`);
  const actions = a.json.items.map((e) => e.action);
  assert.equal(actions.filter((x) => x === 'fraud_warning.attempt').length, 2, 'refused attempts leave nothing');
  assert.ok(actions.includes('fraud_warning.close'));
});

test('list: countdowns, filters, paging and sorting', async () => {
  let r = await as.chief.post('/api/v1/fraud-warnings', { person_name: '孙八', warning_type: 'investment', level: 3, unit: STATION });
  assert.equal(r.status, 201, r.text);
  wL3 = r.json.warning;
  assert.equal(wL3.route, 'station');
  assert.equal(Date.parse(wL3.deadline_at) - Date.parse(wL3.received_at), DAY);
  r = await as.chief.post('/api/v1/fraud-warnings', { phone: '13700002222', warning_type: 'impersonate_police', level: 2 });
  assert.equal(r.status, 201, r.text);
  wL2 = r.json.warning;
  r = await as.chief.post('/api/v1/fraud-warnings', { phone: '13700003333', warning_type: 'loan', level: 1 });
  assert.equal(r.status, 201, r.text);
  wEsc = r.json.warning;
  r = await as.chief.get(`/api/v1/fraud-warnings?state=open&sort=deadline&${SINCE}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((x) => x.id), [wEsc.id, wL2.id, wL3.id]);
  const rem = r.json.items.map((x) => x.remaining_s);
  assert.ok(rem[0] < rem[1] && rem[1] < rem[2], `countdowns ${rem}`);
  r = await as.chief.get(`/api/v1/fraud-warnings?sort=-deadline&per_page=2&page=2&${SINCE}`);
  assert.equal(r.json.total, 4);
  assert.equal(r.json.items.length, 2);
  r = await as.chief.get(`/api/v1/fraud-warnings?level=3&${SINCE}`);
  assert.deepEqual(r.json.items.map((x) => x.id), [wL3.id]);
  r = await as.chief.get(`/api/v1/fraud-warnings?warning_type=loan&${SINCE}`);
  assert.deepEqual(r.json.items.map((x) => x.id), [wEsc.id]);
  r = await as.community.get(`/api/v1/fraud-warnings?mine=1&state=open&${SINCE}`);
  assert.equal(r.json.total, 3, 'all routed to the community officer');
  r = await as.chief.get(`/api/v1/fraud-warnings?state=closed&${SINCE}`);
  assert.deepEqual(r.json.items.map((x) => x.id), [w1.id]);
  r = await as.chief.get(`/api/v1/fraud-warnings?overdue=1&${SINCE}`);
  assert.equal(r.json.total, 0);
  assertError(await as.chief.get('/api/v1/fraud-warnings?sort=urgency'), 400, 'invalid_query', 'sort');
  assertError(await as.chief.get('/api/v1/fraud-warnings?level=7'), 400, 'invalid_query', 'level');
  assertError(await as.chief.get('/api/v1/fraud-warnings?state=lost'), 400, 'invalid_query', 'state');
});

test('the page of a descending sort holds the earlier deadlines', async () => {
  const r = await as.chief.get(`/api/v1/fraud-warnings?sort=-deadline&per_page=2&page=2&${SINCE}`);
  // Deadlines: w1 +30 min (closed), wEsc +30 min, wL2 +2 h, wL3 +24 h: descending, page 2 is the two 30-minute ones.
  assert.deepEqual(new Set(r.json.items.map((x) => x.id)), new Set([w1.id, wEsc.id]));
});

test('search (q): number, name and address; phone digits only for roles that see phones', async () => {
  const ids = async (c, q) => {
    const r = await c.get(`/api/v1/fraud-warnings?q=${encodeURIComponent(q)}&${SINCE}`);
    assert.equal(r.status, 200, r.text);
    return r.json.items.map((x) => x.id).sort();
  };
  assert.deepEqual(await ids(as.chief, '孙八'), [wL3.id]);
  assert.deepEqual(await ids(as.chief, wL2.number), [wL2.id]);
  assert.deepEqual(await ids(as.chief, 'FZ-2026-0001'), [w1.id]);
  assert.deepEqual(await ids(as.chief, '00003333'), [wEsc.id]);
  assert.deepEqual(await ids(as.chief, '没有这个人'), []);
  // Analysts see phones masked: a phone search finds nothing for them.
  assert.deepEqual(await ids(as.analyst, '00003333'), []);
  assert.deepEqual(await ids(as.analyst, '孙八'), [wL3.id]);
  assertError(await as.chief.get(`/api/v1/fraud-warnings?q=${'x'.repeat(65)}`), 400, 'too_long', 'q');
});

test('outreach events are recorded and listed', async () => {
  let r = await as.community.post('/api/v1/fraud-outreach', {
    held_at: iso(t0 - 2 * MIN), place: '枫溪中学礼堂', kind: 'school', audience: 'students', attendance: 60, note: '反诈宣讲进校园',
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.outreach.unit, STATION);
  assertError(await as.community.post('/api/v1/fraud-outreach', { held_at: iso(t0), place: '集市', kind: 'parade', audience: 'mixed', attendance: 10 }), 400, 'invalid_value', 'kind');
  assertError(await as.community.post('/api/v1/fraud-outreach', { held_at: iso(t0), place: '集市', kind: 'market', audience: 'mixed', attendance: -1 }), 400, 'out_of_range', 'attendance');
  assertError(await as.analyst.post('/api/v1/fraud-outreach', { held_at: iso(t0), place: '集市', kind: 'market', audience: 'mixed', attendance: 10 }), 403, 'forbidden');
  r = await as.analyst.get(`/api/v1/fraud-outreach?${SINCE}`);
  assert.equal(r.json.total, 1);
  assert.equal((await as.chief2.get('/api/v1/fraud-outreach')).json.total, 0);
  r = await as.chief.get('/api/v1/fraud-codes');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.deadline_minutes, { 1: 30, 2: 120, 3: 1440, 4: 4320 });
  assert.ok(r.json.warning_types.some((t) => t.code === 'rebate' && t.label === '刷单返利'));
});

test('the warned person later reports fraud from the same phone: linked (预后归零)', async () => {
  const r = await as.operator.post('/api/v1/alerts', {
    received_at: iso(Date.now()), source: 'phone_110', caller_name: '钱七', caller_phone: PHONE,
    location: { lat: 29.72, lon: 120.22 }, address: '枫溪镇桃园路8号', category: 'criminal.fraud', description: '网上刷单被骗两万元',
  });
  assert.equal(r.status, 201, r.text);
  // Linked by the housekeeping job: checked after the restart below.
});

test('a warning nobody reached by its deadline is escalated to the chief (clock +31 min)', async () => {
  await restartAt(srv, 31 * MIN);
  await loginAll();
  const ms = await waitFor(async () => {
    const r = await as.chief.get(`/api/v1/fraud-warnings/${wEsc.id}`);
    return r.json?.warning?.escalated_at !== null;
  }, 5000);
  assert.ok(ms >= 0, 'escalated by the housekeeping job');
  let r = await as.chief.get(`/api/v1/fraud-warnings/${wEsc.id}`);
  const w = r.json.warning;
  assert.equal(w.escalated_to, as.chief.user.id);
  assert.equal(w.overdue, true);
  assert.ok(w.remaining_s < 0, `remaining_s ${w.remaining_s}`);
  r = await as.chief.get(`/api/v1/fraud-warnings?overdue=1&${SINCE}`);
  assert.deepEqual(r.json.items.map((x) => x.id), [wEsc.id]);
  r = await as.chief.get(`/api/v1/fraud-warnings?escalated=1&${SINCE}`);
  assert.deepEqual(r.json.items.map((x) => x.id), [wEsc.id], 'the dissuaded one and the level-2/3 ones are not escalated');
  const a = await as.auditor.get(`/api/v1/audit?object_type=fraud_warning&object_id=${wEsc.id}&per_page=100`);
  const esc = a.json.items.filter((e) => e.action === 'fraud_warning.escalate');
  assert.equal(esc.length, 1);
  assert.equal(esc[0].username, 'system');
  // The fraud alert from the warned phone was linked by the same job.
  r = await as.chief.get(`/api/v1/fraud-warnings/${w1.id}`);
  assert.equal(r.json.warning.defrauded_after, true);
  assert.equal(r.json.warning.links.length, 1);
  assert.equal(r.json.warning.links[0].matched_by, 'phone');
  // And by hand: a case (taken by id: cases are not on this schema yet), once.
  const caseId = '01900000-0000-7000-8000-000000000001';
  r = await as.community.post(`/api/v1/fraud-warnings/${wL2.id}/links`, { kind: 'case', object_id: caseId, note: '本人到所报案' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.warning.defrauded_after, true);
  assertError(await as.community.post(`/api/v1/fraud-warnings/${wL2.id}/links`, { kind: 'case', object_id: caseId }), 409, 'already_linked');
  assertError(await as.community.post(`/api/v1/fraud-warnings/${wL2.id}/links`, { kind: 'rumour', object_id: caseId }), 400, 'invalid_value', 'kind');
});

test('KPIs against figures worked out by hand', async () => {
  const from = encodeURIComponent(iso(t0 - 5 * MIN));
  const to = encodeURIComponent(iso(t0 + DAY));
  const r = await as.chief.get(`/api/v1/kpi/fraud?unit=${STATION}&from=${from}&to=${to}`);
  assert.equal(r.status, 200, r.text);
  // w1: reached in time, dissuaded, ¥5000.50, defrauded later; wEsc: missed, escalated;
  // wL2 (+2 h) and wL3 (+24 h): pending at +31 min, wL2 linked by hand.
  assert.deepEqual(r.json.counts, {
    warnings: 4, reached: 1, reached_in_time: 1, missed: 1, pending: 2, dissuaded: 1, not_involved: 0,
    already_paid: 0, money_protected_yuan: 5000.5, escalated: 1, defrauded_after_warning: 2,
    outreach_events: 1, outreach_attendance: 60,
  });
  assert.deepEqual(r.json.rates, { reach: 0.5, dissuasion: 1 });
  // The branch sees the same (only S1 has warnings); S2's chief may not look at S1.
  const b = await as.analyst.get(`/api/v1/kpi/fraud?unit=339902&from=${from}&to=${to}`);
  assert.equal(b.status, 200, b.text);
  assert.equal(b.json.counts.warnings, 4);
  assertError(await as.chief2.get(`/api/v1/kpi/fraud?unit=${STATION}&from=${from}&to=${to}`), 404, 'not_found');
  assertError(await as.chief.get(`/api/v1/kpi/fraud?unit=${STATION}&from=${from}`), 400, 'missing_field', 'to');
  assertError(await as.volunteer.get(`/api/v1/kpi/fraud?from=${from}&to=${to}`), 403, 'forbidden');
});

test('import: Chinese headers in GB18030, all or nothing, every bad row with its line', async () => {
  const bad = [
    '预警时间,预警类型,预警级别,手机号,姓名,身份证号,预警内容',
    '2026-11-20 09:00,刷单返利,1,13600000001,甲,,',
    '2026-11-20 09:05,冒充客服,2,1360000000x,乙,,', // line 3: phone
    '2026-11-20 09:10,虚假贷款,9,13600000003,丙,,', // line 4: level
    '2026-11-20 09:15,网络婚恋交友,2,13600000004,丁,,"两行的',
    '说明"', // the record of line 5 spans two lines
    '2026-11-20 09:20,中奖,2,13600000005,戊,,', // line 7: warning_type
    '2026-11-20 09:25,虚假投资理财,3,,,330681198503174411,', // line 8: id_number
  ].join('\r\n') + '\r\n';
  const badPath = join(srv.dir, 'bad.csv');
  const { execFileSync } = await import('node:child_process');
  writeFileSync(badPath, execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: bad }));
  let err;
  try {
    await fq(['import', 'fraud-warnings', '--db', srv.db, '--unit', STATION2, badPath]);
  } catch (e) { err = e; }
  assert.ok(err, 'a file with bad rows is refused');
  assert.equal(err.code, 1);
  const lines = err.stderr.split('\n').filter((l) => l.startsWith('line '));
  assert.deepEqual(lines.map((l) => l.split(':').slice(0, 2).join(':')), [
    'line 3: phone', 'line 4: level', 'line 7: warning_type', 'line 8: id_number',
  ]);
  assert.match(err.stderr, /4 行数据有错误（共 6 行）：未导入任何数据/);
  assert.equal((await as.chief2.get('/api/v1/fraud-warnings')).json.total, 0, 'nothing written');
  // Fixed file, English headers, UTF-8: a dry run writes nothing, then the import takes all.
  const good = [
    'warned_at,warning_type,level,phone,person_name,id_number,lat,lon,external_ref',
    '2026-11-20 09:00,rebate,1,13600000001,甲,,,,IMP-1',
    '2026-11-20 09:05,customer_service,2,13600000002,乙,,29.70,120.40,IMP-2',
    '2026-11-20 09:10,loan,3,,丙,330681198503174410,,,IMP-3',
  ].join('\n') + '\n';
  const goodPath = join(srv.dir, 'good.csv');
  writeFileSync(goodPath, good);
  let out = await fq(['import', 'fraud-warnings', '--db', srv.db, '--unit', STATION2, '--dry-run', goodPath]);
  assert.match(out.stdout, /dry run, nothing written: 3 rows \(UTF-8\)/);
  assert.equal((await as.chief2.get('/api/v1/fraud-warnings')).json.total, 0);
  out = await fq(['import', 'fraud-warnings', '--db', srv.db, '--unit', STATION2, goodPath]);
  assert.match(out.stdout, /warnings: 3/);
  const l = await as.chief2.get('/api/v1/fraud-warnings?sort=received');
  assert.equal(l.json.total, 3);
  assert.ok(l.json.items.every((x) => x.source === 'import' && x.unit === STATION2));
  const located = l.json.items.find((x) => x.external_ref === 'IMP-2');
  assert.equal(located.route, 'location');
  // Importing the same references again is refused as a whole.
  try { await fq(['import', 'fraud-warnings', '--db', srv.db, '--unit', STATION2, goodPath]); err = null; } catch (e) { err = e; }
  assert.ok(err);
  assert.match(err.stderr, /line 2: external_ref: /);
  assert.equal((await as.chief2.get('/api/v1/fraud-warnings')).json.total, 3);
});

test('import through the API: bad rows listed by line, dry run, all or nothing, scope, audit', async () => {
  const bad = [
    '预警时间,预警类型,预警级别,手机号,姓名,预警编号',
    '2026-11-21 09:00,刷单返利,1,13600000101,甲,API-1',
    '2026-11-21 09:05,冒充电商物流客服,2,1360000010x,乙,API-2', // line 3: phone
    '2026-11-21 09:10,虚假贷款,9,13600000103,丙,API-3', // line 4: level
  ].join('\r\n') + '\r\n';
  // The check (dry run) lists the bad rows by line; the import refuses the file whole.
  let r = await as.community.post('/api/v1/fraud-warnings/import', { csv: bad, dry_run: true });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.rows, r.json.bad_rows, r.json.imported], [3, 2, 0]);
  assert.deepEqual(r.json.lines.map((l) => `${l.line}:${l.field}`), ['3:phone', '4:level']);
  assert.ok(r.json.lines.every((l) => l.message.length > 0));
  r = await as.community.post('/api/v1/fraud-warnings/import', { csv: bad, name: '反诈中心预警.csv' });
  assertError(r, 400, 'bad_rows', 'csv');
  assert.match(r.json.error.message, /2 行数据有错误（共 3 行）/);
  assert.equal((await as.chief.get('/api/v1/fraud-warnings?q=API-1')).json.total, 0, 'nothing written');

  const good = bad.replace('1360000010x', '13600000102').replace(',9,', ',3,');
  r = await as.community.post('/api/v1/fraud-warnings/import', { csv: good, dry_run: true });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.dry_run, r.json.rows, r.json.bad_rows, r.json.imported, r.json.by_route.station], [true, 3, 0, 0, 3]);
  assert.equal((await as.chief.get('/api/v1/fraud-warnings?q=API-')).json.total, 0, 'a dry run writes nothing');
  r = await as.community.post('/api/v1/fraud-warnings/import', { csv: good, name: '反诈中心预警.csv' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.imported, 3);
  const l = await as.chief.get('/api/v1/fraud-warnings?q=API-&sort=received');
  assert.equal(l.json.total, 3);
  assert.ok(l.json.items.every((x) => x.source === 'import' && x.unit === STATION && x.route === 'station'));
  const auditor = await loginAs(srv, who(srv, 'auditor'));
  const a = await auditor.get('/api/v1/audit?action=fraud_warning.import&user=community');
  assert.equal(a.status, 200, a.text);
  assert.equal(a.json.total, 1);
  assert.match(JSON.stringify(a.json.items[0]), /反诈中心预警\.csv/);
  // The same references again: refused as a whole, the line named.
  assertError(await as.community.post('/api/v1/fraud-warnings/import', { csv: good }), 400, 'bad_rows', 'csv');
  r = await as.community.post('/api/v1/fraud-warnings/import', { csv: good, dry_run: true });
  assert.deepEqual(r.json.lines.map((l) => `${l.line}:${l.field}`), ['2:external_ref', '3:external_ref', '4:external_ref']);
  assert.equal((await as.chief.get('/api/v1/fraud-warnings?q=API-')).json.total, 3);
  // Another station is out of scope; readers without fraud.handle cannot import.
  assertError(await as.community.post('/api/v1/fraud-warnings/import', { csv: good.replace(/API-/g, 'APX-'), unit: STATION2 }), 400, 'unknown_unit', 'unit');
  assertError(await as.analyst.post('/api/v1/fraud-warnings/import', { csv: good }), 403, 'forbidden');
  assertError(await as.community.post('/api/v1/fraud-warnings/import', {}), 400, 'missing_field', 'csv');
  assertError(await as.community.post('/api/v1/fraud-warnings/import', { csv: 'warned_at,level\n' }), 400, 'missing_column', 'csv');
});
