// Command room API: alert intake with validation and idempotency, the merge
// engine's decisions as the API reports them, masking, scope, and the
// incident state machine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { who, assertError, stopAndCheck } from './helpers.mjs';

let srv, operator, community, chief2, volunteer;

// Fixed, recent times (the server refuses alerts from the future).
const base = Date.now() - 3600 * 1000;
const at = (min) => new Date(base + min * 60 * 1000).toISOString();

const fight = (over = {}) => ({
  received_at: at(0),
  source: 'phone_110',
  caller_name: '张三',
  caller_phone: '+86 138-1234-5678',
  location: { lat: 29.75, lon: 120.25 },
  address: '枫溪镇人民路12号',
  category: 'public_order.fight',
  description: '人民路酒吧門口有人打架，三四個人',
  ...over,
});

before(async () => {
  srv = await startServer({ demo: true });
  operator = await loginAs(srv, who(srv, 'operator'));
  community = await loginAs(srv, who(srv, 'community'));
  chief2 = await loginAs(srv, who(srv, 'chief2'));
  volunteer = await loginAs(srv, who(srv, 'volunteer'));
});

after(async () => {
  await stopAndCheck(srv);
});

let first;

test('an alert opens an incident with business numbers, its grid and normalised text kept apart', async () => {
  const r = await operator.post('/api/v1/alerts', fight(), { 'Idempotency-Key': 'fight-1' });
  assert.equal(r.status, 201, r.text);
  const { alert, incident, merge } = r.json;
  assert.match(alert.number, /^JJ-339902510000-\d{8}-\d{4}$/);
  assert.match(incident.number, /^SJ-339902510000-\d{8}-\d{4}$/);
  assert.equal(alert.incident_id, incident.id);
  assert.equal(incident.state, 'received');
  assert.equal(incident.alert_count, 1);
  assert.equal(incident.priority, 1, 'default priority of public_order.fight');
  assert.match(alert.grid, /^339902100\d{3}$/, 'placed in a grid by its coordinates');
  // The original text is kept as entered (Traditional characters included).
  assert.equal(alert.description, '人民路酒吧門口有人打架，三四個人');
  assert.equal(alert.caller_phone, '+86 138-1234-5678', 'operators see phones');
  assert.deepEqual(merge, { decision: 'new', kind: null, flags: [], candidates: [] });
  first = r.json;
});

test('a retry with the same Idempotency-Key returns the first answer and creates nothing', async () => {
  const r = await operator.post('/api/v1/alerts', fight(), { 'Idempotency-Key': 'fight-1' });
  assert.equal(r.status, 201);
  assert.equal(r.headers.get('idempotent-replayed'), 'true');
  assert.equal(r.json.alert.id, first.alert.id);
  assert.equal(r.json.incident.id, first.incident.id);
  const inc = await operator.get(`/api/v1/incidents/${first.incident.id}`);
  assert.equal(inc.json.incident.alerts.length, 1);
  assertError(await operator.post('/api/v1/alerts', fight(), { 'Idempotency-Key': 'bad key' }), 400, 'invalid_header', 'Idempotency-Key');
});

test('another caller 50 m and 6 minutes later about the same fight joins the incident (多人同报)', async () => {
  const r = await operator.post('/api/v1/alerts', fight({
    received_at: at(6), caller_name: '李四', caller_phone: '13900001111',
    location: { lat: 29.7504, lon: 120.2503 }, address: '人民路酒吧',
    category: 'public_order.provocation', description: '酒吧门口一群人打架斗殴',
  }));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.merge.decision, 'merged');
  assert.equal(r.json.merge.kind, 'same_event');
  assert.equal(r.json.incident.id, first.incident.id);
  assert.equal(r.json.incident.alert_count, 2);
  const c = r.json.merge.candidates[0];
  assert.equal(c.incident_id, first.incident.id);
  assert.ok(c.score >= 0.85, `score ${c.score}`);
  assert.match(c.reasons[0], /相距 \d+ 米、间隔 6 分钟/);
});

test('the same caller again (一人多报) joins and is flagged with counts', async () => {
  const r = await operator.post('/api/v1/alerts', fight({
    received_at: at(15), caller_name: null, caller_phone: '138 1234 5678',
    location: { lat: 29.7501, lon: 120.2501 }, description: '又打起来了，快来人',
  }));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.merge.decision, 'merged');
  assert.equal(r.json.merge.kind, 'repeat_caller');
  assert.ok(r.json.merge.flags.includes('repeat_caller'));
  assert.equal(r.json.merge.repeat_caller.calls_7d, 1);
  assert.match(r.json.merge.candidates[0].reasons[0], /同一来电人 15 分钟前报警/);
});

test('the answer to an intake is what the store then holds (the alert and its incident read back)', async () => {
  const pick = (full, shown) => Object.fromEntries(Object.keys(shown).map((k) => [k, full[k]]));
  const posts = [
    fight({ received_at: at(20), caller_name: '钱七', caller_phone: '0575-8765 4321', location: undefined,
      address: '枫溪镇新华路8号', category: 'help.locked_out', description: '钥匙锁在家里', extra: { channel: '微信', n: 2.5 } }),
    fight({ received_at: at(21), caller_name: null, caller_phone: null, location: { lat: 29.7012345678, lon: 120.2098765432 },
      address: null, category: 'help.locked_out', description: '钥匙锁在家里进不去' }),
    fight({ received_at: at(22), caller_name: '钱七', caller_phone: '0575-8765 4321', location: undefined,
      address: '枫溪镇新华路8号', category: 'help.locked_out', description: '还是进不去，钥匙锁在家里' }),
  ];
  const seen = [];
  for (const body of posts) {
    const r = await operator.post('/api/v1/alerts', body);
    assert.equal(r.status, 201, r.text);
    const a = await operator.get(`/api/v1/alerts/${r.json.alert.id}`);
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(r.json.alert, a.json.alert);
    const i = await operator.get(`/api/v1/incidents/${r.json.incident.id}`);
    assert.equal(i.status, 200, i.text);
    assert.deepEqual(r.json.incident, pick(i.json.incident, r.json.incident));
    assert.ok(Object.keys(r.json.incident).length >= 20, 'the whole incident, not a part of it');
    seen.push(r.json);
  }
  assert.deepEqual(seen[0].alert.extra, { channel: '微信', n: 2.5 });
  assert.equal(seen[0].alert.location, null);
  assert.equal(seen[1].alert.caller_phone, null);
  assert.equal(seen[2].merge.decision, 'merged', 'the same caller again joins');
  assert.equal(seen[2].incident.id, seen[0].incident.id);
  assert.equal(seen[2].incident.alert_count, 2);
  assert.equal(seen[2].incident.version, seen[0].incident.version + 1);
});

test('a fight 3 km away is a new incident; the preview endpoint writes nothing', async () => {
  const preview = await operator.post('/api/v1/alerts/match', { category: 'public_order.fight', location: { lat: 29.75, lon: 120.28 }, description: '打架' });
  assert.equal(preview.status, 200, preview.text);
  assert.equal(preview.json.decision, 'new');
  const before = (await operator.get('/api/v1/incidents')).json.total;
  const near = await operator.post('/api/v1/alerts/match', { category: 'public_order.fight', location: { lat: 29.7502, lon: 120.2502 }, description: '酒吧门口打架', received_at: at(16) });
  assert.notEqual(near.json.decision, 'new');
  assert.equal(near.json.candidates[0].incident_id, first.incident.id);
  assert.equal((await operator.get('/api/v1/incidents')).json.total, before, 'previews store nothing');
  const r = await operator.post('/api/v1/alerts', fight({ received_at: at(20), caller_phone: '13700002222', location: { lat: 29.75, lon: 120.28 } }));
  assert.equal(r.json.merge.decision, 'new');
  assert.notEqual(r.json.incident.id, first.incident.id);
});

test('the operator can join a chosen open incident; a closed or foreign one is refused', async () => {
  const r = await operator.post('/api/v1/alerts', fight({
    received_at: at(25), caller_phone: '13600003333', location: { lat: 29.70, lon: 120.20 },
    category: 'help.medical', description: '打架有人受伤需要救护', incident_id: first.incident.id,
  }));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.incident.id, first.incident.id);
  assert.equal(r.json.merge.decision, 'merged');
  assertError(await operator.post('/api/v1/alerts', fight({ incident_id: '01a20a61-6864-76aa-9928-64fc56f58401' })), 400, 'unknown_incident', 'incident_id');
});

test('bad input gets a field-named error', async () => {
  const cases = [
    [{ ...fight(), received_at: 'yesterday' }, 'invalid_time', 'received_at'],
    [{ ...fight(), received_at: new Date(Date.now() + 3600e3).toISOString() }, 'in_future', 'received_at'],
    [{ ...fight(), source: 'pigeon' }, 'invalid_value', 'source'],
    [{ ...fight(), caller_phone: '12' }, undefined, 'caller_phone'],
    [{ ...fight(), location: { lat: 91, lon: 120 } }, 'out_of_range', 'location.lat'],
    [{ ...fight(), location: { lat: 29.7, lon: 120.2, crs: 'mars' } }, 'geo_crs', 'location.crs'],
    [{ ...fight(), location: null, address: null }, 'missing_field', 'location'],
    [{ ...fight(), category: 'public_order.duel' }, 'unknown_category', 'category'],
    [{ ...fight(), description: '' }, 'missing_field', 'description'],
    [{ ...fight(), description: '打'.repeat(2001) }, 'too_long', 'description'],
    [{ ...fight(), priority: 9 }, 'out_of_range', 'priority'],
    [{ ...fight(), colour: 'red' }, 'unknown_field', 'colour'],
    [{ ...fight(), unit: '339902520000' }, 'unknown_unit', 'unit'],
    // Again: the server remembers stations of units, and still checks the scope.
    [{ ...fight(), unit: '339902520000' }, 'unknown_unit', 'unit'],
    [{ ...fight(), unit: '339902' }, 'unknown_unit', 'unit'],
    [{ ...fight(), unit: '339999' }, 'unknown_unit', 'unit'],
  ];
  for (const [body, code, field] of cases) {
    const r = await operator.post('/api/v1/alerts', body);
    assert.equal(r.status, 400, `${JSON.stringify(body).slice(0, 80)}: ${r.text}`);
    assert.equal(r.json.error.field, field, r.text);
    if (code) assert.equal(r.json.error.code, code, r.text);
  }
});

test('a unit below a station (its grid) takes the alert for that station', async () => {
  const r = await operator.post('/api/v1/alerts', fight({ received_at: at(25), caller_phone: '13500003333', unit: first.alert.grid, category: 'help.lost_property', description: '丢了一把伞' }));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.alert.unit, '339902510000');
  assert.equal(r.json.incident.unit, '339902510000');
});

test('a GCJ-02 location from a Chinese map app is stored in WGS-84', async () => {
  const r = await operator.post('/api/v1/alerts', fight({ received_at: at(30), caller_phone: '13500004444', location: { lat: 29.7475, lon: 120.2547, crs: 'gcj02' }, category: 'help.lost_property', description: '丢了钱包' }));
  assert.equal(r.status, 201, r.text);
  // GCJ-02 is offset from WGS-84 by a few hundred metres in China.
  const { lat, lon } = r.json.alert.location;
  const dy = (lat - 29.7475) * 111320, dx = (lon - 120.2547) * 111320 * Math.cos(29.75 * Math.PI / 180);
  const d = Math.hypot(dx, dy);
  assert.ok(d > 100 && d < 1000, `moved ${d.toFixed(0)} m to ${lat}, ${lon}`);
});

test('roles: community officers read incidents with masked phones; volunteers see nothing; only operators take alerts', async () => {
  const inc = await community.get(`/api/v1/incidents/${first.incident.id}`);
  assert.equal(inc.status, 200);
  for (const a of inc.json.incident.alerts) assert.match(a.caller_phone, /^1\d{2}\*{4}\d{4}$/);
  assertError(await community.post('/api/v1/alerts', fight()), 403, 'forbidden');
  assertError(await volunteer.get('/api/v1/incidents'), 403, 'forbidden');
});

test('scope: another station neither sees nor changes these incidents', async () => {
  assertError(await chief2.get(`/api/v1/incidents/${first.incident.id}`), 404, 'not_found');
  assertError(await chief2.get(`/api/v1/alerts/${first.alert.id}`), 404, 'not_found');
  assertError(await chief2.post(`/api/v1/incidents/${first.incident.id}/transition`, { state: 'dispatched' }), 404, 'not_found');
  const list = await chief2.get('/api/v1/incidents');
  assert.equal(list.status, 200);
  assert.equal(list.json.total, 0);
});

test('the incident state machine: the full loop, refusals, and the timeline', async () => {
  const id = first.incident.id;
  const tr = (body) => operator.post(`/api/v1/incidents/${id}/transition`, body);
  assertError(await tr({ state: 'on_scene' }), 409, 'invalid_transition', 'state');
  assertError(await tr({ state: 'closed' }), 400, 'close_reason_required', 'close_reason');
  assertError(await tr({ state: 'flying' }), 400, 'invalid_value', 'state');
  let r = await tr({ state: 'dispatched' });
  assert.equal(r.status, 200, r.text);
  const v = r.json.incident.version;
  assertError(await tr({ state: 'en_route', version: v - 1 }), 409, 'stale_version', 'version');
  for (const s of ['en_route', 'on_scene']) assert.equal((await tr({ state: s })).status, 200);
  assertError(await tr({ state: 'disposed' }), 400, 'missing_field', 'disposal');
  assert.equal((await tr({ state: 'disposed', disposal: '现场调解，双方和解' })).status, 200);
  assertError(await tr({ state: 'closed', note: 'x' }), 409, 'invalid_transition');
  assert.equal((await tr({ state: 'feedback', feedback: '已电话回访报警人' })).status, 200);
  r = await tr({ state: 'closed' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.incident.state, 'closed');
  assert.ok(r.json.incident.closed_at);
  const states = r.json.incident.timeline.filter((e) => e.kind === 'transition').map((e) => e.to);
  assert.deepEqual(states, ['received', 'dispatched', 'en_route', 'on_scene', 'disposed', 'feedback', 'closed']);
  // A closed incident is no longer a merge target.
  const again = await operator.post('/api/v1/alerts', fight({ received_at: at(40), caller_phone: '13800007777', location: { lat: 29.7502, lon: 120.2502 } }));
  assert.notEqual(again.json.incident.id, id);
  // Reopen, then dispatch again.
  assert.equal((await tr({ state: 'reopened', note: '当事人再次冲突' })).status, 200);
  assert.equal((await tr({ state: 'dispatched' })).status, 200);
});

test('an unfounded alert closes straight from received only with a reason and a note', async () => {
  const r = await operator.post('/api/v1/alerts', fight({ received_at: at(45), caller_phone: '13300005555', location: { lat: 29.70, lon: 120.30 }, category: 'other.invalid', description: '误拨' }));
  const id = r.json.incident.id;
  assertError(await operator.post(`/api/v1/incidents/${id}/transition`, { state: 'closed', close_reason: 'unfounded' }), 400, 'missing_field', 'note');
  const ok = await operator.post(`/api/v1/incidents/${id}/transition`, { state: 'closed', close_reason: 'unfounded', note: '报警人误拨' });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.incident.close_reason, 'unfounded');
});

test('incident lists filter by state and page; intake and transitions are audited', async () => {
  const open = await operator.get('/api/v1/incidents?state=open&per_page=2');
  assert.equal(open.status, 200);
  assert.ok(open.json.items.length <= 2);
  for (const i of open.json.items) assert.notEqual(i.state, 'closed');
  assertError(await operator.get('/api/v1/incidents?state=asleep'), 400, 'invalid_query', 'state');
  const auditor = await loginAs(srv, who(srv, 'auditor'));
  const a = await auditor.get(`/api/v1/audit?object_type=incident&object_id=${first.incident.id}`);
  assert.ok(a.json.items.some((e) => e.action === 'incident.transition'));
  const b = await auditor.get(`/api/v1/audit?object_type=alert&object_id=${first.alert.id}`);
  assert.equal(b.json.items.length, 1);
  assert.equal(b.json.items[0].action, 'alert.create');
});

test('alerts survive a restart and the merge index is rebuilt from the store', async () => {
  await srv.restart();
  operator.base = srv.url;
  const r = await operator.post('/api/v1/alerts', fight({ received_at: at(21), caller_phone: '13700002222', location: { lat: 29.7501, lon: 120.2801 }, description: '又有人打架' }));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.merge.kind, 'repeat_caller', JSON.stringify(r.json.merge));
});
