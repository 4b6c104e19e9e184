// Volunteers (群防群治): groups, members (phones masked per role), patrol
// tasks, check-in and check-out giving credited minutes, clues reported
// during a task into the clue queue, counts; rights and scope.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { who, assertError, stopAndCheck, restartAt } from './helpers.mjs';

const GRID = '339902100001'; // the demo volunteer's grid
const MIN = 60000;
let srv;
const as = {};
let group;
let member; // a member with a phone, made here
let volunteerMember; // the demo volunteer's member record
let task;

const NAMES = ['community', 'auxiliary', 'gridworker', 'volunteer', 'operator', 'chief2', 'auditor', 'caseofficer', 'analyst'];
async function loginAll() {
  for (const name of NAMES) as[name] = await loginAs(srv, who(srv, name));
}

before(async () => {
  srv = await startServer({ demo: true });
  await loginAll();
});

after(async () => {
  await stopAndCheck(srv);
});

test('the demo has a patrol team per grid with the volunteer user in one', async () => {
  const r = await as.community.get(`/api/v1/volunteer-groups?unit=${GRID}`);
  assert.equal(r.status, 200, r.text);
  const team = r.json.items.find((g) => g.kind === 'patrol_team');
  assert.ok(team, r.text.slice(0, 300));
  assert.ok(team.members >= 8, 'a team has members');
  const m = await as.community.get(`/api/v1/volunteer-members?group_id=${team.id}&per_page=50`);
  volunteerMember = m.json.items.find((x) => x.user_id === as.volunteer.user.id);
  assert.ok(volunteerMember, 'the demo volunteer is a member of the team');
  assert.ok(m.json.items.some((x) => x.hours > 0), 'members have hours from the demo year');
});

test('groups: made and changed by the community team; bad input names the field', async () => {
  const bad = [
    [{ kind: 'patrol_team', unit: GRID }, 'name'],
    [{ name: '测试队', kind: 'army', unit: GRID }, 'kind'],
    [{ name: '测试队', kind: 'patrol_team' }, 'unit'],
    [{ name: '测试队', kind: 'patrol_team', unit: '339902520000' }, 'unit'], // another station
    [{ name: '测试队', kind: 'patrol_team', unit: GRID, colour: 'red' }, 'colour'],
  ];
  for (const [body, field] of bad) {
    const r = await as.community.post('/api/v1/volunteer-groups', body);
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.json.error.field, field, r.text);
  }
  const r = await as.community.post('/api/v1/volunteer-groups', { name: '桃园平安志愿者', kind: 'safety_volunteer', unit: GRID, leader_name: '钱队长' });
  assert.equal(r.status, 201, r.text);
  group = r.json.group;
  assert.equal(group.kind_label, '平安志愿者');
  assert.equal(group.unit, GRID);
  assert.equal(group.members, 0);
  const p = await as.auxiliary.patch(`/api/v1/volunteer-groups/${group.id}`, { notes: '每周三晚巡逻', version: group.version });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.group.notes, '每周三晚巡逻');
  assertError(await as.auxiliary.patch(`/api/v1/volunteer-groups/${group.id}`, { notes: 'x', version: group.version }), 409, 'version_mismatch', 'version');
  assertError(await as.community.patch(`/api/v1/volunteer-groups/${group.id}`, { unit: '339902100002' }), 400, 'read_only', 'unit');
  group = p.json.group;
});

test('members: phones unmasked for the team, masked for readers; reads are audited', async () => {
  const badPhone = await as.community.post('/api/v1/volunteer-members', { group_id: group.id, name: '孙阿姨', phone: '12' });
  assert.equal(badPhone.status, 400, badPhone.text);
  assert.equal(badPhone.json.error.field, 'phone');
  assertError(await as.community.post('/api/v1/volunteer-members', { group_id: group.id }), 400, 'missing_field', 'name');
  assertError(await as.community.post('/api/v1/volunteer-members', { group_id: group.id, name: 'x', joined_on: '2026-02-30' }), 400, 'invalid_value', 'joined_on');
  assertError(await as.chief2.post('/api/v1/volunteer-members', { group_id: group.id, name: '孙阿姨' }), 400, 'unknown_group', 'group_id');
  assertError(await as.gridworker.post('/api/v1/volunteer-members', { group_id: group.id, name: '孙阿姨' }), 403, 'forbidden');
  const r = await as.community.post('/api/v1/volunteer-members', { group_id: group.id, name: '孙阿姨', phone: '138 1234 5678', joined_on: '2025-03-01' });
  assert.equal(r.status, 201, r.text);
  member = r.json.member;
  assert.equal(member.phone, '138 1234 5678');
  const asTeam = await as.auxiliary.get(`/api/v1/volunteer-members/${member.id}`);
  assert.equal(asTeam.json.member.phone, '138 1234 5678');
  const asGrid = await as.gridworker.get(`/api/v1/volunteer-members/${member.id}`);
  assert.equal(asGrid.status, 200, asGrid.text);
  assert.equal(asGrid.json.member.phone, '138****5678');
  const list = await as.analyst.get(`/api/v1/volunteer-members?group_id=${group.id}`);
  assert.equal(list.json.items[0].phone, '138****5678');
  assertError(await as.operator.get('/api/v1/volunteer-members'), 403, 'forbidden');
  assertError(await as.volunteer.get('/api/v1/volunteer-members'), 403, 'forbidden');
  assertError(await as.chief2.get(`/api/v1/volunteer-members/${member.id}`), 404, 'not_found');
  const audit = await as.auditor.get('/api/v1/audit?per_page=100');
  assert.ok(audit.json.items.some((e) => e.object_id === member.id && e.username === 'gridworker'), 'the grid worker\'s read is in the audit log');
});

test('tasks: validation; a task for the demo volunteer; who may plan', async () => {
  const now = Date.now();
  const base = { group_id: volunteerMember.group_id, kind: 'patrol', title: '夜间巡逻', area: '沿河步道', starts_at: new Date(now - 10 * MIN).toISOString(), ends_at: new Date(now + 60 * MIN).toISOString() };
  const bad = [
    [{ ...base, kind: 'party' }, 'kind'],
    [{ ...base, area: '' }, 'area'],
    [{ ...base, ends_at: base.starts_at }, 'ends_at'],
    [{ ...base, ends_at: new Date(now + 30 * 3600000).toISOString() }, 'ends_at'],
    [{ ...base, member_ids: [member.id] }, 'member_ids'], // a member of another group
    [{ ...base, group_id: '00000000-0000-7000-8000-000000000000' }, 'group_id'],
    [{ ...base, location: { lat: 95, lon: 120 } }, 'lat'],
  ];
  for (const [body, field] of bad) {
    const r = await as.community.post('/api/v1/volunteer-tasks', body);
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.json.error.field, field, r.text);
  }
  assertError(await as.gridworker.post('/api/v1/volunteer-tasks', base), 403, 'forbidden');
  assertError(await as.volunteer.post('/api/v1/volunteer-tasks', base), 403, 'forbidden');
  const r = await as.community.post('/api/v1/volunteer-tasks', { ...base, member_ids: [volunteerMember.id] });
  assert.equal(r.status, 201, r.text);
  task = r.json.task;
  assert.match(task.number, new RegExp(`^ZY-${GRID}-\\d{8}-\\d{4}$`));
  assert.equal(task.status, 'ongoing');
  assert.deepEqual(task.members.map((m) => m.id), [volunteerMember.id]);
});

test('the volunteer sees their task, checks in once, reports a clue and checks out', async () => {
  const duty = await as.volunteer.get('/api/v1/volunteer-duty');
  assert.equal(duty.status, 200, duty.text);
  assert.ok(duty.json.tasks.some((t) => t.id === task.id), 'the new task is on the volunteer\'s list');
  assert.ok(duty.json.hours.hours_365d > 0 || duty.json.hours.turns_365d >= 0);
  const seen = await as.volunteer.get(`/api/v1/volunteer-tasks/${task.id}`);
  assert.equal(seen.status, 200, seen.text);
  assertError(await as.volunteer.get('/api/v1/volunteer-tasks'), 403, 'forbidden');
  assertError(await as.volunteer.post(`/api/v1/volunteer-tasks/${task.id}/check-in`, { member_id: member.id }), 403, 'forbidden', 'member_id');
  assertError(await as.volunteer.post(`/api/v1/volunteer-tasks/${task.id}/check-out`, {}), 409, 'invalid_state');
  const inn = await as.volunteer.post(`/api/v1/volunteer-tasks/${task.id}/check-in`, { location: { lat: 29.741, lon: 120.251 } });
  assert.equal(inn.status, 200, inn.text);
  assert.equal(inn.json.member_id, volunteerMember.id);
  const turn = inn.json.task.checkins.find((k) => k.member_id === volunteerMember.id);
  assert.ok(turn && turn.in_location && turn.out_at === null, inn.text);
  assertError(await as.volunteer.post(`/api/v1/volunteer-tasks/${task.id}/check-in`, {}), 409, 'duplicate');
  // Someone else's volunteer task is not found for them.
  assertError(await as.chief2.post(`/api/v1/volunteer-tasks/${task.id}/check-in`, { member_id: volunteerMember.id }), 404, 'not_found');

  const before = (await as.caseofficer.get('/api/v1/clues?per_page=1')).json.total;
  assertError(await as.volunteer.post(`/api/v1/volunteer-tasks/${task.id}/clues`, { text: '' }), 400, 'missing_field', 'text');
  const clue = await as.volunteer.post(`/api/v1/volunteer-tasks/${task.id}/clues`, { text: '河边有人夜间电鱼', location: { lat: 29.742, lon: 120.252 } });
  assert.equal(clue.status, 201, clue.text);
  assert.equal(clue.json.clue.source, 'volunteer');
  assert.equal(clue.json.clue.state, 'new');
  assert.equal((await as.caseofficer.get('/api/v1/clues?per_page=1')).json.total, before + 1, 'the clue is in the queue');
  assertError(await as.volunteer.get('/api/v1/clues'), 403, 'forbidden');
  const t = await as.community.get(`/api/v1/volunteer-tasks/${task.id}`);
  assert.equal(t.json.task.clues, 1);
  assert.equal(t.json.task.clue_list[0].id, clue.json.clue.id);

  // Three hours later: the check-out is credited up to 30 minutes after the task's end.
  await restartAt(srv, 3 * 3600000, ...Object.values(as));
  await loginAll(); // the idle sessions have expired by then
  const out = await as.volunteer.post(`/api/v1/volunteer-tasks/${task.id}/check-out`, {});
  assert.equal(out.status, 200, out.text);
  const inAt = Date.parse(turn.in_at);
  const endsAt = Date.parse(task.ends_at);
  assert.equal(out.json.minutes, Math.floor((endsAt + 30 * MIN - inAt) / MIN));
  assert.equal(out.json.task.status, 'done');
  assertError(await as.volunteer.post(`/api/v1/volunteer-tasks/${task.id}/check-out`, {}), 409, 'invalid_state');
  await restartAt(srv, 0, ...Object.values(as));
  await loginAll();
});

test('check-in is refused too early, and a cancelled task takes none', async () => {
  const now = Date.now();
  const later = await as.community.post('/api/v1/volunteer-tasks', { group_id: volunteerMember.group_id, kind: 'watch', title: '集市值守', area: '菜市场', starts_at: new Date(now + 2 * 3600000).toISOString(), ends_at: new Date(now + 4 * 3600000).toISOString() });
  assert.equal(later.status, 201, later.text);
  assert.equal(later.json.task.status, 'upcoming');
  assert.ok(later.json.task.members.some((m) => m.id === volunteerMember.id), 'nobody assigned: the whole group');
  assertError(await as.volunteer.post(`/api/v1/volunteer-tasks/${later.json.task.id}/check-in`, {}), 409, 'too_early');
  assertError(await as.community.post(`/api/v1/volunteer-tasks/${later.json.task.id}/cancel`, {}), 400, 'missing_field', 'reason');
  const c = await as.community.post(`/api/v1/volunteer-tasks/${later.json.task.id}/cancel`, { reason: '暴雨' });
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.task.status, 'cancelled');
  assertError(await as.community.post(`/api/v1/volunteer-tasks/${task.id}/cancel`, { reason: '测试' }), 409, 'invalid_state');
});

test('counts: members, active members, hours, tasks done and clues of a grid', async () => {
  const from = new Date(Date.now() - 2 * 86400000).toISOString();
  const to = new Date(Date.now() + 86400000).toISOString();
  const r = await as.community.get(`/api/v1/kpi/volunteers?unit=${GRID}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
  assert.equal(r.status, 200, r.text);
  const g = r.json.groups.find((x) => x.id === volunteerMember.group_id);
  assert.ok(g, r.text.slice(0, 300));
  // The same figures from the task list: the group's tasks in the window.
  const tasks = await as.community.get(`/api/v1/volunteer-tasks?group_id=${g.id}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&per_page=200`);
  const live = tasks.json.items.filter((t) => t.state !== 'cancelled');
  assert.equal(g.tasks, live.length);
  assert.equal(g.tasks_done, live.filter((t) => t.status === 'done').length);
  assert.ok(g.tasks_done >= 1 && g.clues >= 1 && g.active_members >= 1);
  // A period that ends before it starts is refused, as the KPI refuses it.
  assertError(await as.community.get(`/api/v1/volunteer-tasks?from=${encodeURIComponent(to)}&to=${encodeURIComponent(from)}`), 400, 'before_start', 'to');
  assert.equal(r.json.members, r.json.groups.reduce((s, x) => s + x.members, 0));
  assert.ok(Math.abs(r.json.hours - r.json.minutes / 60) < 1e-9);
  assertError(await as.volunteer.get('/api/v1/kpi/volunteers'), 403, 'forbidden');
  assertError(await as.chief2.get(`/api/v1/kpi/volunteers?unit=${GRID}`), 404, 'not_found', 'unit');
  const badFrom = await as.community.get('/api/v1/kpi/volunteers?from=2026-13-01');
  assert.equal(badFrom.status, 400, badFrom.text);
  assert.equal(badFrom.json.error.field, 'from');
});
