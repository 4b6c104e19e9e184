// School posts (护学岗): schools, gate posts, sessions at peak hours, who
// stands there, attendance per session and day (on time / late / absent),
// the week's schedule grid and the attendance rate; rights and scope.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { who, assertError, stopAndCheck } from './helpers.mjs';

const GRID = '339902100001';
let srv;
const as = {};
let school;
let post;
let session; // held every day, all day: today's session has started
let otherDay; // held only tomorrow's weekday
let guard; // a volunteer member
let today;

// The local (China Standard Time) date of now.
function cstDay(ms) {
  return new Date(ms + 8 * 3600000).toISOString().slice(0, 10);
}

before(async () => {
  srv = await startServer({ demo: true });
  for (const name of ['community', 'auxiliary', 'gridworker', 'volunteer', 'chief2', 'analyst', 'operator']) as[name] = await loginAs(srv, who(srv, name));
  today = cstDay(Date.now());
});

after(async () => {
  await stopAndCheck(srv);
});

test('the demo town has schools with posts, sessions and attendance', async () => {
  const r = await as.community.get('/api/v1/schools');
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.total >= 8, r.text.slice(0, 200));
  const posts = await as.community.get('/api/v1/school-posts?per_page=5');
  const p = posts.json.items[0];
  assert.deepEqual(p.sessions.map((s) => [s.label, s.start, s.end, s.weekdays]), [['早高峰', '07:20', '08:00', 31], ['晚高峰', '16:30', '17:10', 31]]);
  assert.equal(p.assignees.length, 3);
  const k = await as.community.get('/api/v1/kpi/school-posts');
  assert.equal(k.status, 200, k.text);
  assert.ok(k.json.recorded > 0 && k.json.attendance_rate > 0.9 && k.json.attendance_rate <= 1, k.text.slice(0, 300));
});

test('schools and posts: bad input names the field; who may set them up', async () => {
  const orgs = await as.community.get('/api/v1/organisations?per_page=50');
  const shop = orgs.json.items.find((o) => o.type !== 'school' && o.type !== 'small_school');
  assert.ok(shop, 'the demo registry has a venue that is no school');
  const bad = [
    [{ unit: GRID }, 'name'],
    [{ name: '测试小学' }, 'unit'],
    [{ name: '测试小学', unit: '339902520000' }, 'unit'],
    [{ organisation_id: shop.id }, 'organisation_id'],
    [{ name: '测试小学', unit: GRID, pupils: -1 }, 'pupils'],
  ];
  for (const [body, field] of bad) {
    const r = await as.community.post('/api/v1/schools', body);
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.json.error.field, field, r.text);
  }
  assertError(await as.auxiliary.post('/api/v1/schools', { name: '测试小学', unit: GRID }), 403, 'forbidden');
  const s = await as.community.post('/api/v1/schools', { name: '桃园实验小学', unit: GRID, pupils: 640 });
  assert.equal(s.status, 201, s.text);
  school = s.json.school;
  assert.equal(school.unit, GRID);
  assertError(await as.community.post('/api/v1/school-posts', { school_id: school.id }), 400, 'missing_field', 'name');
  const p = await as.community.post('/api/v1/school-posts', { school_id: school.id, name: '正门', location: { lat: 29.74, lon: 120.25 } });
  assert.equal(p.status, 201, p.text);
  post = p.json.post;
  assertError(await as.chief2.get(`/api/v1/school-posts/${post.id}`), 404, 'not_found');
});

test('sessions and assignees', async () => {
  const url = `/api/v1/school-posts/${post.id}/sessions`;
  assertError(await as.community.post(url, { label: '早', start: '7:20', end: '08:00' }), 400, 'invalid_value', 'start');
  assertError(await as.community.post(url, { label: '早', start: '08:00', end: '07:20' }), 400, 'before_start', 'end');
  assertError(await as.community.post(url, { label: '早', start: '07:20', end: '08:00', weekdays: 0 }), 400, 'out_of_range', 'weekdays');
  let r = await as.community.post(url, { label: '全天', start: '00:00', end: '24:00', weekdays: 127 });
  assert.equal(r.status, 200, r.text);
  session = r.json.post.sessions.find((s) => s.label === '全天');
  assert.equal(session.end, '24:00');
  // A session held only on tomorrow's weekday (bit 0 is Monday).
  const tomorrowDow = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6 + 1) % 7;
  r = await as.community.post(url, { label: '明日', start: '07:20', end: '08:00', weekdays: 1 << tomorrowDow });
  assert.equal(r.status, 200, r.text);
  otherDay = r.json.post.sessions.find((s) => s.label === '明日');

  const cands = await as.community.get('/api/v1/school-candidates');
  assert.equal(cands.status, 200, cands.text);
  const officer = cands.json.users.find((u) => u.id === as.auxiliary.user.id);
  assert.ok(officer, 'the auxiliary can be put on a post');
  guard = cands.json.members[0];
  assert.ok(guard, 'volunteers can be put on a post');
  const a = `/api/v1/school-posts/${post.id}/assignees`;
  assertError(await as.community.post(a, { kind: 'parent', ref_id: guard.id }), 400, 'invalid_value', 'kind');
  assertError(await as.community.post(a, { kind: 'user', ref_id: as.chief2.user.id }), 400, 'unknown_assignee', 'ref_id');
  assertError(await as.community.post(a, { kind: 'user', ref_id: as.volunteer.user.id }), 400, 'unknown_assignee', 'ref_id');
  assert.equal((await as.community.post(a, { kind: 'user', ref_id: officer.id })).status, 200);
  r = await as.community.post(a, { kind: 'member', ref_id: guard.id });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.post.assignees.map((x) => x.kind).sort(), ['member', 'user']);
  assertError(await as.community.post(a, { kind: 'member', ref_id: guard.id }), 409, 'duplicate', 'ref_id');
  assertError(await as.auxiliary.post(a, { kind: 'member', ref_id: guard.id }), 403, 'forbidden');
});

test('attendance: arrival time gives on time or late; checks; a correction keeps the record', async () => {
  const body = (extra) => ({ session_id: session.id, day: today, kind: 'user', ref_id: as.auxiliary.user.id, ...extra });
  const now = new Date().toISOString();
  const tomorrow = cstDay(Date.now() + 86400000);
  const bad = [
    [body({ session_id: undefined }), 400, 'session_id'],
    [body({ day: '2026-02-30' }), 400, 'day'],
    [body({ day: tomorrow }), 400, 'day'], // the session has not started
    [{ ...body({}), session_id: otherDay.id }, 400, 'day'], // not held today
    [body({ ref_id: as.community.user.id }), 400, 'ref_id'], // not on the post
    [body({}), 400, 'status'], // neither arrival nor status
    [body({ status: 'sick' }), 400, 'status'],
    [body({ status: 'on_time', arrived_at: now }), 400, 'status'], // 00:00 has passed: late
    [body({ status: 'absent', arrived_at: now }), 400, 'arrived_at'],
  ];
  for (const [b, status, field] of bad) {
    const r = await as.auxiliary.post('/api/v1/school-attendance', b);
    assert.equal(r.status, status, `${JSON.stringify(b)}: ${r.text}`);
    assert.equal(r.json.error.field, field, `${JSON.stringify(b)}: ${r.text}`);
  }
  assertError(await as.gridworker.post('/api/v1/school-attendance', body({ status: 'absent' })), 403, 'forbidden');
  assertError(await as.chief2.post('/api/v1/school-attendance', body({ status: 'absent' })), 400, 'unknown_session', 'session_id');
  const late = await as.auxiliary.post('/api/v1/school-attendance', body({ arrived_at: now }));
  assert.equal(late.status, 201, late.text);
  assert.equal(late.json.attendance.status, 'late');
  assert.equal(late.json.attendance.status_label, '迟到');
  const fixed = await as.community.post('/api/v1/school-attendance', body({ status: 'on_time', note: '提前到岗，补录' }));
  assert.equal(fixed.status, 201, fixed.text);
  assert.equal(fixed.json.attendance.id, late.json.attendance.id, 'a correction keeps the record');
  assert.equal(fixed.json.attendance.status, 'on_time');
  assert.equal(fixed.json.attendance.arrived_at, null);
});

test('the week grid and the attendance rate', async () => {
  const w = await as.gridworker.get(`/api/v1/school-week?date=${today}`);
  assert.equal(w.status, 200, w.text);
  const dow = w.json.days.indexOf(today);
  assert.ok(dow >= 0 && dow < 7, 'the week holds today');
  assert.equal(new Date(`${w.json.monday}T00:00:00Z`).getUTCDay(), 1, 'weeks start on Monday');
  const row = w.json.rows.find((x) => x.session_id === session.id);
  assert.ok(row, 'the session is in the grid');
  assert.deepEqual(row.held, [true, true, true, true, true, true, true]);
  const aux = row.assignees.find((x) => x.ref_id === as.auxiliary.user.id);
  assert.equal(aux.days[dow].status, 'on_time');
  const vol = row.assignees.find((x) => x.ref_id === guard.id);
  assert.equal(vol.days[dow], null, 'not recorded yet');
  const other = w.json.rows.find((x) => x.session_id === otherDay.id);
  assert.equal(other.assignees[0].days[dow], false, 'not held today');
  assertError(await as.gridworker.get('/api/v1/school-week?date=today'), 400, 'invalid_value', 'date');

  // Today only, for this school: two people on the all-day session (the other one
  // is not held today) = 2 expected; 1 on time recorded.
  await as.auxiliary.post('/api/v1/school-attendance', { session_id: session.id, day: today, kind: 'member', ref_id: guard.id, status: 'absent' });
  const k = await as.analyst.get(`/api/v1/kpi/school-posts?unit=${GRID}&from=${today}&to=${today}`);
  assert.equal(k.status, 200, k.text);
  const s = k.json.schools.find((x) => x.id === school.id);
  assert.deepEqual([s.expected, s.on_time, s.late, s.absent, s.unrecorded], [2, 1, 0, 1, 0]);
  assert.equal(s.attendance_rate, 0.5);
  assert.equal(s.punctuality_rate, 0.5);
  assertError(await as.analyst.get('/api/v1/kpi/school-posts?from=2026-01-10&to=2026-01-01'), 400, 'before_start', 'to');
  assertError(await as.volunteer.get('/api/v1/school-week'), 403, 'forbidden');
  assertError(await as.operator.get('/api/v1/schools'), 403, 'forbidden');
});
