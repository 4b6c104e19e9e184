// Browser test of governance directives (治理指令): the operator issues one
// from an incident to the community team of the incident's grid; the
// community officer, signed in in a second browser context, sees it,
// accepts it, starts it and records feedback; the operator approves it;
// the counts (issued, on time) move by one each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_OPTIONS, field, harness, sidewaysOverflow } from './helpers.mjs';

const h = harness('fq-directive-');
const { openPage, signIn, shot, guarded } = h;

before(h.setup);
after(h.teardown);

const DAY = 86400e3;
const kpiQuery = () => {
  const now = Date.now();
  return `/api/v1/kpi/directives?from=${encodeURIComponent(new Date(now - 40 * DAY).toISOString())}&to=${encodeURIComponent(new Date(now + DAY).toISOString())}`;
};

test(
  'issuing and answering a directive: from an incident to the grid\'s community officer, feedback, approval, counts',
  TEST_OPTIONS,
  guarded(async (t) => {
    const operator = await h.api('operator');
    const community = await h.api('community');
    const r = await operator.post('/api/v1/alerts', {
      received_at: new Date(Date.now() - 60000).toISOString(),
      source: 'phone_110',
      caller_name: '陈女士',
      caller_phone: '13612340000',
      location: { lat: 29.7467, lon: 120.2385 },
      address: '桃埠社区文化广场东侧',
      category: 'public_order.noise',
      description: '广场舞音响声音太大，影响休息',
    });
    assert.equal(r.status, 201, r.text);
    const incident = r.json.incident;
    const grid = r.json.alert.grid;
    assert.ok(grid, 'the alert lies in a grid');
    const before = (await operator.get(kpiQuery())).json.counts;

    const op = await openPage();
    const co = await openPage();
    try {
      // The operator issues it from the incident page.
      await signIn(op.page, 'operator', `/command/incidents/${incident.id}`);
      await op.page.locator('[data-test=incident-number]').waitFor();
      await op.page.locator('[data-test=incident-directive]').click();
      await field(op.page, 'directive-title').waitFor({ state: 'visible' });
      assert.match(await field(op.page, 'directive-title').inputValue(), /噪音扰民/);
      // Required: what to do.
      await op.page.locator('[data-test=directive-submit]').click();
      await op.page.getByText('请写明要做什么').waitFor();
      await field(op.page, 'directive-what').fill('走访广场舞队负责人，约定音量和时段，回访周边住户并反馈');
      await shot(t, op.page, 'directive-form-1366.png');
      await op.page.locator('[data-test=directive-submit]').click();
      await op.page.locator('.el-message', { hasText: /已下发治理指令 ZL-/ }).waitFor();
      const list = (await operator.get('/api/v1/directives?sort=-issued&per_page=1')).json.items;
      const d = list[0];
      assert.equal(d.incident_id, incident.id);
      assert.equal(d.source, 'incident');
      assert.equal(d.target_team, 'community');
      assert.equal(d.target_grid, grid, 'addressed to the incident\'s grid');
      assert.equal(d.state, 'issued');

      // The directive list shows it with its countdown and the counts.
      await op.page.locator('[data-test=nav-command-directives]').click();
      await op.page.waitForURL(/\/command\/directives$/);
      const opRow = op.page.locator('[data-test=directives-table] .el-table__row', { has: op.page.locator(`[data-directive-id="${d.id}"]`) });
      await opRow.waitFor();
      assert.match(await opRow.locator('[data-test=directive-countdown]').innerText(), /^还剩 \d+天/);
      await op.page.waitForFunction((n) => document.querySelector('[data-test=kpi-issued]').textContent.trim() === String(n), before.issued + 1);
      await shot(t, op.page, 'directives-issued-1366.png');

      // The community officer, in another browser, finds it in the grid and answers.
      await signIn(co.page, 'community', '/command/directives');
      await co.page.locator('[data-test=directive-filter-grid]').click();
      const gridName = d.target_grid_name;
      await co.page.locator('.el-select-dropdown__item:visible', { hasText: gridName }).first().click();
      const coRow = co.page.locator('[data-test=directives-table] .el-table__row', { has: co.page.locator(`[data-directive-id="${d.id}"]`) });
      await coRow.waitFor();
      await coRow.locator('[data-test=directive-number]').click();
      await co.page.locator('[data-test=directive-detail-state][data-state=issued]').waitFor();
      assert.equal(await co.page.locator('[data-test=directive-step-approve]').count(), 0, 'the team cannot approve');
      await co.page.locator('[data-test=directive-step-accept]').click();
      await co.page.locator('[data-test=directive-detail-state][data-state=accepted]').waitFor();
      await co.page.locator('[data-test=directive-step-start]').click();
      await co.page.locator('[data-test=directive-detail-state][data-state=in_progress]').waitFor();
      await co.page.locator('[data-test=directive-step-feedback]').click();
      // Feedback text is required.
      await co.page.locator('[data-test=directive-step-confirm]:visible').click();
      await co.page.getByText('请填写办理情况').waitFor();
      const feedback = '已约谈广场舞队负责人，音量降至 60 分贝以下，晚 9 点前结束；回访 3 户住户均表示满意';
      await field(co.page, 'directive-step-text').fill(feedback);
      await co.page.locator('[data-test=directive-step-confirm]:visible').click();
      await co.page.locator('[data-test=directive-detail-state][data-state=feedback_submitted]').waitFor();
      assert.match(await co.page.locator('[data-test=directive-history]').innerText(), /已约谈广场舞队负责人/);
      await shot(t, co.page, 'directive-feedback-community-1366.png');
      const afterFeedback = (await community.get(`/api/v1/directives/${d.id}`)).json.directive;
      assert.equal(afterFeedback.state, 'feedback_submitted');

      // The operator approves it.
      await op.page.locator('[data-test=directives-refresh]').click();
      await opRow.locator('[data-test=directive-state][data-state=feedback_submitted]').waitFor();
      await opRow.locator('[data-test=directive-number]').click();
      await op.page.locator('[data-test=directive-detail-state][data-state=feedback_submitted]').waitFor();
      assert.equal(await op.page.locator('[data-test=directive-step-feedback]').count(), 0, 'the command room does not give feedback');
      await op.page.locator('[data-test=directive-step-approve]').click();
      await field(op.page, 'directive-step-text').fill('整改到位，同意办结');
      await op.page.locator('[data-test=directive-step-confirm]:visible').click();
      await op.page.locator('[data-test=directive-detail-state][data-state=approved]').waitFor();
      const history = await op.page.locator('[data-test=directive-history]').innerText();
      for (const text of ['下发指令', '签收', '开始办理', '反馈', '审核通过', '整改到位']) assert.ok(history.includes(text), `history lacks ${text}`);
      await shot(t, op.page, 'directive-approved-1366.png');

      // Counts: one more issued, one more on time, nothing overdue or returned.
      const after = (await operator.get(kpiQuery())).json.counts;
      assert.equal(after.issued, before.issued + 1);
      assert.equal(after.on_time, before.on_time + 1);
      assert.equal(after.returned, before.returned);
      await op.page.waitForFunction((n) => document.querySelector('[data-test=kpi-on-time]').textContent.trim() === String(n), after.on_time);
      assert.equal((await op.page.locator('[data-test=kpi-issued]').innerText()).trim(), String(after.issued));
      // Approved: gone from the default "open" list.
      await op.page.keyboard.press('Escape');
      await opRow.waitFor({ state: 'detached' });
      assert.ok((await sidewaysOverflow(op.page)) <= 0, 'the directive page does not scroll sideways');
      assert.deepEqual(op.problems, []);
      assert.deepEqual(co.problems, []);
    } finally {
      await op.context.close();
      await co.context.close();
    }
  }),
);

test(
  'a repeat-place flag proposes a directive: the form opens with the place, and the directive names it',
  TEST_OPTIONS,
  guarded(async (t) => {
    const operator = await h.api('operator');
    const place = { address: '枫溪镇桃园路8号夜宵排档', location: { lat: 29.72, lon: 120.22 } };
    let last;
    for (const [i, daysAgo] of [20, 10, 0.01].entries()) {
      const r = await operator.post('/api/v1/alerts', {
        received_at: new Date(Date.now() - daysAgo * DAY).toISOString(),
        source: 'phone_110',
        caller_name: '住户',
        caller_phone: `1381111000${i + 1}`,
        ...place,
        category: 'public_order.noise',
        description: '楼下夜宵排档深夜喧哗，吵得无法入睡',
      });
      assert.equal(r.status, 201, r.text);
      last = r.json;
    }
    assert.equal(last.merge.repeat_place.propose_directive, true, 'precondition: the third occasion proposes a directive');

    const { context, page, problems } = await openPage();
    try {
      // The intake's "建议下发治理指令" link leads here.
      await signIn(page, 'operator', '/command/directives');
      await page.goto(`${h.srv.url}/command/directives?new=repeat_place&incident=${last.incident.id}`);
      await field(page, 'directive-title').waitFor({ state: 'visible' });
      const dialog = page.locator('.el-dialog', { hasText: '下发治理指令' });
      assert.match(await dialog.innerText(), /一地多报/);
      assert.match(await dialog.innerText(), new RegExp(last.incident.number));
      assert.match(await field(page, 'directive-title').inputValue(), /桃园路8号/);
      assert.ok((await field(page, 'directive-what').inputValue()).length > 10, 'a suggested text');
      await shot(t, page, 'directive-repeat-place-form-1366.png');
      await page.locator('[data-test=directive-submit]').click();
      await page.locator('[data-test=directive-detail-state][data-state=issued]').waitFor();
      const d = (await operator.get('/api/v1/directives?sort=-issued&per_page=1')).json.items[0];
      assert.equal(d.source, 'repeat_place');
      assert.equal(d.source_ref, place.address);
      assert.equal(d.incident_id, last.incident.id);
      assert.match(await page.locator('[data-test=directive-detail]').last().innerText(), /一地多报/);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }),
);

test(
  'the dispatch and directive pages fit a 1920×1080 screen',
  TEST_OPTIONS,
  guarded(async (t) => {
    const { context, page, problems } = await openPage({ width: 1920, height: 1080 });
    try {
      await signIn(page, 'operator', '/command/directives');
      for (const [target, marker, name] of [
        ['/command/directives', 'directives-table', 'directives-1920.png'],
        ['/command/dispatch', 'units-table', 'dispatch-1920.png'],
      ]) {
        await page.goto(`${h.srv.url}${target}`);
        await page.locator(`[data-test=${marker}]`).waitFor();
        await page.waitForTimeout(300);
        assert.ok((await sidewaysOverflow(page)) <= 0, `${target} scrolls sideways`);
        await shot(t, page, name);
      }
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }),
);
