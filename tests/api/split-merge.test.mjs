// Operators' merge and split of incidents (docs/merge.md, "Operator merge
// and split"): the store, the timelines and the merge index follow each
// correction (the next report from a moved caller finds the right
// incident); refusals (itself, closed or merged, stale version, the only
// alert, a missing reason); rights and scope; the audit entries.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { who, assertError, stopAndCheck } from './helpers.mjs';

let srv;
const as = {};
const MIN = 60 * 1000;
const t0 = Date.now();
const iso = (ms) => new Date(ms).toISOString();
// Places of our own, far from the demo's alerts.
const X = { lat: 30.41, lon: 121.31 };
const Y = { lat: 30.47, lon: 121.37 };
const Z = { lat: 30.53, lon: 121.43 };

before(async () => {
  srv = await startServer({ demo: true });
  for (const name of ['operator', 'chief', 'community', 'chief2', 'auditor']) as[name] = await loginAs(srv, who(srv, name));
});

after(async () => {
  await stopAndCheck(srv);
});

async function alert(client, body) {
  const r = await client.post('/api/v1/alerts', {
    source: 'phone_110', caller_name: '报警人', priority: 3, ...body,
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

const get = async (id) => {
  const r = await as.operator.get(`/api/v1/incidents/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json.incident;
};

let i1, i2, a2;

test('merge two incidents: every alert moves, the other ends merged, both timelines say so', async () => {
  const r1 = await alert(as.operator, {
    received_at: iso(t0 - 30 * MIN), caller_phone: '13911110001', location: X, address: '海港路1号',
    category: 'dispute.neighbour', description: '楼上住户深夜装修，双方发生争吵',
  });
  const r2 = await alert(as.operator, {
    received_at: iso(t0 - 25 * MIN), caller_phone: '13911110002', location: Y, address: '海港路99号',
    category: 'help.lost_property', description: '在海港路丢失黑色钱包一个',
  });
  assert.equal(r1.merge.decision, 'new');
  assert.equal(r2.merge.decision, 'new');
  i1 = r1.incident;
  i2 = r2.incident;
  a2 = r2.alert;
  const r = await as.operator.post(`/api/v1/incidents/${i1.id}/merge`, {
    from_incident_id: i2.id, reason: '核实为同一事件', version: i1.version,
  });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json), ['incident']);
  const inc = r.json.incident;
  assert.equal(inc.id, i1.id);
  assert.equal(inc.alert_count, 2);
  assert.deepEqual(inc.alerts.map((a) => a.id).sort(), [r1.alert.id, a2.id].sort());
  assert.equal(inc.first_received_at, i1.first_received_at);
  assert.equal(inc.last_received_at, i2.first_received_at);
  assert.ok(inc.version > i1.version);
  assert.ok(Array.isArray(inc.dispatches), 'the same shape as GET /incidents/:id');
  const ev = inc.timeline.find((e) => e.kind === 'merge');
  assert.ok(ev, JSON.stringify(inc.timeline));
  assert.ok(ev.note.includes(i2.number) && ev.note.includes('核实为同一事件'), ev.note);
  assert.equal(ev.by, '李晓燕');
  assert.deepEqual(await get(i1.id), inc);
  const gone = await get(i2.id);
  assert.equal(gone.state, 'closed');
  assert.equal(gone.close_reason, 'merged');
  assert.equal(gone.merged_into, i1.id);
  assert.equal(gone.alert_count, 0);
  assert.deepEqual(gone.alerts, []);
  const gev = gone.timeline.find((e) => e.kind === 'merge');
  assert.equal(gev.from, 'received');
  assert.equal(gev.to, 'closed');
  assert.ok(gev.note.includes(i1.number), gev.note);
  const al = await as.operator.get(`/api/v1/alerts/${a2.id}`);
  assert.equal(al.json.alert.incident_id, i1.id);
  assert.equal(inc.merges.filter((m) => m.decision === 'manual_merge' && m.alert_id === a2.id && !m.automatic).length, 1);
});

test('after the merge, the next report from the moved caller joins the survivor', async () => {
  const r = await alert(as.operator, {
    received_at: iso(t0 - 5 * MIN), caller_phone: '139 1111 0002', location: Y, address: '海港路99号',
    category: 'help.lost_property', description: '在海港路丢失黑色钱包一个，再次来电询问',
  });
  assert.equal(r.merge.decision, 'merged', JSON.stringify(r.merge));
  assert.equal(r.merge.kind, 'repeat_caller');
  assert.equal(r.incident.id, i1.id);
  assert.ok(!r.merge.candidates.some((c) => c.incident_id === i2.id), 'the merged incident is no candidate');
  assert.equal((await get(i1.id)).alert_count, 3);
});

test('merge refusals: itself 422, a merged or closed incident 409, stale version 409, no reason 400, unknown 404', async () => {
  assertError(await as.operator.post(`/api/v1/incidents/${i1.id}/merge`, { from_incident_id: i1.id, reason: 'x' }), 422, 'same_incident', 'from_incident_id');
  assertError(await as.operator.post(`/api/v1/incidents/${i1.id}/merge`, { from_incident_id: i2.id, reason: 'x' }), 409, 'incident_merged', 'from_incident_id');
  assertError(await as.operator.post(`/api/v1/incidents/${i2.id}/merge`, { from_incident_id: i1.id, reason: 'x' }), 409, 'incident_merged');
  const r3 = await alert(as.operator, {
    received_at: iso(t0 - 20 * MIN), caller_phone: '13911110003', location: Z, address: '海港路200号',
    category: 'help.locked_out', description: '钥匙锁在屋里',
  });
  assertError(await as.operator.post(`/api/v1/incidents/${i1.id}/merge`, { from_incident_id: r3.incident.id, reason: 'x', version: 1 }), 409, 'stale_version', 'version');
  assertError(await as.operator.post(`/api/v1/incidents/${i1.id}/merge`, { from_incident_id: r3.incident.id }), 400, 'missing_field', 'reason');
  assertError(await as.operator.post(`/api/v1/incidents/${i1.id}/merge`, { from_incident_id: r3.incident.id, reason: '   ' }), 400, 'missing_field', 'reason');
  assertError(await as.operator.post(`/api/v1/incidents/${i1.id}/merge`, { from_incident_id: '01a20a61-6864-76aa-9928-64fc56f58401', reason: 'x' }), 404, 'not_found', 'from_incident_id');
  assertError(await as.operator.post(`/api/v1/incidents/${i1.id}/merge`, { reason: 'x' }), 400, 'missing_field', 'from_incident_id');
  assertError(await as.operator.post(`/api/v1/incidents/${i1.id}/merge`, { from_incident_id: r3.incident.id, reason: 'x', extra: 1 }), 400, 'unknown_field', 'extra');
  // A closed incident: closed straight from received as unfounded.
  const c = await as.operator.post(`/api/v1/incidents/${r3.incident.id}/transition`, { state: 'closed', close_reason: 'unfounded', note: '误报' });
  assert.equal(c.status, 200, c.text);
  assertError(await as.operator.post(`/api/v1/incidents/${i1.id}/merge`, { from_incident_id: r3.incident.id, reason: 'x' }), 409, 'incident_closed', 'from_incident_id');
  // A merged incident is final: it never reopens.
  assertError(await as.operator.post(`/api/v1/incidents/${i2.id}/transition`, { state: 'reopened' }), 409, 'incident_merged', 'state');
  // Nothing changed by the refusals.
  assert.equal((await get(i1.id)).alert_count, 3);
});

test('rights and scope: no incident.manage 403; the other station 404 either way', async () => {
  assertError(await as.community.post(`/api/v1/incidents/${i1.id}/merge`, { from_incident_id: i2.id, reason: 'x' }), 403, 'forbidden');
  assertError(await as.community.post(`/api/v1/alerts/${a2.id}/split`, { reason: 'x' }), 403, 'forbidden');
  assertError(await as.chief2.post(`/api/v1/incidents/${i1.id}/merge`, { from_incident_id: i2.id, reason: 'x' }), 404, 'not_found');
  assertError(await as.chief2.post(`/api/v1/alerts/${a2.id}/split`, { reason: 'x' }), 404, 'not_found');
  const other = await alert(as.chief2, {
    received_at: iso(t0 - 15 * MIN), caller_phone: '13911110009', address: '另一个所的地址',
    category: 'help.other', description: '求助',
  });
  assertError(await as.operator.post(`/api/v1/incidents/${i1.id}/merge`, { from_incident_id: other.incident.id, reason: 'x' }), 404, 'not_found', 'from_incident_id');
  assertError(await as.chief2.post(`/api/v1/incidents/${other.incident.id}/merge`, { from_incident_id: i1.id, reason: 'x' }), 404, 'not_found', 'from_incident_id');
  assertError(await as.operator.post(`/api/v1/alerts/${a2.id}/split`, { reason: 'x', to_incident_id: other.incident.id }), 404, 'not_found', 'to_incident_id');
  assert.equal((await get(i1.id)).alert_count, 3);
});

let i3, a3, a4, n4;

test('split: the alert leaves for a new incident of its own, which is independent', async () => {
  const r3 = await alert(as.operator, {
    received_at: iso(t0 - 12 * MIN), caller_phone: '13922220001', location: Z, address: '海港路300号',
    category: 'public_order.fight', description: '海港路300号门口有人打架',
  });
  const body4 = {
    source: 'phone_110', caller_name: '报警人', priority: 3,
    received_at: iso(t0 - 10 * MIN), caller_phone: '13922220002', location: Z, address: '海港路300号',
    category: 'public_order.fight', description: '海港路300号门口两人扭打', incident_id: r3.incident.id,
  };
  const p4 = await as.operator.post('/api/v1/alerts', body4, { 'Idempotency-Key': 'split-retry-4' });
  assert.equal(p4.status, 201, p4.text);
  const r4 = p4.json;
  i3 = r3.incident;
  a3 = r3.alert;
  a4 = r4.alert;
  assert.equal(r4.incident.id, i3.id);
  assert.equal(r4.incident.alert_count, 2);
  const r = await as.chief.post(`/api/v1/alerts/${a4.id}/split`, { reason: '系另一起纠纷' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json).sort(), ['alert', 'from_incident', 'incident']);
  n4 = r.json.incident;
  assert.notEqual(n4.id, i3.id);
  assert.equal(r.json.alert.id, a4.id);
  assert.equal(r.json.alert.incident_id, n4.id);
  assert.equal(n4.state, 'received');
  assert.equal(n4.category, 'public_order.fight');
  assert.deepEqual(n4.location, a4.location);
  assert.equal(n4.address, '海港路300号');
  assert.equal(n4.alert_count, 1);
  assert.deepEqual(n4.alerts.map((a) => a.id), [a4.id]);
  assert.equal(n4.first_received_at, a4.received_at);
  assert.ok(n4.timeline.some((e) => e.kind === 'split' && e.note.includes(i3.number) && e.note.includes('系另一起纠纷')));
  const left = r.json.from_incident;
  assert.equal(left.id, i3.id);
  assert.equal(left.alert_count, 1);
  assert.deepEqual(left.alerts.map((a) => a.id), [a3.id]);
  assert.equal(left.last_received_at, a3.received_at);
  assert.ok(left.timeline.some((e) => e.kind === 'split' && e.note.includes(n4.number)));
  // The alert's intake entry and the operator's confirmation stay with the incident it joined.
  assert.deepEqual(left.timeline.filter((e) => e.kind === 'alert').map((e) => e.note), [a3.number, a4.number]);
  assert.deepEqual(n4.timeline.filter((e) => e.kind === 'alert'), []);
  assert.equal(left.timeline[0].kind, 'transition');
  assert.equal(left.timeline[0].to, 'received');
  assert.deepEqual(left.merges.filter((m) => m.alert_id === a4.id).map((m) => [m.decision, m.automatic]), [['confirmed', false]]);
  assert.deepEqual(n4.merges.filter((m) => m.alert_id === a4.id).map((m) => [m.decision, m.automatic]), [['split', false]]);
  assert.equal(n4.timeline[0].kind, 'transition');
  assert.equal(n4.timeline[0].to, 'received');
  assert.deepEqual(await get(i3.id), left);
  // A client's retry of the split alert: the same alert, in the incident it is in now, with the
  // decision it was taken with.
  const retry = await as.operator.post('/api/v1/alerts', body4, { 'Idempotency-Key': 'split-retry-4' });
  assert.equal(retry.status, 201, retry.text);
  assert.equal(retry.json.alert.id, a4.id);
  assert.equal(retry.json.incident.id, n4.id);
  assert.equal(retry.json.merge.decision, r4.merge.decision);
  assert.equal(retry.json.merge.decision, 'merged');
  // Independent: the new incident moves through its states alone.
  const d = await as.operator.post(`/api/v1/incidents/${n4.id}/transition`, { state: 'closed', close_reason: 'duplicate', note: '已另案处理' });
  assert.equal(d.status, 200, d.text);
  assert.equal((await get(i3.id)).state, 'received');
});

test('after the split, the merge index knows the alert moved', async () => {
  // The moved caller's next report: repeat_caller points to the new incident, not the old one.
  const m = await as.operator.post('/api/v1/alerts/match', {
    received_at: iso(t0 - 1 * MIN), caller_phone: '13922220002', location: Z, address: '海港路300号',
    category: 'public_order.fight', description: '海港路300号门口两人扭打',
  });
  assert.equal(m.status, 200, m.text);
  assert.ok(!m.json.candidates.some((c) => c.incident_id === i3.id && c.kind === 'repeat_caller'), JSON.stringify(m.json));
  assert.ok(!m.json.candidates.some((c) => c.incident_id === n4.id), 'the new incident is closed now: no candidate');
  assert.ok(m.json.candidates.some((c) => c.incident_id === i3.id && c.kind === 'same_event'), JSON.stringify(m.json));
  assert.deepEqual(m.json.flags.includes('repeat_caller'), true);
});

test('split refusals and a split into a given open incident', async () => {
  assertError(await as.operator.post(`/api/v1/alerts/${a3.id}/split`, { reason: '拆分' }), 422, 'only_alert', 'to_incident_id');
  assertError(await as.operator.post(`/api/v1/alerts/${a3.id}/split`, { reason: '拆分', to_incident_id: i3.id }), 422, 'same_incident', 'to_incident_id');
  assertError(await as.operator.post(`/api/v1/alerts/${a3.id}/split`, { reason: '拆分', to_incident_id: n4.id }), 409, 'incident_closed', 'to_incident_id');
  assertError(await as.operator.post(`/api/v1/alerts/${a3.id}/split`, {}), 400, 'missing_field', 'reason');
  assertError(await as.operator.post('/api/v1/alerts/01a20a61-6864-76aa-9928-64fc56f58401/split', { reason: 'x' }), 404, 'not_found');
  // The only alert of i3 into i1: i3 ends merged into i1.
  const r = await as.operator.post(`/api/v1/alerts/${a3.id}/split`, { reason: '实为同一事件', to_incident_id: i1.id });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.incident.id, i1.id);
  assert.equal(r.json.incident.alert_count, 4);
  assert.equal(r.json.from_incident.id, i3.id);
  assert.equal(r.json.from_incident.state, 'closed');
  assert.equal(r.json.from_incident.merged_into, i1.id);
  assert.equal(r.json.from_incident.alert_count, 0);
});

test('every merge and split is audited with its reason', async () => {
  let r = await as.auditor.get('/api/v1/audit?action=incident.merge&per_page=50');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.items.length, 1, r.text);
  const m = r.json.items[0];
  assert.equal(m.object_type, 'incident');
  assert.equal(m.object_id, i1.id);
  assert.equal(m.reason, '核实为同一事件');
  assert.equal(m.username, 'operator');
  assert.deepEqual(m.detail, { from_incident_id: i2.id, alerts_moved: 1 });
  r = await as.auditor.get('/api/v1/audit?action=alert.split&per_page=50');
  const items = [...r.json.items].reverse();
  assert.deepEqual(items.map((e) => [e.object_id, e.username, e.reason]), [
    [a4.id, 'chief', '系另一起纠纷'],
    [a3.id, 'operator', '实为同一事件'],
  ]);
  assert.deepEqual(items[0].detail, { from_incident_id: i3.id, to_incident_id: n4.id, new_incident: true });
  assert.deepEqual(items[1].detail, { from_incident_id: i3.id, to_incident_id: i1.id, new_incident: false });
});
