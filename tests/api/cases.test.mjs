// Livelihood cases (民生小案): opened from an incident and from a walk-in,
// parties masked role by role, the state machine with its refusals, losses
// and recoveries (挽损), a "两不办" case transferred, acknowledged and fed
// back, a clue passed on, linkage ranking a planted similar case first, a
// series, scope (chief2 of the other station sees nothing), the audit trail,
// KPIs against figures tallied by hand, and overdue steps escalated with the
// server clock shifted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { who, assertError, restartAt, stopAndCheck, waitFor } from './helpers.mjs';

const MIN = 60 * 1000;
const DAY = 24 * 60 * MIN;
const STATION = '339902510000';

let srv;
const as = {};
const t0 = Date.now();
const iso = (ms) => new Date(ms).toISOString();
// 02:30 China Standard Time, n days before t0 (night-time for linkage).
function nightAt(daysAgo, hour = 2, minute = 30) {
  const d = new Date(t0 - daysAgo * DAY);
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), hour - 8, minute));
  return iso(day.getTime() > t0 ? day.getTime() - DAY : day.getTime());
}

async function loginAll() {
  for (const name of ['operator', 'chief', 'caseofficer', 'community', 'auxiliary', 'chief2', 'auditor', 'analyst']) {
    as[name] = await loginAs(srv, who(srv, name));
  }
}

before(async () => {
  srv = await startServer({ demo: true });
  await loginAll();
});

after(async () => {
  await stopAndCheck(srv);
});

/** A live event stream (GET /api/v1/events) collecting frames: { frames, close }. */
async function openStream(c) {
  const ac = new AbortController();
  const r = await fetch(`${srv.url}/api/v1/events`, { headers: { Accept: 'text/event-stream', Cookie: c.cookie }, signal: ac.signal });
  assert.equal(r.status, 200);
  const s = { frames: [], close: () => ac.abort() };
  (async () => {
    const dec = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of r.body) {
        buf += dec.decode(chunk, { stream: true });
        let cut;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const f = {};
          for (const line of buf.slice(0, cut).split('\n')) {
            if (line.startsWith(':')) continue;
            const i = line.indexOf(':');
            f[i < 0 ? line : line.slice(0, i)] = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
          }
          buf = buf.slice(cut + 2);
          if (f.data !== undefined) s.frames.push({ type: f.event, data: JSON.parse(f.data) });
        }
      }
    } catch { /* closed */ }
  })();
  return s;
}

const PHONE = '13812345678';
const IDNUM = '11010519491231002X';
let walkIn; // a walk-in ebike theft, solved
let fromIncident; // opened from an incident
let gambling; // transferred
const created = []; // every case the test opens, for the KPI tally

function ebikeCase(extra = {}) {
  return {
    type: 'ebike_theft',
    title: '桃园小区电动车被盗',
    description: '事主停放在楼道口的电动车夜间被盗',
    method: '夜间剪断车锁后推走，翻越围墙',
    occurred_at: nightAt(3),
    location: { lat: 29.7200, lon: 120.2200 },
    address: '枫溪镇桃园小区3幢楼道口',
    parties: [
      { role: 'victim', name: '李秀英', phone: PHONE, id_number: IDNUM },
      { role: 'suspect', name: '不详', description: '中年男子，身穿黑色外套，戴鸭舌帽' },
    ],
    lost: [{ description: '雅迪牌电动车一辆，蓝色', value_yuan: 3000 }, { description: '头盔', value_yuan: 120.5 }],
    evidence: ['小区监控录像（2段）'],
    ...extra,
  };
}

test('a case officer opens a walk-in case: number, deadlines, parties, losses; the officer handles it', async () => {
  const r = await as.caseofficer.post('/api/v1/cases', ebikeCase());
  assert.equal(r.status, 201, r.text);
  walkIn = r.json.case;
  created.push(walkIn);
  assert.match(walkIn.number, new RegExp(`^AJ-${STATION}-\\d{8}-\\d{4}$`));
  assert.equal(walkIn.state, 'accepted');
  assert.equal(walkIn.origin, 'walk_in');
  assert.equal(walkIn.unit, STATION);
  assert.equal(walkIn.station_handles, true);
  assert.equal(walkIn.officer_id, as.caseofficer.user.id);
  assert.equal(walkIn.lost_fen, 312050);
  assert.equal(walkIn.recovered_fen, 0);
  assert.deepEqual(walkIn.steps.map((s) => s.step).sort(), ['conclude', 'decide']);
  const decide = walkIn.steps.find((s) => s.step === 'decide');
  const conclude = walkIn.steps.find((s) => s.step === 'conclude');
  const accepted = Date.parse(walkIn.accepted_at);
  assert.equal(Date.parse(decide.due_at) - accepted, 3 * DAY);
  assert.equal(Date.parse(conclude.due_at) - accepted, 30 * DAY);
  assert.equal(decide.overdue, false);
  // The case officer manages cases and sees the parties in full.
  assert.equal(walkIn.parties[0].phone, PHONE);
  assert.equal(walkIn.parties[0].id_number, IDNUM);
  assert.equal(walkIn.evidence.length, 1);
});

test('input is validated field by field', async () => {
  let r = await as.caseofficer.post('/api/v1/cases', ebikeCase({ type: 'murder' }));
  assertError(r, 400, 'invalid_value', 'type');
  r = await as.caseofficer.post('/api/v1/cases', ebikeCase({ parties: [{ role: 'victim', name: '张三', phone: '12345x' }] }));
  assertError(r, 400, 'phone_charset', 'parties[0].phone');
  r = await as.caseofficer.post('/api/v1/cases', ebikeCase({ parties: [{ role: 'victim', name: '张三', id_number: '110105194912310021' }] }));
  assertError(r, 400, 'id_checksum', 'parties[0].id_number');
  r = await as.caseofficer.post('/api/v1/cases', ebikeCase({ lost: [{ description: '钱包', value_yuan: 1.234 }] }));
  assertError(r, 400, 'invalid_value', 'lost[0].value_yuan');
  r = await as.caseofficer.post('/api/v1/cases', ebikeCase({ title: '' }));
  assertError(r, 400, 'missing_field', 'title');
  r = await as.caseofficer.post('/api/v1/cases', ebikeCase({ occurred_at: iso(t0 + DAY) }));
  assertError(r, 400, 'invalid_value', 'occurred_at');
  r = await as.caseofficer.post('/api/v1/cases', { ...ebikeCase(), colour: 'red' });
  assertError(r, 400, 'unknown_field', 'colour');
});

test('a case opened from an incident takes its station, grid and place', async () => {
  let r = await as.operator.post('/api/v1/alerts', {
    received_at: iso(t0 - 2 * 3600 * 1000), source: 'phone_110', caller_name: '王先生', caller_phone: '13900001111',
    address: '枫溪镇柳溪村村委会旁', location: { lat: 29.735, lon: 120.205 }, category: 'public_order.fight',
    description: '两名男子在村委会门口打架',
  });
  assert.equal(r.status, 201, r.text);
  const incidentId = r.json.incident.id;
  r = await as.caseofficer.post('/api/v1/cases', {
    incident_id: incidentId, type: 'assault', title: '柳溪村殴打他人案', description: '因琐事发生口角后殴打对方',
    parties: [{ role: 'victim', name: '王先生', phone: '13900001111' }, { role: 'suspect', name: '赵某' }],
  });
  assert.equal(r.status, 201, r.text);
  fromIncident = r.json.case;
  created.push(fromIncident);
  assert.equal(fromIncident.origin, 'incident');
  assert.equal(fromIncident.incident_id, incidentId);
  assert.equal(fromIncident.address, '枫溪镇柳溪村村委会旁');
  assert.ok(fromIncident.location && Math.abs(fromIncident.location.lat - 29.735) < 1e-6);
  r = await as.chief.get(`/api/v1/cases?incident_id=${incidentId}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((c) => c.id), [fromIncident.id]);
  // An incident that does not exist is refused naming the field.
  r = await as.caseofficer.post('/api/v1/cases', { incident_id: '01900000-0000-7000-8000-000000000000', type: 'assault', title: 'x', description: 'y' });
  assertError(r, 400, 'unknown_incident', 'incident_id');
});

test('masking role by role; reading a case is audited; other roles and stations are refused', async () => {
  const path = `/api/v1/cases/${walkIn.id}`;
  let r = await as.chief.get(path);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.case.parties[0].phone, PHONE);
  assert.equal(r.json.case.parties[0].id_number, IDNUM);
  for (const name of ['community', 'analyst']) {
    r = await as[name].get(path);
    assert.equal(r.status, 200, `${name}: ${r.text}`);
    assert.equal(r.json.case.parties[0].phone, '138****5678', name);
    assert.equal(r.json.case.parties[0].id_number, '110105********002X', name);
    assert.doesNotMatch(r.text, new RegExp(PHONE), name);
  }
  r = await as.auxiliary.get(path);
  assertError(r, 403, 'forbidden');
  r = await as.operator.get('/api/v1/cases');
  assertError(r, 403, 'forbidden');
  // The other station's chief: the case does not exist for him.
  r = await as.chief2.get(path);
  assertError(r, 404, 'not_found');
  r = await as.chief2.post(`${path}/investigate`, {});
  assertError(r, 404, 'not_found');
  r = await as.chief2.get('/api/v1/cases');
  assert.equal(r.status, 200);
  assert.equal(r.json.total, 0);
  // Readers may not write.
  r = await as.community.post(`${path}/investigate`, {});
  assertError(r, 403, 'forbidden');
  r = await as.auditor.get(`/api/v1/audit?object_type=case&object_id=${walkIn.id}&per_page=50`);
  assert.equal(r.status, 200, r.text);
  const reads = r.json.items.filter((e) => e.action === 'person.read');
  assert.deepEqual(reads.map((e) => e.username).sort(), ['analyst', 'chief', 'community']);
});

test('the state machine: investigate, solve with a result; invalid steps are 409 and leave nothing', async () => {
  const path = `/api/v1/cases/${walkIn.id}`;
  let r = await as.caseofficer.post(`${path}/solve`, { result: '抓获' });
  assertError(r, 409, 'invalid_transition');
  r = await as.caseofficer.post(`${path}/investigate`, { version: 99 });
  assertError(r, 409, 'stale_version', 'version');
  r = await as.caseofficer.post(`${path}/investigate`, { version: walkIn.version });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.case.state, 'investigating');
  assert.ok(r.json.case.steps.find((s) => s.step === 'decide').done_at);
  r = await as.caseofficer.post(`${path}/recoveries`, { description: '追回电动车一辆', value_yuan: 2500, recovered_at: iso(t0 - 3600 * 1000) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.case.recovered_fen, 250000);
  assert.equal(r.json.case.recovered[0].value_yuan, 2500);
  r = await as.caseofficer.post(`${path}/recoveries`, { description: '退赔现金', value_yuan: -5 });
  assertError(r, 400, 'out_of_range', 'value_yuan');
  r = await as.caseofficer.post(`${path}/solve`, {});
  assertError(r, 400, 'missing_field', 'result');
  r = await as.caseofficer.post(`${path}/solve`, { result: '调取监控锁定嫌疑人，已抓获并追回车辆' });
  assert.equal(r.status, 200, r.text);
  walkIn = r.json.case;
  assert.equal(walkIn.state, 'solved');
  assert.ok(walkIn.steps.every((s) => s.done_at));
  r = await as.caseofficer.post(`${path}/extend`, { reason: '案情复杂' });
  assertError(r, 409, 'no_deadline');
  // Reopening needs a reason and starts a new handling period.
  r = await as.chief.post(`${path}/reopen`, {});
  assertError(r, 400, 'missing_field', 'reason');
  r = await as.chief.post(`${path}/reopen`, { reason: '事主反映另有财物被盗' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.case.state, 'reopened');
  const conclude = r.json.case.steps.find((s) => s.step === 'conclude');
  assert.equal(conclude.done_at, null);
  r = await as.caseofficer.post(`${path}/extend`, { reason: '需等待鉴定结果' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.case.steps.find((s) => s.step === 'conclude').extended, true);
  r = await as.caseofficer.post(`${path}/extend`, { reason: '再延' });
  assertError(r, 409, 'already_extended');
  r = await as.caseofficer.post(`${path}/investigate`, {});
  assert.equal(r.status, 200, r.text);
  r = await as.caseofficer.post(`${path}/solve`, { result: '另一财物系事主遗忘，原案告破' });
  assert.equal(r.status, 200, r.text);
  walkIn = r.json.case;
  assert.deepEqual(walkIn.timeline.map((e) => e.kind), ['accepted', 'investigate', 'recovered', 'solve', 'reopen', 'extend', 'investigate', 'solve']);
});

test('a gambling case must be transferred: transfer, acknowledgement, feedback, then it may be closed', async () => {
  const reader = await openStream(as.community);
  const other = await openStream(as.chief2);
  const noRight = await openStream(as.auxiliary);
  let r = await as.caseofficer.post('/api/v1/cases', {
    type: 'gambling', title: '棋牌室聚众赌博', description: '群众举报某棋牌室聚众赌博，现场查获赌资',
    address: '枫溪镇桃园路12号', parties: [{ role: 'suspect', name: '钱某', phone: '13700002222' }],
  });
  assert.equal(r.status, 201, r.text);
  gambling = r.json.case;
  created.push(gambling);
  assert.equal(gambling.station_handles, false);
  assert.deepEqual(gambling.steps.map((s) => s.step).sort(), ['decide', 'transfer']);
  const path = `/api/v1/cases/${gambling.id}`;
  r = await as.caseofficer.post(`${path}/investigate`, {});
  assert.equal(r.status, 200, r.text);
  r = await as.caseofficer.post(`${path}/solve`, { result: '罚款了事' });
  assertError(r, 409, 'must_transfer');
  r = await as.caseofficer.post(`${path}/transfers`, { receiver_name: '枫溪县公安局治安大队', receiver_kind: 'vice', items: ['赌资 3200 元'] });
  assertError(r, 400, 'invalid_value', 'receiver_kind');
  r = await as.caseofficer.post(`${path}/transfers`, { receiver_name: '枫溪县公安局治安大队', receiver_kind: 'public_order', items: [] });
  assertError(r, 400, 'missing_field', 'items');
  r = await as.caseofficer.post(`${path}/transfers`, {
    receiver_name: '枫溪县公安局治安大队', receiver_kind: 'public_order',
    items: ['赌资 3200 元', '扑克牌 6 副', '嫌疑人钱某'], note: '现场查获，移交治安大队',
  });
  assert.equal(r.status, 201, r.text);
  const t = r.json.transfer;
  assert.match(t.number, /^YJ-/);
  assert.equal(t.kind, 'case');
  assert.equal(t.status, 'pending_ack');
  assert.deepEqual(t.items, ['赌资 3200 元', '扑克牌 6 副', '嫌疑人钱某']);
  r = await as.chief.get(path);
  assert.equal(r.json.case.state, 'transferred');
  assert.ok(r.json.case.steps.every((s) => s.done_at));
  // A transferred case cannot be transferred again nor closed before the feedback.
  r = await as.caseofficer.post(`${path}/transfers`, { receiver_name: 'x', receiver_kind: 'other', items: ['y'] });
  assertError(r, 409, 'invalid_transition');
  r = await as.caseofficer.post(`${path}/close`, { reason: '已移交' });
  assertError(r, 409, 'awaiting_feedback');
  r = await as.caseofficer.post(`/api/v1/transfers/${t.id}/feedback`, { result: '已立案' });
  assertError(r, 409, 'not_acknowledged');
  r = await as.caseofficer.post(`/api/v1/transfers/${t.id}/acknowledge`, { by: '治安大队 孙警官' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.transfer.status, 'pending_feedback');
  assert.equal(r.json.transfer.acknowledgement.by, '治安大队 孙警官');
  r = await as.caseofficer.post(`/api/v1/transfers/${t.id}/acknowledge`, { by: '又一次' });
  assertError(r, 409, 'already_acknowledged');
  r = await as.chief2.post(`/api/v1/transfers/${t.id}/feedback`, { result: '已立案' });
  assertError(r, 404, 'not_found');
  r = await as.caseofficer.post(`/api/v1/transfers/${t.id}/feedback`, { result: '已行政拘留 3 人，赌资没收' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.transfer.status, 'done');
  assert.equal(r.json.transfer.feedback.result, '已行政拘留 3 人，赌资没收');
  r = await as.caseofficer.post(`${path}/close`, { reason: '移交单位已反馈处理结果' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.case.state, 'closed');
  assert.deepEqual(r.json.case.transfers.map((x) => x.status), ['done']);
  // Live events: the station's readers hear of it (names and states, no personal data);
  // the other station and a role without case.read do not.
  const mine = (f) => f.data.id === gambling.id;
  assert.ok(await waitFor(() => reader.frames.some((f) => f.type === 'case.updated' && mine(f) && f.data.state === 'closed'), 5000) >= 0,
    JSON.stringify(reader.frames.map((f) => f.type)));
  const types = reader.frames.filter((f) => mine(f) || f.data.id === t.id).map((f) => f.type);
  assert.equal(types[0], 'case.created');
  assert.ok(types.includes('transfer.created') && types.includes('transfer.updated'), JSON.stringify(types));
  assert.doesNotMatch(JSON.stringify(reader.frames), /13700002222|钱某/);
  assert.ok(!other.frames.some((f) => /^(case|transfer)\./.test(f.type)));
  assert.ok(!noRight.frames.some((f) => /^(case|transfer)\./.test(f.type)));
  for (const x of [reader, other, noRight]) x.close();
  r = await as.auditor.get(`/api/v1/audit?object_type=transfer&object_id=${t.id}&per_page=50`);
  assert.deepEqual([...r.json.items].reverse().map((e) => [e.action, e.username]), [
    ['transfer.create', 'caseofficer'], ['transfer.acknowledge', 'caseofficer'], ['transfer.feedback', 'caseofficer'],
  ]);
});

test('a clue is passed on and counted; transfers list by status', async () => {
  let r = await as.caseofficer.post('/api/v1/transfers', { clue_source: '走访', receiver_name: '禁毒大队', receiver_kind: 'drug', items: ['走访笔录'] });
  assertError(r, 400, 'missing_field', 'clue_text');
  r = await as.caseofficer.post('/api/v1/transfers', {
    clue_text: '群众反映柳溪村某出租屋常有人深夜聚集，疑似吸毒', clue_source: '社区走访', case_id: fromIncident.id,
    receiver_name: '枫溪县公安局禁毒大队', receiver_kind: 'drug', items: ['走访笔录 1 份'],
  });
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.transfer.number, /^XS-/);
  assert.equal(r.json.transfer.kind, 'clue');
  const clueId = r.json.transfer.id;
  // A clue tied to a case leaves the case's state alone.
  r = await as.chief.get(`/api/v1/cases/${fromIncident.id}`);
  assert.equal(r.json.case.state, 'accepted');
  // The demo's transfers are all acknowledged: the new clue is the only one waiting.
  r = await as.chief.get('/api/v1/transfers?status=pending_ack');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((x) => x.id), [clueId]);
  r = await as.chief.get('/api/v1/transfers?kind=case&per_page=200');
  assert.ok(r.json.items.length > 1);
  assert.ok(r.json.items.every((x) => x.kind === 'case'));
  assert.ok(r.json.items.some((x) => x.case_id === gambling.id && x.status === 'done'));
  r = await as.chief.get('/api/v1/transfers?kind=clue&status=done');
  assert.ok(r.json.items.every((x) => x.kind === 'clue' && x.feedback));
  r = await as.chief2.get('/api/v1/transfers');
  assert.equal(r.json.total, 0);
  r = await as.chief2.get(`/api/v1/transfers/${clueId}`);
  assertError(r, 404, 'not_found');
  r = await as.community.get(`/api/v1/transfers/${clueId}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.transfer.clue_source, '社区走访');
  r = await as.auditor.get(`/api/v1/audit?object_type=transfer&object_id=${clueId}`);
  assert.deepEqual(r.json.items.map((e) => [e.action, e.username]), [['person.read', 'community'], ['transfer.create', 'caseofficer']]);
  r = await as.chief.get('/api/v1/transfers?status=lost');
  assertError(r, 400, 'invalid_query', 'status');
});

let planted;

test('linkage ranks a planted similar case first, with reasons; a series links them', async () => {
  // Decoys: same group but other type, other time of day, far away, other method.
  const decoys = [
    { type: 'bicycle_theft', title: '学校门口自行车被盗', description: '白天在学校门口被盗', method: '趁人不备骑走', occurred_at: nightAt(10, 14, 0), location: { lat: 29.80, lon: 120.30 } },
    { type: 'ebike_theft', title: '菜市场电动车被盗', description: '上午在菜市场门口被盗', method: '使用万能钥匙开锁骑走', occurred_at: nightAt(12, 10, 0), location: { lat: 29.76, lon: 120.26 } },
    { type: 'petty_theft', title: '商店被盗', description: '商店收银台现金被盗', method: '趁店主不在拿走现金', occurred_at: nightAt(5, 16, 0) },
  ];
  for (const d of decoys) {
    const r = await as.caseofficer.post('/api/v1/cases', { ...d, lost: [{ description: '财物', value_yuan: 100 }] });
    assert.equal(r.status, 201, r.text);
    created.push(r.json.case);
  }
  let r = await as.caseofficer.post('/api/v1/cases', ebikeCase({
    title: '桃园小区又一辆电动车被盗', occurred_at: nightAt(6, 3, 10), location: { lat: 29.7230, lon: 120.2210 },
    method: '夜间剪断车锁推走，翻越小区围墙', parties: [{ role: 'suspect', name: '不详', description: '中年男子，黑色外套，戴鸭舌帽' }],
    lost: [{ description: '雅迪电动车一辆，白色', value_yuan: 2800 }], evidence: [],
  }));
  assert.equal(r.status, 201, r.text);
  planted = r.json.case;
  created.push(planted);
  r = await as.chief.get(`/api/v1/cases/${walkIn.id}/similar?limit=5&min_score=0`);
  assert.equal(r.status, 200, r.text);
  const cands = r.json.candidates;
  assert.equal(cands[0].id, planted.id, JSON.stringify(cands, null, 1));
  assert.ok(cands[0].score > 0.7, `score ${cands[0].score}`);
  for (let i = 1; i < cands.length; i++) assert.ok(cands[i - 1].score >= cands[i].score);
  assert.match(cands[0].reasons, /^同为夜间盗窃电动车，相距 \d+ 米，作案手段相似度 0\.\d\d/);
  assert.ok(!cands.some((c) => c.id === walkIn.id));
  // Violence cases are another group: never candidates of a theft.
  assert.ok(!cands.some((c) => c.id === fromIncident.id));
  r = await as.chief.get(`/api/v1/cases/${walkIn.id}/similar?limit=0`);
  assertError(r, 400, 'invalid_query', 'limit');
  r = await as.chief2.get(`/api/v1/cases/${walkIn.id}/similar`);
  assertError(r, 404, 'not_found');
  // The analyst's unit covers every station of the county.
  r = await as.analyst.get(`/api/v1/cases/${walkIn.id}/similar?limit=5`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.candidates[0].id, planted.id);

  r = await as.caseofficer.post('/api/v1/case-series', { name: '桃园小区夜间盗窃电动车系列案', reason: '同一小区、同为夜间剪锁', case_ids: [walkIn.id, walkIn.id] });
  assertError(r, 400, 'duplicate', 'case_ids');
  r = await as.analyst.post('/api/v1/case-series', { name: 'x', reason: 'y', case_ids: [walkIn.id, planted.id] });
  assertError(r, 403, 'forbidden');
  r = await as.caseofficer.post('/api/v1/case-series', { name: '桃园小区夜间盗窃电动车系列案', reason: '同一小区、同为夜间剪锁', case_ids: [walkIn.id, planted.id] });
  assert.equal(r.status, 201, r.text);
  const series = r.json.series;
  assert.match(series.number, /^CB-/);
  assert.deepEqual(series.members.map((m) => m.id).sort(), [walkIn.id, planted.id].sort());
  r = await as.chief.get(`/api/v1/cases/${planted.id}`);
  assert.deepEqual(r.json.case.series.map((s) => s.id), [series.id]);
  r = await as.analyst.get(`/api/v1/case-series/${series.id}`);
  assert.equal(r.status, 200);
  r = await as.chief2.get(`/api/v1/case-series/${series.id}`);
  assertError(r, 404, 'not_found');
  r = await as.auditor.get(`/api/v1/audit?object_type=case_series&object_id=${series.id}`);
  assert.equal(r.json.items[0].action, 'series.create');
  assert.equal(r.json.items[0].reason, '同一小区、同为夜间剪锁');
});

test('list: filters, paging and sorting (the demo year of cases is there too)', async () => {
  const since = `from=${encodeURIComponent(iso(t0 - MIN))}`;
  let r = await as.chief.get(`/api/v1/cases?${since}&per_page=2&sort=-lost`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.total, created.length);
  assert.equal(r.json.items.length, 2);
  assert.ok(r.json.items[0].lost_fen >= r.json.items[1].lost_fen);
  r = await as.chief.get(`/api/v1/cases?${since}&per_page=2&page=4`);
  assert.equal(r.json.items.length, 1); // 7 cases, pages of 2
  r = await as.chief.get('/api/v1/cases?per_page=200');
  assert.ok(r.json.total > 250, `demo cases: ${r.json.total}`);
  for (let i = 1; i < r.json.items.length; i++) assert.ok(r.json.items[i - 1].accepted_at >= r.json.items[i].accepted_at);
  r = await as.chief.get(`/api/v1/cases?${since}&type=gambling`);
  assert.deepEqual(r.json.items.map((c) => c.id), [gambling.id]);
  r = await as.chief.get(`/api/v1/cases?${since}&state=open`);
  assert.ok(r.json.items.every((c) => ['accepted', 'investigating', 'reopened'].includes(c.state)));
  assert.equal(r.json.total, created.filter((c) => ![walkIn.id, gambling.id].includes(c.id)).length);
  r = await as.caseofficer.get(`/api/v1/cases?${since}&mine=1&state=solved`);
  assert.deepEqual(r.json.items.map((c) => c.id), [walkIn.id]);
  r = await as.chief.get('/api/v1/cases?sort=size');
  assertError(r, 400, 'invalid_query', 'sort');
  r = await as.chief.get('/api/v1/cases?state=lost');
  assertError(r, 400, 'invalid_query', 'state');
  r = await as.chief.get('/api/v1/case-types');
  assert.equal(r.status, 200);
  const types = Object.fromEntries(r.json.types.map((t) => [t.code, t]));
  for (const code of ['gambling', 'drug_use', 'prostitution', 'burglary']) assert.equal(types[code].station_handles, false, code);
  for (const code of ['ebike_theft', 'assault', 'property_damage']) assert.equal(types[code].station_handles, true, code);
});

test('KPIs against the figures tallied from what this test opened', async () => {
  // The demo's cases were all accepted a day or more before the server started.
  const r = await as.chief.get(`/api/v1/kpi/cases?unit=${STATION}&from=${iso(t0 - MIN)}&to=${iso(t0 + DAY)}`);
  assert.equal(r.status, 200, r.text);
  const k = r.json;
  // Opened: walk-in, from incident, gambling, 3 decoys, planted = 7.
  assert.equal(created.length, 7);
  assert.equal(k.cases_opened, 7);
  assert.equal(k.cases_solved, 1); // walkIn
  assert.equal(k.cases_transferred, 1); // gambling
  assert.equal(k.clues_transferred, 1);
  // Lost: 3120.50 (walk-in) + 3 × 100 (decoys) + 2800 (planted) = 6220.50 yuan.
  assert.equal(k.money_lost_fen, 622050);
  assert.equal(k.money_recovered_fen, 250000);
  assert.equal(k.solve_rate, Math.round((1 / 6) * 10000) / 10000);
  assert.equal(k.recovery_rate, Math.round((250000 / 622050) * 10000) / 10000);
  // The demo year: a figure for every month, consistent with the list.
  const year = await as.chief.get(`/api/v1/kpi/cases?from=${iso(t0 - 400 * DAY)}&to=${iso(t0 - MIN)}`);
  assert.equal(year.status, 200, year.text);
  assert.ok(year.json.cases_opened > 250 && year.json.cases_solved > 50 && year.json.cases_transferred > 10, year.text);
  assert.ok(year.json.clues_transferred >= 20 && year.json.money_recovered_fen > 0, year.text);
  const listed = await as.chief.get(`/api/v1/cases?to=${encodeURIComponent(iso(t0 - MIN))}&per_page=1`);
  assert.equal(listed.json.total, year.json.cases_opened);
  const solved = await as.chief.get(`/api/v1/cases?to=${encodeURIComponent(iso(t0 - MIN))}&state=solved&per_page=1`);
  assert.equal(solved.json.total, year.json.cases_solved);
  let r2 = await as.chief2.get(`/api/v1/kpi/cases?unit=${STATION}&from=${iso(t0 - DAY)}&to=${iso(t0 + DAY)}`);
  assertError(r2, 404, 'not_found');
  r2 = await as.chief.get(`/api/v1/kpi/cases?unit=${STATION}&from=${iso(t0 - DAY)}`);
  assertError(r2, 400, 'missing_field', 'to');
});

test('overdue steps with the server clock shifted 4 days: listed, escalated once to the chief, audited', async () => {
  await restartAt(srv, 4 * DAY);
  await loginAll();
  // The housekeeping thread escalates overdue steps soon after start.
  const ms = await waitFor(async () => {
    const r = await as.chief.get(`/api/v1/cases/${fromIncident.id}`);
    return r.json?.case?.timeline?.some((e) => e.kind === 'escalation');
  }, 10000);
  assert.ok(ms >= 0, 'no escalation within 10 s');
  let r = await as.chief.get(`/api/v1/cases/${fromIncident.id}`);
  const decide = r.json.case.steps.find((s) => s.step === 'decide');
  assert.equal(decide.overdue, true);
  assert.ok(decide.escalated_at);
  assert.equal(r.json.case.overdue, true);
  assert.equal(r.json.case.timeline.filter((e) => e.kind === 'escalation').length, 1);
  r = await as.chief.get('/api/v1/cases?overdue=1&per_page=100');
  const overdue = r.json.items.map((c) => c.id);
  assert.ok(overdue.includes(fromIncident.id));
  assert.ok(!overdue.includes(walkIn.id));
  assert.ok(!overdue.includes(gambling.id));
  r = await as.chief.get('/api/v1/cases?overdue=0&per_page=100');
  assert.ok(r.json.items.some((c) => c.id === walkIn.id));
  r = await as.auditor.get(`/api/v1/audit?object_type=case&object_id=${fromIncident.id}&per_page=50`);
  const esc = r.json.items.filter((e) => e.action === 'case.escalate');
  assert.equal(esc.length, 1);
  assert.equal(esc[0].username, 'system');
  assert.equal(esc[0].detail.step, 'decide');
  // Taking the step settles it: no longer overdue.
  r = await as.caseofficer.post(`/api/v1/cases/${fromIncident.id}/investigate`, {});
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.case.overdue, false);
});

test('search (q) by number, title, address and party name; a case made from a reception visit links back to it', async () => {
  // A visit to the reception hall turned into a case (docs/reception.md).
  let r = await as.caseofficer.post('/api/v1/reception-visits', { visitor_name: '周晓梅', phone: '13812345699', need: 'report', what_done: '报称晾晒的被褥被人剪坏' });
  assert.equal(r.status, 201, r.text);
  const visit = r.json.visit;
  r = await as.caseofficer.post(`/api/v1/reception-visits/${visit.id}/convert`, {
    to: 'case',
    case: { type: 'property_damage', title: '樱桃巷晾晒被褥被剪坏', address: '枫溪镇樱桃巷17号' },
  });
  assert.equal(r.status, 201, r.text);
  const kase = r.json.case;
  assert.deepEqual(kase.reception_visit, { id: visit.id, number: visit.number, need: 'report', need_label: '报案报警', started_at: visit.started_at });
  r = await as.community.get(`/api/v1/cases/${kase.id}`);
  assert.equal(r.json.case.reception_visit.number, visit.number, 'readers see the link too');
  assert.equal(r.json.case.reception_visit.visitor_name, undefined, 'the link names nobody');
  r = await as.chief.get(`/api/v1/cases/${walkIn.id}`);
  assert.equal(r.json.case.reception_visit, null);

  // Search: part of the title, the address, the number; a party's full name (not part of it).
  const ids = async (q, c = as.chief) => {
    const a = await c.get(`/api/v1/cases?q=${encodeURIComponent(q)}&per_page=200`);
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.total, a.json.items.length);
    return a.json.items.map((x) => x.id);
  };
  assert.deepEqual(await ids('被褥被剪坏'), [kase.id]);
  assert.deepEqual(await ids('樱桃巷17号'), [kase.id]);
  assert.deepEqual(await ids(kase.number.slice(-13)), [kase.id]);
  assert.deepEqual(await ids('周晓梅'), [kase.id]);
  assert.deepEqual(await ids('周晓'), []);
  assert.ok((await ids('李秀英')).includes(walkIn.id));
  // With the other filters, and within the caller's scope only.
  r = await as.chief.get(`/api/v1/cases?q=${encodeURIComponent('周晓梅')}&state=solved`);
  assert.equal(r.json.total, 0);
  r = await as.chief.get(`/api/v1/cases?q=${encodeURIComponent('周晓梅')}&type=property_damage&state=open`);
  assert.deepEqual(r.json.items.map((x) => x.id), [kase.id]);
  assert.deepEqual(await ids('周晓梅', as.chief2), []);
  assertError(await as.chief.get(`/api/v1/cases?q=${'长'.repeat(500)}`), 400, 'invalid_query', 'q');
});
