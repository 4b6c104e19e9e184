// 群防群治 and 护学岗 in the browser: the demo volunteer signs in on a phone
// (390×844, /m/volunteer), checks in to a patrol with the phone's position
// and reports a clue during it; a community officer records an attendance on
// the 护学岗 week grid. Each result is then checked in the store through the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { harness, field, sidewaysOverflow, TEST_OPTIONS } from './helpers.mjs';

const PHONE = { width: 390, height: 844 };
const HERE = { latitude: 29.7412, longitude: 120.2518 };
const h = harness('fq-volunteers-');
before(h.setup);
after(h.teardown);

function cstDay(ms) {
  return new Date(ms + 8 * 3600000).toISOString().slice(0, 10);
}

test('a volunteer checks in to a patrol on a phone and reports a clue', TEST_OPTIONS, h.guarded(async (t) => {
  const officer = await h.api('community');
  const volunteer = await h.api('volunteer');
  // A patrol that started ten minutes ago, for the demo volunteer alone.
  const groups = await officer.get('/api/v1/volunteer-groups?unit=339902100001');
  const team = groups.json.items.find((g) => g.kind === 'patrol_team');
  const members = await officer.get(`/api/v1/volunteer-members?group_id=${team.id}&per_page=50`);
  const me = members.json.items.find((m) => m.user_id === volunteer.user.id);
  assert.ok(me, 'the demo volunteer is in the team');
  const now = Date.now();
  const made = await officer.post('/api/v1/volunteer-tasks', {
    group_id: team.id, kind: 'patrol', title: '浏览器测试巡逻', area: '沿河步道', member_ids: [me.id],
    starts_at: new Date(now - 10 * 60000).toISOString(), ends_at: new Date(now + 80 * 60000).toISOString(),
  });
  assert.equal(made.status, 201, made.text);
  const task = made.json.task;

  const context = await h.browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', geolocation: HERE, permissions: ['geolocation'] });
  context.setDefaultTimeout(15000);
  const origin = new URL(h.srv.url).origin;
  const problems = [];
  await context.route('**/*', (r) => (r.request().url().startsWith(origin) ? r.continue() : (problems.push(r.request().url()), r.abort())));
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(e.message));
  const { password } = h.login('volunteer');
  await page.goto(`${h.srv.url}/login?redirect=${encodeURIComponent('/m/volunteer')}`);
  await field(page, 'login-username').fill('volunteer');
  await field(page, 'login-password').fill(password);
  await field(page, 'login-password').press('Enter');
  await page.waitForURL((u) => u.pathname === '/m/volunteer');
  await page.locator('[data-test=duty-position]', { hasText: '已定位' }).waitFor();

  const card = page.locator(`[data-test=duty-task][data-task="${task.id}"]`);
  await card.waitFor();
  assert.match(await card.innerText(), /浏览器测试巡逻/);
  assert.match(await card.innerText(), /进行中/);
  await card.locator('[data-test=duty-check-in]').click();
  await card.locator('[data-test=duty-turn]').waitFor();
  assert.equal(await card.locator('[data-test=duty-check-in]').count(), 0, 'no second check-in');
  await card.locator('[data-test=duty-check-out]').waitFor();

  await card.locator('[data-test=duty-clue]').click();
  await card.locator('[data-test=duty-clue-send]').click();
  await card.locator('[data-test=duty-clue-form]', { hasText: '请填写线索内容' }).waitFor();
  await field(page, 'duty-clue-text').fill('桥洞下有人夜间收购来路不明的电动车电池');
  await card.locator('[data-test=duty-clue-send]').click();
  const saved = page.locator('[data-test=duty-clue-saved]');
  await saved.waitFor();
  assert.match(await saved.innerText(), /线索 XS-\d+-\d{8}-\d{4} 已报告/);
  await h.shot(t, page, 'volunteer-phone.png');
  assert.ok((await sidewaysOverflow(page)) <= 1, 'no horizontal scrolling on the phone');
  assert.deepEqual(problems, []);
  await context.close();

  // In the store: the check-in with the phone's position, and the clue in the queue.
  const after = await officer.get(`/api/v1/volunteer-tasks/${task.id}`);
  const turn = after.json.task.checkins.find((k) => k.member_id === me.id);
  assert.ok(turn && turn.out_at === null, after.text);
  assert.ok(Math.abs(turn.in_location.lat - HERE.latitude) < 1e-6 && Math.abs(turn.in_location.lon - HERE.longitude) < 1e-6);
  assert.equal(after.json.task.clue_list.length, 1);
  const clue = await (await h.api('caseofficer')).get(`/api/v1/clues/${after.json.task.clue_list[0].id}`);
  assert.equal(clue.status, 200, clue.text);
  assert.equal(clue.json.clue.source, 'volunteer');
  assert.equal(clue.json.clue.text, '桥洞下有人夜间收购来路不明的电动车电池');
}));

test('an attendance is recorded on the 护学岗 week grid', TEST_OPTIONS, h.guarded(async (t) => {
  const officer = await h.api('community');
  const today = cstDay(Date.now());
  // A post whose session runs all day every day, so today's has started whenever the test runs.
  const school = await officer.post('/api/v1/schools', { name: '浏览器测试小学', unit: '339902100001' });
  assert.equal(school.status, 201, school.text);
  const post = (await officer.post('/api/v1/school-posts', { school_id: school.json.school.id, name: '北门' })).json.post;
  const withSession = await officer.post(`/api/v1/school-posts/${post.id}/sessions`, { label: '全天岗', start: '00:00', end: '24:00', weekdays: 127 });
  assert.equal(withSession.status, 200, withSession.text);
  const session = withSession.json.post.sessions[0];
  const auxiliary = await h.api('auxiliary');
  assert.equal((await officer.post(`/api/v1/school-posts/${post.id}/assignees`, { kind: 'user', ref_id: auxiliary.user.id })).status, 200);

  const { page, problems } = await h.openPage();
  await h.signIn(page, 'community', '/community/school-posts');
  const grid = page.locator('[data-test=week-grid]');
  await grid.waitFor();
  const cell = page.locator(`tr[data-session="${session.id}"] [data-test=week-cell][data-day="${today}"][data-ref="${auxiliary.user.id}"]`);
  await cell.locator('[data-test=week-record]').click();
  const dialog = page.locator('[data-test=attendance-dialog]');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /浏览器测试小学 · 北门 · 全天岗/);
  assert.match(await dialog.innerText(), /张伟/);
  await dialog.locator('[data-test=attendance-status] label', { hasText: '迟到' }).click();
  await page.locator('[data-test=attendance-save]').click();
  await cell.locator('.el-tag', { hasText: '迟到' }).waitFor();
  await h.shot(t, page, 'school-week.png');
  assert.deepEqual(problems, []);

  const w = await officer.get(`/api/v1/school-week?date=${today}`);
  const row = w.json.rows.find((x) => x.session_id === session.id);
  const d = w.json.days.indexOf(today);
  assert.equal(row.assignees[0].days[d].status, 'late');
  const audit = await (await h.api('auditor')).get('/api/v1/audit?action=school_attendance.record&per_page=20');
  assert.ok(audit.json.items.some((e) => e.object_id === row.assignees[0].days[d].id && e.username === 'community'), 'the record is audited');
}));
