// Inspections of venues: the checklist of the venue's type, every item
// answered once, a failed item becomes a hazard with a deadline, overdue
// hazards are listed (server clock shifted), a re-inspection extends or
// closes them; rights, scope and audit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { who, assertError, restartAt, stopAndCheck } from './helpers.mjs';

const DAY = 86400000;
let srv;
const as = {};
let org;
let checklist;

async function loginAll() {
  for (const name of ['community', 'operator', 'volunteer', 'chief2', 'auditor']) as[name] = await loginAs(srv, who(srv, name));
}

before(async () => {
  srv = await startServer({ demo: true });
  await loginAll();
  const r = await as.community.get('/api/v1/organisations?per_page=50');
  assert.equal(r.status, 200, r.text);
  org = r.json.items.find((o) => o.type === 'internet_cafe' || o.type === 'small_internet_cafe') || r.json.items[0];
  assert.ok(org, 'the demo registry has organisations');
});

after(async () => {
  await stopAndCheck(srv);
});

const answers = (failed = {}) =>
  checklist.map((i) => (failed[i.code] ? { code: i.code, ok: false, note: failed[i.code], deadline_at: new Date(Date.now() + DAY).toISOString() } : { code: i.code, ok: true }));

test('the checklist follows the venue type', async () => {
  const r = await as.community.get(`/api/v1/inspection-checklists?type=${org.type}`);
  assert.equal(r.status, 200, r.text);
  checklist = r.json.items;
  const codes = checklist.map((i) => i.code);
  for (const c of ['safety_duty', 'fire_equipment', 'fire_exits', 'staff_training', 'video']) assert.ok(codes.includes(c), `${c} in ${codes}`);
  const school = await as.community.get('/api/v1/inspection-checklists?type=school');
  assert.ok(school.json.items.some((i) => i.code === 'gate_guard'));
  assert.ok(!school.json.items.some((i) => i.code === 'guest_registration'));
});

let inspection;

test('an inspection answers every item once; a failed item needs a description and a deadline', async () => {
  const bad = [
    [{ items: answers() }, 'organisation_id'],
    [{ organisation_id: org.id }, 'items'],
    [{ organisation_id: org.id, items: answers().slice(1) }, 'items'],
    [{ organisation_id: org.id, items: [...answers(), { code: 'safety_duty', ok: true }] }, `items[${checklist.length}].code`],
    [{ organisation_id: org.id, items: [...answers().slice(1), { code: 'unicorn', ok: true }] }, `items[${checklist.length - 1}].code`],
    [{ organisation_id: org.id, items: answers().map((a, i) => (i === 2 ? { code: a.code, ok: false, note: '灭火器过期' } : a)) }, 'items[2].deadline_at'],
    [{ organisation_id: org.id, items: answers().map((a, i) => (i === 2 ? { code: a.code, ok: false, deadline_at: new Date(Date.now() + DAY).toISOString() } : a)) }, 'items[2].note'],
    [{ organisation_id: org.id, items: answers().map((a, i) => (i === 0 ? { code: a.code } : a)) }, 'items[0].ok'],
  ];
  for (const [body, field] of bad) {
    const r = await as.community.post('/api/v1/inspections', body);
    assert.equal(r.status, 400, `${JSON.stringify(body).slice(0, 200)}: ${r.text}`);
    assert.equal(r.json.error.field, field, r.text);
  }
  assert.equal((await as.community.get('/api/v1/inspections')).json.total, 0, 'nothing stored by the refusals');

  const r = await as.community.post('/api/v1/inspections', { organisation_id: org.id, items: answers({ fire_equipment: '灭火器压力不足，已过期', video: '后门摄像头损坏' }), notes: '负责人在场' });
  assert.equal(r.status, 201, r.text);
  inspection = r.json.inspection;
  assert.equal(inspection.result, 'hazards_found');
  assert.match(inspection.number, /^JC-/);
  assert.equal(inspection.items.length, checklist.length);
  assert.equal(inspection.hazards.length, 2);
  assert.deepEqual(inspection.hazards.map((h) => h.state), ['open', 'open']);
  assert.ok(inspection.hazards.every((h) => h.overdue === false));
  const passed = await as.community.post('/api/v1/inspections', { organisation_id: org.id, items: answers() });
  assert.equal(passed.json.inspection.result, 'passed');
  assert.equal(passed.json.inspection.hazards.length, 0);
});

test('rights and scope', async () => {
  assertError(await as.volunteer.get('/api/v1/inspections'), 403, 'forbidden');
  assertError(await as.operator.post('/api/v1/inspections', { organisation_id: org.id, items: answers() }), 403, 'forbidden');
  assert.equal((await as.operator.get(`/api/v1/inspections/${inspection.id}`)).status, 200);
  assertError(await as.chief2.get(`/api/v1/inspections/${inspection.id}`), 404, 'not_found');
  assertError(await as.chief2.post(`/api/v1/hazards/${inspection.hazards[0].id}/reinspect`, { rectified: true, note: 'x' }), 404, 'not_found');
  assertError(await as.chief2.post('/api/v1/inspections', { organisation_id: org.id, items: answers() }), 400, 'unknown_organisation', 'organisation_id');
  const audit = await as.auditor.get('/api/v1/audit?action=inspection.create&per_page=50');
  assert.equal(audit.json.items.filter((e) => e.username === 'community').length, 2);
});

test('overdue hazards are raised; a re-inspection extends one and closes the other', async () => {
  await restartAt(srv, 2 * DAY);
  await loginAll();
  const overdue = await as.community.get('/api/v1/hazards?overdue=1');
  assert.equal(overdue.status, 200, overdue.text);
  assert.equal(overdue.json.total, 2);
  assert.ok(overdue.json.items.every((h) => h.overdue));
  const [a, b] = overdue.json.items;
  assertError(await as.community.post(`/api/v1/hazards/${a.id}/reinspect`, { rectified: false }), 400, 'missing_field', 'note');
  assertError(await as.community.post(`/api/v1/hazards/${a.id}/reinspect`, { rectified: false, note: '未整改', deadline_at: new Date(Date.now()).toISOString() }), 400, 'in_past', 'deadline_at');
  let r = await as.community.post(`/api/v1/hazards/${a.id}/reinspect`, { rectified: false, note: '配件未到，延期', deadline_at: new Date(Date.now() + 5 * DAY).toISOString() });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.hazard.state, 'open');
  assert.equal(r.json.hazard.overdue, false);
  assert.equal(r.json.hazard.reinspections, 1);
  r = await as.community.post(`/api/v1/hazards/${b.id}/reinspect`, { rectified: true, note: '已更换', version: b.version });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.hazard.state, 'rectified');
  assert.ok(r.json.hazard.rectified_at);
  assertError(await as.community.post(`/api/v1/hazards/${b.id}/reinspect`, { rectified: true, note: '再次' }), 409, 'invalid_state');
  assert.equal((await as.community.get('/api/v1/hazards?overdue=1')).json.total, 0);
  assert.equal((await as.community.get('/api/v1/hazards?state=open')).json.total, 1);
  assertError(await as.community.get('/api/v1/hazards?state=closed'), 400, 'invalid_value', 'state');
});
