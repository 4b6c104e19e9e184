// The reception hall (暖心警务会客厅): walk-ins logged with their need and
// time spent, refusals naming the field, phones masked role by role and
// reads audited, other stations answered 404, a walk-in turned into an
// alert with one action (through the command room's intake: it merges,
// numbers and audits like any alert), into a dispute, a case or a service
// request (through those capabilities' own intake, with the target's right),
// pending conversions of the demo history completed, and the counts per period.
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
  for (const name of ['operator', 'chief', 'community', 'auxiliary', 'gridworker', 'volunteer', 'analyst', 'auditor', 'chief2', 'caseofficer']) {
    as[name] = await loginAs(srv, who(srv, name));
  }
});

after(async () => {
  await stopAndCheck(srv);
});

let v1; // help, finished
let v2; // report → alert
let v3; // mediation → dispute

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

// The audit entries of an object, newest first.
async function auditOf(type, id) {
  const a = await as.auditor.get(`/api/v1/audit?object_type=${type}&object_id=${id}&per_page=100`);
  assert.equal(a.status, 200, a.text);
  return a.json.items.map((e) => ({ ...e, detail: typeof e.detail === 'string' ? JSON.parse(e.detail) : e.detail }));
}

async function convertAudited(visit, to, object) {
  const create = (await auditOf(to, object.id)).find((e) => e.action === `${to}.create`);
  assert.ok(create, `${to} creation audited`);
  assert.equal(create.detail.reception_visit, visit.id);
  const conv = (await auditOf('reception_visit', visit.id)).find((e) => e.action === 'reception_visit.convert');
  assert.ok(conv, 'conversion audited');
  assert.equal(conv.detail.to, to);
  assert.equal(conv.detail.object_id, object.id);
}

test('a mediation request becomes a dispute with one action, the visitor as its party', async () => {
  let r = await as.auxiliary.post('/api/v1/reception-visits', { visitor_name: '陈建国', phone: '13700003333', need: 'mediation', what_done: '与邻居因宅基地界址发生争执，申请调解' });
  assert.equal(r.status, 201, r.text);
  v3 = r.json.visit;
  const url = `/api/v1/reception-visits/${v3.id}/convert`;
  assertError(await as.auxiliary.post(url, { to: 'dispute', alert: {} }), 400, 'conflicting_fields', 'alert');
  assertError(await as.auxiliary.post(url, { to: 'dispute', dispute: { type: 'neighbour' }, case: {} }), 400, 'conflicting_fields', 'case');
  assertError(await as.auxiliary.post(url, { to: 'lawsuit' }), 400, 'invalid_value', 'to');
  // The dispute API's own checks, under dispute.* names; nothing is made or marked.
  assertError(await as.auxiliary.post(url, { to: 'dispute' }), 400, 'missing_field', 'dispute');
  assertError(await as.auxiliary.post(url, { to: 'dispute', dispute: 'neighbour' }), 400, 'invalid_type', 'dispute');
  assertError(await as.auxiliary.post(url, { to: 'dispute', dispute: { address: '桃园社区5幢' } }), 400, 'missing_field', 'dispute.type');
  assertError(await as.auxiliary.post(url, { to: 'dispute', dispute: { type: 'quarrel', address: '桃园社区5幢' } }), 400, 'invalid_value', 'dispute.type');
  assertError(await as.auxiliary.post(url, { to: 'dispute', dispute: { type: 'neighbour', address: '桃园社区5幢', mood: 'angry' } }), 400, 'unknown_field', 'dispute.mood');
  assertError(await as.auxiliary.post(url, { to: 'dispute', dispute: { type: 'neighbour', address: '桃园社区5幢', parties: [{ phone: '13700003334' }] } }), 400, 'missing_field', 'dispute.parties[0].name');
  assert.equal((await as.auxiliary.get(`/api/v1/reception-visits/${v3.id}`)).json.visit.converted_to, null);

  r = await as.auxiliary.post(url, { to: 'dispute', dispute: { type: 'land_boundary', address: '枫溪镇柳溪村3组' }, version: v3.version });
  assert.equal(r.status, 201, r.text);
  const { visit, dispute } = r.json;
  assert.equal(visit.converted_to, 'dispute');
  assert.equal(visit.conversion_state, 'done');
  assert.equal(visit.converted_id, dispute.id);
  assert.equal(dispute.source, 'walk_in');
  assert.equal(dispute.description, '与邻居因宅基地界址发生争执，申请调解');
  assert.equal(dispute.parties.length, 1);
  assert.equal(dispute.parties[0].name, '陈建国');
  // The dispute register has it as any dispute.
  const g = await as.chief.get(`/api/v1/disputes/${dispute.id}`);
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.dispute.type, 'land_boundary');
  assert.equal(g.json.dispute.unit, STATION);
  assert.equal(g.json.dispute.parties[0].phone, '13700003333');
  await convertAudited(v3, 'dispute', dispute);
  assertError(await as.auxiliary.post(url, { to: 'dispute', dispute: { type: 'neighbour', address: 'x' } }), 409, 'already_converted');
});

let v4; // report → case
let v5; // certificate → service request

test('a walk-in report becomes a livelihood case; it needs case.manage', async () => {
  let r = await as.caseofficer.post('/api/v1/reception-visits', { visitor_name: '吴先生', phone: '13700004444', need: 'report', what_done: '来所报称放在车库的电动车被盗' });
  assert.equal(r.status, 201, r.text);
  v4 = r.json.visit;
  const url = `/api/v1/reception-visits/${v4.id}/convert`;
  const body = { to: 'case', case: { type: 'ebike_theft', title: '车库电动车被盗', address: '枫溪镇桃园小区车库' } };
  // The community officer logs visits but does not open cases.
  assertError(await as.community.post(url, body), 403, 'forbidden');
  assertError(await as.caseofficer.post(url, { to: 'case', case: { type: 'ebike_theft' } }), 400, 'missing_field', 'case.title');
  assertError(await as.caseofficer.post(url, { to: 'case', case: { ...body.case, type: 'murder' } }), 400, 'invalid_value', 'case.type');
  assertError(await as.caseofficer.post(url, { to: 'case', case: { ...body.case, parties: [{ role: 'bystander', name: '某某' }] } }), 400, 'invalid_value', 'case.parties[0].role');
  assert.equal((await as.caseofficer.get(`/api/v1/reception-visits/${v4.id}`)).json.visit.converted_to, null);

  r = await as.caseofficer.post(url, body);
  assert.equal(r.status, 201, r.text);
  const { visit } = r.json;
  const kase = r.json.case;
  assert.equal(visit.converted_to, 'case');
  assert.equal(visit.conversion_state, 'done');
  assert.equal(visit.converted_id, kase.id);
  assert.match(kase.number, /^AJ-339902510000-/);
  assert.equal(kase.origin, 'walk_in');
  assert.equal(kase.officer_id, as.caseofficer.user.id);
  assert.equal(kase.description, '来所报称放在车库的电动车被盗');
  const g = await as.chief.get(`/api/v1/cases/${kase.id}`);
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.case.title, '车库电动车被盗');
  assert.equal(g.json.case.unit, STATION);
  assert.deepEqual(g.json.case.parties.map((p) => [p.role, p.name, p.phone]), [['victim', '吴先生', '13700004444']]);
  await convertAudited(v4, 'case', kase);
  assertError(await as.caseofficer.post(url, body), 409, 'already_converted');
});

test('a certificate request becomes a door-to-door service request; it needs service.manage', async () => {
  let r = await as.operator.post('/api/v1/reception-visits', { visitor_name: '郑奶奶', phone: '13700005555', need: 'certificate', what_done: '老人行动不便，需上门办理居住证' });
  assert.equal(r.status, 201, r.text);
  v5 = r.json.visit;
  const url = `/api/v1/reception-visits/${v5.id}/convert`;
  const body = { to: 'service_request', service_request: { kind: 'residence_permit', address: '枫溪镇桃园小区7幢301' } };
  // The operator logs visits but does not handle service requests.
  assertError(await as.operator.post(url, body), 403, 'forbidden');
  assertError(await as.community.post(url, { to: 'service_request', service_request: { kind: 'residence_permit' } }), 400, 'missing_field', 'service_request.address');
  assertError(await as.community.post(url, { to: 'service_request', service_request: { ...body.service_request, kind: 'haircut' } }), 400, 'invalid_value', 'service_request.kind');
  assertError(await as.community.post(url, { to: 'service_request', service_request: { ...body.service_request, unit: '339902520000' } }), 400, 'unknown_unit', 'service_request.unit');

  r = await as.community.post(url, body);
  assert.equal(r.status, 201, r.text);
  const { visit } = r.json;
  const service = r.json.service_request;
  assert.equal(visit.converted_to, 'service_request');
  assert.equal(visit.conversion_state, 'done');
  assert.equal(visit.converted_id, service.id);
  assert.equal(service.source, 'walk_in');
  assert.equal(service.person_name, '郑奶奶');
  assert.equal(service.phone, '13700005555');
  assert.equal(service.details, '老人行动不便，需上门办理居住证');
  const g = await as.auxiliary.get(`/api/v1/service-requests/${service.id}`);
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.service_request.kind, 'residence_permit');
  assert.equal(g.json.service_request.unit, STATION);
  await convertAudited(v5, 'service_request', service);
  assertError(await as.community.post(url, { to: 'alert', alert: { category: 'criminal.vehicle_theft', address: 'x' } }), 409, 'already_converted');

  r = await as.chief.get(`/api/v1/reception-visits?converted=1&${SINCE}`);
  assert.deepEqual(new Set(r.json.items.map((x) => x.id)), new Set([v2.id, v3.id, v4.id, v5.id]));
  r = await as.chief.get(`/api/v1/reception-visits?need=help&${SINCE}`);
  assert.deepEqual(r.json.items.map((x) => x.id), [v1.id]);
  assertError(await as.chief.get('/api/v1/reception-visits?need=gossip'), 400, 'invalid_query', 'need');
});

test('a pending conversion of the demo history is completed by converting to its own target', async () => {
  const r = await as.chief.get('/api/v1/reception-visits?converted=1&need=mediation&per_page=100');
  assert.equal(r.status, 200, r.text);
  const pending = r.json.items.filter((x) => x.conversion_state === 'pending');
  assert.ok(pending.length >= 2, `the demo holds pending conversions: ${pending.length}`);
  const [p1, p2] = pending;
  assert.equal(p1.converted_to, 'dispute');
  const url = `/api/v1/reception-visits/${p1.id}/convert`;
  assertError(await as.chief.post(url, { to: 'service_request', service_request: { kind: 'other', address: '枫溪镇' } }), 409, 'already_converted');
  let c = await as.chief.post(url, { to: 'dispute', dispute: { type: 'neighbour', address: '枫溪镇桃园社区' } });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.visit.conversion_state, 'done');
  assert.equal(c.json.visit.converted_id, c.json.dispute.id);
  assert.equal(c.json.dispute.parties[0].name, p1.visitor_name);
  const conv = (await auditOf('reception_visit', p1.id)).find((e) => e.action === 'reception_visit.convert');
  assert.equal(conv.detail.was_pending, true);
  assertError(await as.chief.post(url, { to: 'dispute', dispute: { type: 'neighbour', address: '枫溪镇' } }), 409, 'already_converted');
  // A bad body leaves it pending.
  assertError(await as.chief.post(`/api/v1/reception-visits/${p2.id}/convert`, { to: 'dispute', dispute: { type: 'quarrel', address: 'x' } }), 400, 'invalid_value', 'dispute.type');
  c = await as.chief.get(`/api/v1/reception-visits/${p2.id}`);
  assert.equal(c.json.visit.conversion_state, 'pending');
});

test('counts per period as in the seeds: visitors, helps, mediations', async () => {
  const from = encodeURIComponent(iso(t0 - 60 * MIN));
  const to = encodeURIComponent(iso(t0 + DAY));
  let r = await as.chief.get(`/api/v1/kpi/reception?unit=${STATION}&from=${from}&to=${to}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.visitors, 5);
  assert.equal(r.json.helps, 1);
  assert.equal(r.json.mediations, 1);
  assert.equal(r.json.services, 1);
  assert.deepEqual(r.json.by_need, { consultation: 0, help: 1, lost_found: 0, certificate: 1, mediation: 1, report: 2 });
  assert.deepEqual(r.json.converted, { alert: 1, service_request: 1, dispute: 1, case: 1 });
  assert.equal(r.json.pending_conversions, 0);
  assert.equal(r.json.average_minutes, 30); // only v1 has an end
  r = await as.analyst.get(`/api/v1/kpi/reception?unit=339902&from=${from}&to=${to}`);
  assert.equal(r.json.visitors, 5);
  assertError(await as.chief2.get(`/api/v1/kpi/reception?unit=${STATION}&from=${from}&to=${to}`), 404, 'not_found');
  assertError(await as.volunteer.get(`/api/v1/kpi/reception?from=${from}&to=${to}`), 403, 'forbidden');
});
