// Governance directives (治理指令): one issued from a repeat-place alert and
// taken round the closed loop (accept, start, feedback, returned with a
// reason, feedback again, approved), refusals of invalid steps, rights and
// scope, the audit trail, overdue derived with the server clock shifted,
// and the KPI counts against figures worked out by hand.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { who, assertError, restartAt, stopAndCheck, waitFor } from './helpers.mjs';

const MIN = 60 * 1000;
const DAY = 24 * 60 * MIN;
const STATION = '339902510000';
const STATION2 = '339902520000';

let srv;
const as = {};
// Server clock = real clock + offset (FQ_NOW_OFFSET_MS).
let offset = 0;
const t0 = Date.now();
const iso = (ms) => new Date(ms).toISOString();

async function loginAll() {
  for (const name of ['operator', 'chief', 'community', 'auxiliary', 'volunteer', 'chief2', 'auditor', 'analyst']) {
    as[name] = await loginAs(srv, who(srv, name));
  }
}

/** Restart with the clock shifted to t0 + ms and log everyone in again (sessions idle out). */
async function shiftClock(ms) {
  offset = ms;
  await restartAt(srv, offset);
  await loginAll();
}

before(async () => {
  srv = await startServer({ demo: true });
  await loginAll();
});

after(async () => {
  await stopAndCheck(srv);
});

const place = { address: '枫溪镇桃园路8号夜宵排档', location: { lat: 29.72, lon: 120.22 } };
const noise = (daysAgo, phone) => ({
  received_at: iso(t0 - daysAgo * DAY),
  source: 'phone_110',
  caller_name: '住户',
  caller_phone: phone,
  ...place,
  category: 'public_order.noise',
  description: '楼下夜宵排档深夜喧哗，吵得无法入睡',
});

let alerts = [];
let d1; // the directive taken round the loop

test('three reports from one place on different days within 30 days propose a directive (一地多报)', async () => {
  const days = [20, 10, 1 / 24];
  for (let i = 0; i < 3; i++) {
    const r = await as.operator.post('/api/v1/alerts', noise(days[i], `1381111000${i + 1}`));
    assert.equal(r.status, 201, r.text);
    alerts.push(r.json);
  }
  const [a, b, c] = alerts.map((x) => x.merge);
  assert.equal(a.decision, 'new');
  assert.deepEqual(a.flags, []);
  assert.equal(b.decision, 'new');
  assert.deepEqual(b.flags, ['repeat_place']);
  assert.equal(b.repeat_place.occasions, 2);
  assert.equal(b.repeat_place.propose_directive, false);
  assert.equal(c.decision, 'new');
  assert.deepEqual(c.flags, ['repeat_place']);
  assert.equal(c.repeat_place.reports, 2);
  assert.equal(c.repeat_place.occasions, 3);
  assert.equal(c.repeat_place.propose_directive, true);
  assert.equal(alerts[2].incident.repeat_place, true);
  assert.match(alerts[2].alert.grid, /^339902100\d{3}$/);
  // Three occasions: three incidents.
  assert.equal(new Set(alerts.map((x) => x.incident.id)).size, 3);
});

const d1Body = () => ({
  incident_id: alerts[2].incident.id,
  source: 'repeat_place',
  target_team: 'community',
  target_user_id: as.community.user.id,
  title: '桃园路夜宵排档噪音扰民治理',
  what_to_do: '走访排档经营者和周边住户，督促落实营业时间和降噪措施，反馈整改情况',
  deadline_at: iso(t0 + 7 * DAY),
});

test('the command room issues a directive from the repeat-place incident to the grid\'s community officer', async () => {
  const r = await as.operator.post('/api/v1/directives', d1Body());
  assert.equal(r.status, 201, r.text);
  d1 = r.json.directive;
  const day = d1.issued_at.slice(0, 10).replaceAll('-', '');
  assert.equal(d1.number, `ZL-${STATION}-${day}-0001`);
  assert.equal(d1.unit, STATION);
  assert.equal(d1.source, 'repeat_place');
  assert.equal(d1.source_ref, place.address, 'the place is the incident\'s address as entered');
  assert.equal(d1.incident_id, alerts[2].incident.id);
  assert.equal(d1.target_team, 'community');
  assert.equal(d1.target_user_id, as.community.user.id);
  assert.equal(d1.target_user_name, '王志强');
  assert.equal(d1.target_grid, alerts[2].alert.grid, 'the grid defaults to the incident\'s');
  assert.equal(d1.state, 'issued');
  assert.equal(d1.overdue, false);
  assert.equal(d1.returned_count, 0);
  assert.equal(Date.parse(d1.deadline_at), Date.parse(d1Body().deadline_at));
  assert.equal(d1.issued_by_name, '李晓燕');
  assert.equal(d1.version, 1);
  assert.deepEqual(d1.timeline, []);
});

test('issuing refuses bad input with field-named errors', async () => {
  const chief2Id = as.chief2.user.id;
  const volunteerId = as.volunteer.user.id;
  const cases = [
    [{ deadline_at: iso(t0 - MIN) }, 'deadline_passed', 'deadline_at'],
    [{ deadline_at: iso(t0 + 90 * DAY + 10 * MIN) }, 'deadline_too_far', 'deadline_at'],
    [{ deadline_at: 'next week' }, 'invalid_time', 'deadline_at'],
    [{ target_grid: '339902101001' }, 'unknown_grid', 'target_grid'],
    [{ target_grid: STATION }, 'unknown_grid', 'target_grid'],
    [{ target_team: 'army' }, 'invalid_value', 'target_team'],
    [{ title: '' }, 'missing_field', 'title'],
    [{ target_user_id: chief2Id }, 'unknown_user', 'target_user_id'],
    [{ target_user_id: volunteerId }, 'user_cannot_act', 'target_user_id'],
    [{ source: 'manual' }, 'conflicting_fields', 'incident_id'],
    [{ source: 'rumour' }, 'invalid_value', 'source'],
    [{ repeat_caller: '12', source: undefined }, undefined, 'repeat_caller'],
    [{ incident_id: '01a20a61-6864-76aa-9928-64fc56f58401' }, 'unknown_incident', 'incident_id'],
    [{ unit: STATION2 }, 'unit_mismatch', 'unit'],
    [{ colour: 'red' }, 'unknown_field', 'colour'],
  ];
  for (const [over, code, field] of cases) {
    const body = { ...d1Body(), ...over };
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    const r = await as.operator.post('/api/v1/directives', body);
    assert.equal(r.status, 400, `${JSON.stringify(over)}: ${r.text}`);
    assert.equal(r.json.error.field, field, r.text);
    if (code) assert.equal(r.json.error.code, code, r.text);
  }
  assertError(await as.community.post('/api/v1/directives', d1Body()), 403, 'forbidden');
  assertError(await as.volunteer.get('/api/v1/directives'), 403, 'forbidden');
  // Nothing of the refusals was stored.
  assert.equal((await as.operator.get('/api/v1/directives')).json.total, 1);
});

test('the closed loop: accept, start, feedback, returned with a reason, feedback again, approved; invalid steps get 409', async () => {
  const id = d1.id;
  const step = (who, name, body = {}) => who.post(`/api/v1/directives/${id}/${name}`, body);

  assertError(await step(as.operator, 'approve'), 409, 'invalid_transition', 'state');
  assertError(await step(as.community, 'feedback', { text: '已处理' }), 409, 'invalid_transition', 'state');
  assertError(await step(as.community, 'start'), 409, 'invalid_transition', 'state');
  // The officer named is the only one of the team who may take the team's steps.
  assertError(await step(as.auxiliary, 'accept'), 403, 'not_assignee');
  assertError(await step(as.community, 'accept', { note: 'x' }), 400, 'unknown_field', 'note');

  let r = await step(as.community, 'accept');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.directive.state, 'accepted');
  assert.ok(r.json.directive.accepted_at);
  assertError(await step(as.community, 'accept'), 409, 'invalid_transition', 'state');

  r = await step(as.community, 'start');
  assert.equal(r.json.directive.state, 'in_progress');
  assertError(await step(as.community, 'feedback', {}), 400, 'missing_field', 'text');
  r = await step(as.community, 'feedback', { text: '已走访经营者，承诺晚十点后停止外摆' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.directive.state, 'feedback_submitted');

  // Approving and returning are the command room's.
  assertError(await step(as.community, 'approve'), 403, 'forbidden');
  assertError(await step(as.community, 'return', { reason: 'x' }), 403, 'forbidden');
  assertError(await step(as.operator, 'return', {}), 400, 'missing_field', 'reason');
  assertError(await step(as.operator, 'return', { reason: '   ' }), 400, 'missing_field', 'reason');
  r = await step(as.operator, 'return', { reason: '未见住户回访记录，请补充' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.directive.state, 'returned');
  assert.equal(r.json.directive.returned_count, 1);

  // returned → in_progress only.
  assertError(await step(as.community, 'feedback', { text: '补充' }), 409, 'invalid_transition', 'state');
  assertError(await step(as.operator, 'approve'), 409, 'invalid_transition', 'state');
  r = await step(as.community, 'start');
  assert.equal(r.json.directive.state, 'in_progress');
  r = await step(as.community, 'feedback', { text: '已回访住户 6 户，夜间噪音明显减少' });
  assert.equal(r.json.directive.state, 'feedback_submitted');

  const v = r.json.directive.version;
  assertError(await step(as.chief, 'approve', { version: v - 1 }), 409, 'stale_version', 'version');
  r = await step(as.chief, 'approve', { version: v, note: '整改到位，同意办结' });
  assert.equal(r.status, 200, r.text);
  const d = r.json.directive;
  assert.equal(d.state, 'approved');
  assert.equal(d.version, v + 1);
  assert.ok(d.approved_at);
  assert.equal(d.overdue, false);
  assert.equal(d.returned_count, 1);
  assert.deepEqual(d.timeline.map((e) => [e.kind, e.text, e.by]), [
    ['feedback', '已走访经营者，承诺晚十点后停止外摆', '王志强'],
    ['return_reason', '未见住户回访记录，请补充', '李晓燕'],
    ['feedback', '已回访住户 6 户，夜间噪音明显减少', '王志强'],
    ['approval_note', '整改到位，同意办结', '周建国'],
  ]);
  for (const s of ['accept', 'start', 'approve']) assertError(await step(as.chief, s), 409, 'invalid_transition', 'state');
  assertError(await as.operator.post('/api/v1/directives/01a20a61-6864-76aa-9928-64fc56f58401/accept', {}), 404, 'not_found');
});

test('every step is audited in its transaction; refused steps leave nothing', async () => {
  const r = await as.auditor.get(`/api/v1/audit?object_type=directive&object_id=${d1.id}&per_page=50`);
  assert.equal(r.status, 200, r.text);
  const items = [...r.json.items].reverse();
  assert.deepEqual(items.map((e) => [e.action, e.username]), [
    ['directive.create', 'operator'],
    ['directive.accept', 'community'],
    ['directive.start', 'community'],
    ['directive.feedback', 'community'],
    ['directive.return', 'operator'],
    ['directive.start', 'community'],
    ['directive.feedback', 'community'],
    ['directive.approve', 'chief'],
  ]);
  assert.equal(items[0].detail.number, d1.number);
  assert.equal(items[0].detail.source, 'repeat_place');
  assert.equal(items[4].reason, '未见住户回访记录，请补充');
  assert.deepEqual(items[4].detail, { from: 'feedback_submitted', to: 'returned' });
  assert.deepEqual(items[5].detail, { from: 'returned', to: 'in_progress' });
  assert.equal(items[1].role, 'community_officer');
});

let d2, d3, d4, d5;

test('more directives: by hand, from a hotspot, one returned, and one in another station', async () => {
  let r = await as.chief.post('/api/v1/directives', {
    target_team: 'case', title: '排查桃园路电动车盗窃', what_to_do: '调取监控，比对近期盗窃警情', deadline_at: iso(t0 + 2 * DAY),
  });
  assert.equal(r.status, 201, r.text);
  d2 = r.json.directive;
  assert.equal(d2.source, 'manual');
  assert.equal(d2.source_ref, null);
  assert.equal(d2.unit, STATION, 'a chief issues for their own station');
  assert.equal(d2.target_grid, null);

  r = await as.operator.post('/api/v1/directives', {
    hotspot: '枫溪中学门口放学时段', target_team: 'community', target_user_id: as.community.user.id,
    title: '护学岗加强巡逻', what_to_do: '放学时段增派巡逻', deadline_at: iso(t0 + 10 * DAY),
  });
  assert.equal(r.status, 201, r.text);
  d3 = r.json.directive;
  assert.equal(d3.source, 'hotspot');
  assert.equal(d3.source_ref, '枫溪中学门口放学时段');
  assert.equal((await as.community.post(`/api/v1/directives/${d3.id}/accept`, {})).status, 200);

  r = await as.operator.post('/api/v1/directives', {
    repeat_caller: '+86 138-1111-0001', target_team: 'community', target_user_id: as.community.user.id,
    target_grid: alerts[2].alert.grid, title: '回访多次报警住户', what_to_do: '上门回访，了解诉求', deadline_at: iso(t0 + DAY),
  });
  assert.equal(r.status, 201, r.text);
  d4 = r.json.directive;
  assert.equal(d4.source, 'repeat_caller');
  assert.equal(d4.source_ref, '13811110001', 'operators see the phone, normalised');
  const masked = await as.community.get(`/api/v1/directives/${d4.id}`);
  assert.equal(masked.json.directive.source_ref, '138****0001', 'community officers see it masked');
  for (const [s, body] of [['accept', {}], ['start', {}], ['feedback', { text: '已回访' }]]) {
    assert.equal((await as.community.post(`/api/v1/directives/${d4.id}/${s}`, body)).status, 200);
  }
  assert.equal((await as.operator.post(`/api/v1/directives/${d4.id}/return`, { reason: '未说明诉求' })).status, 200);

  r = await as.chief2.post('/api/v1/directives', {
    target_team: 'command', title: '清塘夜间巡逻', what_to_do: '加强夜巡', deadline_at: iso(t0 + 2 * DAY),
  });
  assert.equal(r.status, 201, r.text);
  d5 = r.json.directive;
  assert.equal(d5.unit, STATION2);
  assert.equal(d5.number, `ZL-${STATION2}-${d5.issued_at.slice(0, 10).replaceAll('-', '')}-0001`);
});

test('scope: another station neither sees nor touches these directives', async () => {
  const c2 = as.chief2;
  assertError(await c2.get(`/api/v1/directives/${d1.id}`), 404, 'not_found');
  for (const s of ['accept', 'start', 'feedback', 'approve', 'return']) {
    assertError(await c2.post(`/api/v1/directives/${d3.id}/${s}`, {}), 404, 'not_found');
  }
  const list = await c2.get('/api/v1/directives');
  assert.deepEqual(list.json.items.map((d) => d.id), [d5.id]);
  assertError(await c2.get(`/api/v1/kpi/directives?unit=${STATION}&from=${iso(t0 - DAY)}&to=${iso(t0 + DAY)}`), 404, 'not_found');
  assertError(await c2.post('/api/v1/directives', { ...d1Body(), target_user_id: undefined }), 400, 'unknown_incident', 'incident_id');
  assertError(await c2.post('/api/v1/directives', { target_team: 'command', target_grid: alerts[2].alert.grid, title: 't', what_to_do: 'w', deadline_at: iso(t0 + DAY) }), 400, 'unknown_grid', 'target_grid');
  assertError(await c2.post('/api/v1/directives', { unit: STATION, target_team: 'command', title: 't', what_to_do: 'w', deadline_at: iso(t0 + DAY) }), 400, 'unknown_unit', 'unit');
  // And the first station does not see the second's.
  assertError(await as.operator.get(`/api/v1/directives/${d5.id}`), 404, 'not_found');
  assert.equal((await as.operator.get('/api/v1/directives')).json.total, 4);
});

const kpi = (who, unit, from, to) => who.get(`/api/v1/kpi/directives?unit=${unit}&from=${encodeURIComponent(iso(from))}&to=${encodeURIComponent(iso(to))}`);

test('before any deadline passes: nothing overdue; KPI counts exact', async () => {
  const r = await as.operator.get('/api/v1/directives?overdue=1');
  assert.equal(r.json.total, 0);
  const k = await kpi(as.chief, STATION, t0 - DAY, t0 + DAY);
  assert.equal(k.status, 200, k.text);
  // d1 approved in time; d2, d3, d4 open and not yet due; d1 and d4 returned once.
  assert.deepEqual(k.json.counts, { issued: 4, on_time: 1, overdue: 0, pending: 3, returned: 2 });
  assert.deepEqual(k.json.rates, { on_time: 1, returned: 0.5 });
  assert.deepEqual(k.json.stations.map((s) => s.unit), [STATION]);
});

test('three days later: overdue is derived, lists filter on it, a late approval counts as overdue', async () => {
  await shiftClock(3 * DAY);
  const get = async (d) => (await as.operator.get(`/api/v1/directives/${d.id}`)).json.directive;
  assert.equal((await get(d1)).overdue, false, 'approved in time stays in time');
  assert.equal((await get(d2)).overdue, true);
  assert.equal((await get(d3)).overdue, false);
  assert.equal((await get(d4)).overdue, true);

  let r = await as.operator.get('/api/v1/directives?overdue=1');
  assert.deepEqual(r.json.items.map((d) => d.id), [d4.id, d2.id], 'sorted by deadline');
  r = await as.operator.get('/api/v1/directives?overdue=0');
  assert.deepEqual(r.json.items.map((d) => d.id), [d1.id, d3.id]);
  r = await as.operator.get('/api/v1/directives?sort=-deadline');
  assert.deepEqual(r.json.items.map((d) => d.id), [d3.id, d1.id, d2.id, d4.id]);
  r = await as.operator.get('/api/v1/directives?target_team=case');
  assert.deepEqual(r.json.items.map((d) => d.id), [d2.id]);
  r = await as.operator.get(`/api/v1/directives?grid=${alerts[2].alert.grid}`);
  assert.deepEqual(r.json.items.map((d) => d.id), [d4.id, d1.id]);
  r = await as.operator.get('/api/v1/directives?state=open&per_page=2&page=2');
  assert.equal(r.json.total, 3);
  assert.deepEqual(r.json.items.map((d) => d.id), [d3.id]);
  r = await as.community.get('/api/v1/directives?mine=1');
  assert.deepEqual(r.json.items.map((d) => d.id), [d4.id, d1.id, d3.id]);
  for (const [q, field] of [['state=asleep', 'state'], ['overdue=2', 'overdue'], ['sort=name', 'sort'], ['target_team=army', 'target_team'], ['mine=yes', 'mine']]) {
    assertError(await as.operator.get(`/api/v1/directives?${q}`), 400, 'invalid_query', field);
  }

  // The housekeeping thread escalates overdue directives within a second of start.
  await waitFor(async () => (await as.chief.get(`/api/v1/directives/${d4.id}`)).json.directive.timeline.some((e) => e.kind === 'escalation'), 10000);
  // d4 is finished late: start again after its return, feedback, approve.
  for (const [who, s, body] of [[as.community, 'start', {}], [as.community, 'feedback', { text: '已说明诉求' }], [as.chief, 'approve', {}]]) {
    r = await who.post(`/api/v1/directives/${d4.id}/${s}`, body);
    assert.equal(r.status, 200, r.text);
  }
  assert.equal(r.json.directive.state, 'approved');
  assert.equal(r.json.directive.overdue, false, 'approved: no longer overdue, though late');
  // The server's housekeeping escalated d4 to the chief once it was overdue (one entry);
  // an approval without a note adds none.
  assert.deepEqual(r.json.directive.timeline.map((e) => e.kind), ['feedback', 'return_reason', 'escalation', 'feedback']);
});

test('KPI counts after the deadlines: exact figures per station and for the branch', async () => {
  let k = await kpi(as.chief, STATION, t0 - DAY, t0 + DAY);
  assert.equal(k.status, 200, k.text);
  // on time: d1; overdue: d2 (open past its deadline) and d4 (approved late); pending: d3.
  assert.deepEqual(k.json.counts, { issued: 4, on_time: 1, overdue: 2, pending: 1, returned: 2 });
  assert.deepEqual(k.json.rates, { on_time: 0.3333, returned: 0.5 });
  assert.equal(k.json.unit, STATION);
  assert.equal(Date.parse(k.json.from), t0 - DAY);
  assert.equal(Date.parse(k.json.to), t0 + DAY);

  k = await kpi(as.analyst, '339902', t0 - DAY, t0 + DAY);
  assert.equal(k.status, 200, k.text);
  assert.deepEqual(k.json.counts, { issued: 5, on_time: 1, overdue: 3, pending: 1, returned: 2 });
  assert.deepEqual(k.json.rates, { on_time: 0.25, returned: 0.4 });
  assert.deepEqual(k.json.stations.map((s) => [s.unit, s.counts]), [
    [STATION, { issued: 4, on_time: 1, overdue: 2, pending: 1, returned: 2 }],
    [STATION2, { issued: 1, on_time: 0, overdue: 1, pending: 0, returned: 0 }],
  ]);

  // The period is decided by the issue date: a later period holds none of them.
  k = await kpi(as.chief, STATION, t0 + DAY, t0 + 2 * DAY);
  assert.deepEqual(k.json.counts, { issued: 0, on_time: 0, overdue: 0, pending: 0, returned: 0 });
  assert.deepEqual(k.json.rates, { on_time: null, returned: null });
  assert.deepEqual(k.json.stations, []);

  // The unit defaults to the caller's.
  k = await as.chief2.get(`/api/v1/kpi/directives?from=${encodeURIComponent(iso(t0 - DAY))}&to=${encodeURIComponent(iso(t0 + DAY))}`);
  assert.equal(k.json.unit, STATION2);
  assert.deepEqual(k.json.counts, { issued: 1, on_time: 0, overdue: 1, pending: 0, returned: 0 });

  assertError(await as.chief.get(`/api/v1/kpi/directives?to=${iso(t0)}`), 400, 'missing_field', 'from');
  assertError(await as.chief.get(`/api/v1/kpi/directives?from=${iso(t0)}&to=${iso(t0)}`), 400, 'invalid_query', 'to');
  assertError(await as.chief.get(`/api/v1/kpi/directives?from=yesterday&to=${iso(t0)}`), 400, 'invalid_time', 'from');
  assertError(await as.chief.get(`/api/v1/kpi/directives?unit=nowhere&from=${iso(t0)}&to=${iso(t0 + DAY)}`), 404, 'not_found');
  assertError(await as.volunteer.get(`/api/v1/kpi/directives?from=${iso(t0)}&to=${iso(t0 + DAY)}`), 403, 'forbidden');
});

test('a new directive at the shifted clock is judged against it', async () => {
  // Deadlines are checked against the server's clock, not the client's.
  assertError(await as.chief.post('/api/v1/directives', { target_team: 'case', title: 't', what_to_do: 'w', deadline_at: iso(t0 + DAY) }), 400, 'deadline_passed', 'deadline_at');
  const r = await as.chief.post('/api/v1/directives', { target_team: 'case', title: 't', what_to_do: 'w', deadline_at: iso(t0 + offset + 92 * DAY) });
  assertError(r, 400, 'deadline_too_far', 'deadline_at');
});
