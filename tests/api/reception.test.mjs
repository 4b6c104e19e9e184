// The reception hall (暖心警务会客厅): walk-ins logged with their need and
// time spent, refusals naming the field, phones masked role by role and
// reads audited, other stations answered 404, a walk-in turned into an
// alert with one action (through the command room's intake: it merges,
// numbers and audits like any alert), the pending conversions into a
// dispute or case, and the counts per period.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { who, assertError, stopAndCheck } from './helpers.mjs';

const MIN = 60 * 1000;
const DAY = 24 * 60 * MIN;
const STATION = '339902510000';
const PHONE = '13700001111';

let srv;
const as = {};
const t0 = Date.now();
const iso = (ms) => new Date(ms).toISOString();
// The demo holds a year of visits up to yesterday: lists and counts look at this run's.
const SINCE = `from=${encodeURIComponent(iso(t0 - 60 * 60 * 1000))}`;

before(async () => {
  srv = await startServer({ demo: true });
  for (const name of ['operator', 'chief', 'community', 'auxiliary', 'gridworker', 'volunteer', 'analyst', 'auditor', 'chief2']) {
    as[name] = await loginAs(srv, who(srv, name));
  }
});

after(async () => {
  await stopAndCheck(srv);
});

let v1; // help, finished
let v2; // report → alert
let v3; // mediation → pending dispute

test('a walk-in is logged with its need, and finished with what was done', async () => {
  let r = await as.auxiliary.post('/api/v1/reception-visits', {
    visitor_name: '孙大爷', phone: PHONE, need: 'help', what_done: '帮助联系家属', started_at: iso(t0 - 40 * MIN),
  });
  assert.equal(r.status, 201, r.text);
  v1 = r.json.visit;
  assert.match(v1.number, /^JD-339902510000-\d{8}-\d{4}$/);
  assert.equal(v1.unit, STATION);
  assert.equal(v1.need, 'help');
  assert.equal(v1.need_label, '求助');
  assert.equal(v1.handled_by, as.auxiliary.user.id);
  assert.equal(v1.minutes_spent, null);
  r = await as.auxiliary.patch(`/api/v1/reception-visits/${v1.id}`, { ended_at: iso(t0 - 10 * MIN), what_done: '已联系其儿子接回', version: v1.version });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.visit.minutes_spent, 30);
  assert.equal(r.json.visit.what_done, '已联系其儿子接回');
  assertError(await as.auxiliary.patch(`/api/v1/reception-visits/${v1.id}`, { what_done: 'x', version: 1 }), 409, 'stale_version');
  assertError(await as.auxiliary.patch(`/api/v1/reception-visits/${v1.id}`, { ended_at: iso(t0 - DAY) }), 400, 'out_of_range', 'ended_at');
});

test('refusals name the field; volunteers and grid workers may not log', async () => {
  const base = { visitor_name: '王阿姨', need: 'consultation' };
  assertError(await as.community.post('/api/v1/reception-visits', { ...base, need: 'gossip' }), 400, 'invalid_value', 'need');
  assertError(await as.community.post('/api/v1/reception-visits', { need: 'help' }), 400, 'missing_field', 'visitor_name');
  assertError(await as.community.post('/api/v1/reception-visits', { ...base, phone: '12a' }), 400, 'phone_charset', 'phone');
  assertError(await as.community.post('/api/v1/reception-visits', { ...base, started_at: iso(t0 + DAY) }), 400, 'in_future', 'started_at');
  assertError(await as.community.post('/api/v1/reception-visits', { ...base, unit: '339902520000' }), 400, 'unknown_unit', 'unit');
  assertError(await as.community.post('/api/v1/reception-visits', { ...base, handled_by: as.chief2.user.id }), 400, 'unknown_user', 'handled_by');
  for (const name of ['volunteer', 'gridworker', 'analyst', 'auditor']) {
    assertError(await as[name].post('/api/v1/reception-visits', base), 403, 'forbidden');
  }
});

test('phones are masked for readers without the right; reads audited; other stations see 404', async () => {
  const want = { chief: PHONE, operator: PHONE, community: PHONE, auxiliary: PHONE, analyst: '137****1111' };
  for (const [name, phone] of Object.entries(want)) {
    const r = await as[name].get(`/api/v1/reception-visits/${v1.id}`);
    assert.equal(r.status, 200, `${name}: ${r.text}`);
    assert.equal(r.json.visit.phone, phone, name);
  }
  assertError(await as.chief2.get(`/api/v1/reception-visits/${v1.id}`), 404, 'not_found');
  assertError(await as.chief2.post(`/api/v1/reception-visits/${v1.id}/convert`, { to: 'dispute' }), 404, 'not_found');
  assert.equal((await as.chief2.get('/api/v1/reception-visits')).json.total, 0);
  for (const name of ['volunteer', 'gridworker', 'auditor']) assertError(await as[name].get(`/api/v1/reception-visits/${v1.id}`), 403, 'forbidden');
  const a = await as.auditor.get(`/api/v1/audit?object_type=reception_visit&object_id=${v1.id}&per_page=100`);
  const actions = a.json.items.map((e) => e.action);
  assert.ok(actions.includes('reception_visit.create'));
  assert.ok(actions.includes('reception_visit.update'));
  assert.ok(actions.filter((x) => x === 'person.read').length >= 5);
});

test('a walk-in reporting a theft becomes an alert with one action', async () => {
  let r = await as.community.post('/api/v1/reception-visits', {
    visitor_name: '周女士', phone: '13700002222', need: 'report', what_done: '来所报称电动车在菜市场门口被盗',
  });
  assert.equal(r.status, 201, r.text);
  v2 = r.json.visit;
  // A bad category is refused under its alert.* name, and nothing is converted.
  r = await as.community.post(`/api/v1/reception-visits/${v2.id}/convert`, { to: 'alert', alert: { category: 'criminal.unicorn', address: '枫溪镇菜市场' } });
  assertError(r, 400, 'unknown_category', 'alert.category');
  r = await as.community.post(`/api/v1/reception-visits/${v2.id}/convert`, { to: 'alert', alert: { address: '枫溪镇菜市场', colour: 'red' } });
  assertError(r, 400, 'unknown_field', 'alert.colour');
  assert.equal((await as.community.get(`/api/v1/reception-visits/${v2.id}`)).json.visit.converted_to, null);
  r = await as.community.post(`/api/v1/reception-visits/${v2.id}/convert`, {
    to: 'alert', alert: { category: 'criminal.vehicle_theft', address: '枫溪镇菜市场门口', location: { lat: 29.72, lon: 120.22 } },
  });
  assert.equal(r.status, 201, r.text);
  const { visit, alert, incident } = r.json;
  assert.equal(visit.converted_to, 'alert');
  assert.equal(visit.conversion_state, 'done');
  assert.equal(visit.converted_id, alert.id);
  assert.equal(alert.source, 'walk_in');
  assert.equal(alert.caller_name, '周女士');
  assert.equal(alert.description, '来所报称电动车在菜市场门口被盗');
  assert.equal(alert.category, 'criminal.vehicle_theft');
  assert.match(alert.number, /^JJ-339902510000-/);
  assert.ok(incident.id);
  // The command room sees it as any alert; the audit log names the visit.
  const g = await as.operator.get(`/api/v1/alerts/${alert.id}`);
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.alert.caller_phone, '13700002222');
  const a = await as.auditor.get(`/api/v1/audit?object_type=alert&object_id=${alert.id}`);
  const create = a.json.items.find((e) => e.action === 'alert.create');
  assert.ok(create, 'alert creation audited');
  const detail = typeof create.detail === 'string' ? JSON.parse(create.detail) : create.detail;
  assert.equal(detail.reception_visit, v2.id);
  // Once only.
  assertError(await as.community.post(`/api/v1/reception-visits/${v2.id}/convert`, { to: 'dispute' }), 409, 'already_converted');
});

test('a mediation request becomes a pending dispute (disputes are not on this schema yet)', async () => {
  let r = await as.auxiliary.post('/api/v1/reception-visits', { visitor_name: '两户邻居', need: 'mediation', what_done: '宅基地界址纠纷，申请调解' });
  v3 = r.json.visit;
  assertError(await as.auxiliary.post(`/api/v1/reception-visits/${v3.id}/convert`, { to: 'dispute', alert: {} }), 400, 'conflicting_fields', 'alert');
  assertError(await as.auxiliary.post(`/api/v1/reception-visits/${v3.id}/convert`, { to: 'lawsuit' }), 400, 'invalid_value', 'to');
  r = await as.auxiliary.post(`/api/v1/reception-visits/${v3.id}/convert`, { to: 'dispute' });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.json.visit.converted_to, 'dispute');
  assert.equal(r.json.visit.conversion_state, 'pending');
  assert.equal(r.json.visit.converted_id, null);
  r = await as.chief.get(`/api/v1/reception-visits?converted=1&${SINCE}`);
  assert.deepEqual(new Set(r.json.items.map((x) => x.id)), new Set([v2.id, v3.id]));
  r = await as.chief.get(`/api/v1/reception-visits?need=help&${SINCE}`);
  assert.deepEqual(r.json.items.map((x) => x.id), [v1.id]);
  assertError(await as.chief.get('/api/v1/reception-visits?need=gossip'), 400, 'invalid_query', 'need');
});

test('counts per period as in the seeds: visitors, helps, mediations', async () => {
  const from = encodeURIComponent(iso(t0 - 60 * MIN));
  const to = encodeURIComponent(iso(t0 + DAY));
  let r = await as.chief.get(`/api/v1/kpi/reception?unit=${STATION}&from=${from}&to=${to}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.visitors, 3);
  assert.equal(r.json.helps, 1);
  assert.equal(r.json.mediations, 1);
  assert.equal(r.json.services, 0);
  assert.deepEqual(r.json.by_need, { consultation: 0, help: 1, lost_found: 0, certificate: 0, mediation: 1, report: 1 });
  assert.deepEqual(r.json.converted, { alert: 1, service_request: 0, dispute: 1, case: 0 });
  assert.equal(r.json.pending_conversions, 1);
  assert.equal(r.json.average_minutes, 30); // only v1 has an end
  r = await as.analyst.get(`/api/v1/kpi/reception?unit=339902&from=${from}&to=${to}`);
  assert.equal(r.json.visitors, 3);
  assertError(await as.chief2.get(`/api/v1/kpi/reception?unit=${STATION}&from=${from}&to=${to}`), 404, 'not_found');
  assertError(await as.volunteer.get(`/api/v1/kpi/reception?from=${from}&to=${to}`), 403, 'forbidden');
});
