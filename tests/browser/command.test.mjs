// Browser tests of the command-room pages (接警, 警情看板, 警情详情, 警情列表),
// driven through Debian's Chromium with playwright-core against the real
// server with demo data (tests/lib/server.mjs). Run: cd tests && node --test browser/
//
// The tests build on each other in file order (node:test runs them one after
// the other): (a) creates an incident and auto-merges a second caller into it,
// (b) confirms suggestions into it, (c) takes it through to closed, (d) reads
// it as a community officer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_OPTIONS, expectFocus, field, harness } from './helpers.mjs';

const h = harness('fq-command-');
const { openPage, signIn, shot, guarded } = h;
// Shared between the tests, in order.
const shared = { incidentId: null, incidentNumber: null };

before(h.setup);
after(h.teardown);

// Types one call into the 接警 form with the keyboard only, starting in the
// phone field; stops with the focus in the longitude field.
async function typeCall(page, call) {
  await expectFocus(page, 'intake-phone');
  await page.keyboard.type(call.phone);
  await page.keyboard.press('Tab');
  await expectFocus(page, 'intake-name');
  await page.keyboard.type(call.name);
  await page.keyboard.press('Tab');
  await expectFocus(page, 'intake-address');
  await page.keyboard.type(call.address);
  await page.keyboard.press('Tab');
  await expectFocus(page, 'intake-category');
  await page.keyboard.type(call.categoryQuery);
  // The filtered list shows the wanted category first; Enter picks it.
  await page.locator('.el-select-dropdown__item', { hasText: call.categoryLabel }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await expectFocus(page, 'intake-description');
  await page.keyboard.type(call.description);
  await page.keyboard.press('Tab');
  await expectFocus(page, 'intake-lat');
  await page.keyboard.type(call.lat);
  await page.keyboard.press('Tab');
  await expectFocus(page, 'intake-lon');
  await page.keyboard.type(call.lon);
}

async function waitResult(page, previousAlert) {
  const alert = page.locator('[data-test=intake-result-alert]');
  await page.waitForFunction(
    (prev) => {
      const el = document.querySelector('[data-test=intake-result-alert]');
      return el && el.textContent.trim() && el.textContent.trim() !== prev;
    },
    previousAlert || '',
  );
  return {
    alert: (await alert.innerText()).trim(),
    incident: (await page.locator('[data-test=intake-result-incident]').innerText()).trim(),
    incidentId: await page.locator('[data-test=intake-result-incident]').getAttribute('data-incident-id'),
    decision: (await page.locator('[data-test=intake-result-decision]').innerText()).trim(),
  };
}

test(
  '(a) 接警 by keyboard: a first call, then a second caller merged automatically',
  TEST_OPTIONS,
  guarded(async (t) => {
    const { context, page, problems } = await openPage();
    try {
      await signIn(page, 'operator', '/command/intake');
      await page.locator('[data-test=intake-form]').waitFor();
      await page.locator('[data-test=intake-map].leaflet-container').waitFor();
      await shot(t, page, 'intake-empty-1366.png');

      // First caller: a fight on the square. Tab from the longitude goes to
      // the submit button; Enter on it submits.
      await typeCall(page, {
        phone: '138 0013 8000',
        name: '张先生',
        address: '桃埠社区文化广场',
        categoryQuery: '打架',
        categoryLabel: '打架斗殴',
        description: '文化广场上有五六个人在打架，有人受伤流血',
        lat: '29.746700',
        lon: '120.238500',
      });
      await page.keyboard.press('Tab');
      await expectFocus(page, 'intake-submit');
      await page.keyboard.press('Enter');
      const first = await waitResult(page);
      assert.match(first.alert, /^JJ-/);
      assert.match(first.incident, /^SJ-/);
      assert.match(first.decision, /^新建事件/);
      shared.incidentId = first.incidentId;
      shared.incidentNumber = first.incident;
      // The form is cleared for the next call and the focus is back in the phone field.
      await expectFocus(page, 'intake-phone');
      assert.equal(await field(page, 'intake-phone').inputValue(), '');
      assert.equal(await field(page, 'intake-description').inputValue(), '');

      // Second caller, about 45 m away: the candidate appears while typing,
      // before anything is submitted.
      await typeCall(page, {
        phone: '13900139000',
        name: '李女士',
        address: '桃埠社区广场',
        categoryQuery: 'fight',
        categoryLabel: '打架斗殴',
        description: '广场那边有人打架，有人流血了',
        lat: '29.747100',
        lon: '120.238600',
      });
      const candidate = page.locator('[data-test=intake-candidate-1]');
      await page.waitForFunction(
        (number) => {
          const panel = document.querySelector('[data-test=intake-candidates]');
          const el = document.querySelector('[data-test=intake-candidate-1]');
          return panel && panel.dataset.status === 'ready' && el && el.dataset.incidentNumber === number;
        },
        shared.incidentNumber,
      );
      assert.equal(await candidate.getAttribute('data-incident-id'), shared.incidentId);
      assert.equal(await page.locator('[data-test=intake-candidates]').getAttribute('data-decision'), 'merged');
      assert.match(await candidate.innerText(), /多人同报/);
      assert.match(await candidate.innerText(), /\d+%/);
      assert.match(await candidate.innerText(), /相距 \d+ 米/);
      await shot(t, page, 'intake-candidates-1366.png');

      // Ctrl+Enter: the server merges it automatically.
      await page.keyboard.press('Control+Enter');
      const second = await waitResult(page, first.alert);
      assert.equal(second.decision, '已自动合并');
      assert.equal(second.incident, shared.incidentNumber);
      assert.notEqual(second.alert, first.alert);
      await expectFocus(page, 'intake-phone');
      await shot(t, page, 'intake-merged-1366.png');

      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }),
);

test(
  '(b) a suggested candidate is confirmed by key: Alt+1, and Enter on the focused candidate',
  TEST_OPTIONS,
  guarded(async (t) => {
    assert.ok(shared.incidentId, 'test (a) must run first');
    const { context, page, problems } = await openPage();
    try {
      await signIn(page, 'operator', '/command/intake');
      await page.locator('[data-test=intake-form]').waitFor();

      // Same place, a related category (醉酒滋事), a description unlike the
      // others: only suggested, not merged automatically.
      await typeCall(page, {
        phone: '13700137000',
        name: '王先生',
        address: '桃埠社区文化广场',
        categoryQuery: '醉酒',
        categoryLabel: '醉酒滋事',
        description: '有个醉汉在大声叫骂',
        lat: '29.746800',
        lon: '120.238600',
      });
      await page.waitForFunction(
        (id) => {
          const panel = document.querySelector('[data-test=intake-candidates]');
          const c = document.querySelector('[data-test=intake-candidate-1]');
          return (
            panel && panel.dataset.status === 'ready' && panel.dataset.decision === 'suggested' && c && c.dataset.incidentId === id && c.dataset.incidentNumber
          );
        },
        shared.incidentId,
      );
      await page.locator('[data-test=intake-flag-repeat-place]').waitFor();
      assert.match(await page.locator('[data-test=intake-candidate-1]').innerText(), /相距 \d+ 米/);
      await shot(t, page, 'intake-suggested-1366.png');
      await page.keyboard.press('Alt+1');
      const third = await waitResult(page);
      assert.equal(third.decision, '已确认合并');
      assert.equal(third.incident, shared.incidentNumber);
      assert.match(await page.locator('[data-test=intake-result]').innerText(), /共 3 次报警/);
      await expectFocus(page, 'intake-phone');

      // Another one; this time Tab past the submit button to the candidate
      // and press Enter on it.
      await typeCall(page, {
        phone: '13600136000',
        name: '赵女士',
        address: '桃埠社区文化广场',
        categoryQuery: 'public_order.noise',
        categoryLabel: '噪音扰民',
        description: '楼下吵吵嚷嚷睡不着',
        lat: '29.746750',
        lon: '120.238550',
      });
      await page.waitForFunction(
        (id) => {
          const panel = document.querySelector('[data-test=intake-candidates]');
          const c = document.querySelector('[data-test=intake-candidate-1]');
          return panel && panel.dataset.status === 'ready' && panel.dataset.decision === 'suggested' && c && c.dataset.incidentId === id;
        },
        shared.incidentId,
      );
      await page.keyboard.press('Tab');
      await expectFocus(page, 'intake-submit');
      await page.keyboard.press('Tab');
      await expectFocus(page, 'intake-candidate-1');
      await page.keyboard.press('Enter');
      const fourth = await waitResult(page, third.alert);
      assert.equal(fourth.decision, '已确认合并');
      assert.equal(fourth.incident, shared.incidentNumber);
      assert.match(await page.locator('[data-test=intake-result]').innerText(), /共 4 次报警/);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }),
);

test(
  '(c) from the board to the incident, closed through every state by the dialogs',
  TEST_OPTIONS,
  guarded(async (t) => {
    assert.ok(shared.incidentId, 'test (a) must run first');
    const { context, page, problems } = await openPage();
    try {
      await signIn(page, 'operator', '/command/board');
      const card = page.locator(`[data-test=board-card][data-incident-id="${shared.incidentId}"]`);
      await page.locator('[data-test=board-col-received]').locator(`[data-incident-id="${shared.incidentId}"]`).waitFor();
      assert.match(await card.locator('[data-test=board-card-count]').innerText(), /4 报/);
      // The timer runs without reloading.
      const before = (await card.locator('[data-test=board-timer]').innerText()).trim();
      await page.waitForTimeout(1300);
      const later = (await card.locator('[data-test=board-timer]').innerText()).trim();
      assert.notEqual(later, before, 'board timer should tick');
      await shot(t, page, 'board-1366.png');

      // The category filter hides it under another category.
      await page.locator('[data-test=board-category]').click();
      await page.locator('.el-select-dropdown__item:visible', { hasText: '盗窃车辆' }).first().click();
      await card.waitFor({ state: 'detached' });
      await page.locator('[data-test=board-category]').click();
      await page.locator('.el-select-dropdown__item:visible', { hasText: '全部治安类' }).first().click();
      await card.waitFor();

      await card.click();
      await page.waitForURL(new RegExp(`/command/incidents/${shared.incidentId}$`));
      await page.locator('[data-test=incident-number]').waitFor();
      assert.equal((await page.locator('[data-test=incident-number]').innerText()).trim(), shared.incidentNumber);
      assert.equal(await page.locator('[data-test=incident-alerts] .el-table__body tr').count(), 4);
      const merges = await page.locator('[data-test=incident-merges]').innerText();
      assert.match(merges, /自动合并/);
      assert.match(merges, /人工确认合并/);
      assert.match(merges, /相距 \d+ 米/);
      // The operator sees the phone numbers in full.
      assert.match(await page.locator('[data-test=incident-alerts]').innerText(), /138 0013 8000/);
      await shot(t, page, 'incident-received-1366.png');

      const steps = [
        { to: 'dispatched', fill: { 'transition-note': '派巡逻一组前往' } },
        { to: 'en_route' },
        { to: 'on_scene', fill: { 'transition-note': '民警已到场' } },
        { to: 'disposed', fill: { 'transition-disposal': '现场制止，双方带回所内调解' }, requiredMissing: true },
        { to: 'feedback', fill: { 'transition-feedback': '已回访报警人，对处置结果满意' }, requiredMissing: true },
        { to: 'closed' },
      ];
      for (const step of steps) {
        await page.locator(`[data-test=incident-actions] [data-test=transition-${step.to}]`).click();
        const dialog = page.locator('.el-dialog[data-test=transition-dialog], [data-test=transition-dialog] .el-dialog').first();
        await dialog.waitFor({ state: 'visible' });
        if (step.requiredMissing) {
          // Confirming without the required text keeps the dialog open.
          await page.locator('[data-test=transition-confirm]:visible').click();
          await dialog.getByText(/请填写/).waitFor();
        }
        for (const [name, value] of Object.entries(step.fill || {})) {
          await page.locator(`textarea[data-test=${name}]:visible, [data-test=${name}]:visible textarea`).first().fill(value);
        }
        if (step.to === 'disposed') await shot(t, page, 'incident-dialog-1366.png');
        await page.locator('[data-test=transition-confirm]:visible').click();
        await page.locator(`[data-test=incident-state][data-state=${step.to}]`).waitFor();
        await dialog.waitFor({ state: 'hidden' });
      }
      assert.match(await page.locator('[data-test=incident-disposal]').innerText(), /现场制止/);
      assert.match(await page.locator('[data-test=incident-feedback]').innerText(), /对处置结果满意/);
      const timeline = await page.locator('[data-test=incident-timeline]').innerText();
      for (const text of ['已接警 → 已派警', '已派警 → 在途', '在途 → 已到场', '已到场 → 已处置', '已处置 → 已反馈', '已反馈 → 已结案', '派巡逻一组前往']) {
        assert.ok(timeline.includes(text), `timeline lacks ${text}`);
      }
      // Closed: only reopening is offered.
      const offered = await page.locator('[data-test=incident-actions] [data-test^=transition-]').evaluateAll((els) => els.map((e) => e.dataset.test));
      assert.deepEqual(offered, ['transition-reopened']);
      await shot(t, page, 'incident-closed-1366.png');

      // A stale version is refused with a message and a reload.
      const answer = await page.request.get(`${h.srv.url}/api/v1/incidents/${shared.incidentId}`);
      const version = (await answer.json()).incident.version;
      await page.locator('[data-test=incident-actions] [data-test=transition-reopened]').click();
      await page.locator('textarea[data-test=transition-note]:visible, [data-test=transition-note]:visible textarea').first().fill('测试：版本冲突');
      // Someone else reopens it first (through the API, same session).
      const csrf = await page.evaluate(async () => (await (await fetch('/api/v1/session')).json()).csrf_token);
      const other = await page.request.post(`${h.srv.url}/api/v1/incidents/${shared.incidentId}/transition`, {
        headers: { 'X-CSRF-Token': csrf },
        data: { state: 'reopened', version, note: '另一位接警员重启' },
      });
      assert.equal(other.status(), 200);
      await page.locator('[data-test=transition-confirm]:visible').click();
      await page.locator('.el-message', { hasText: /已被他人更新|不允许/ }).waitFor();
      await page.locator('[data-test=incident-state][data-state=reopened]').waitFor();
      // Put it back to closed for the next test: dispatched … closed again.
      for (const to of ['dispatched', 'en_route', 'on_scene', 'disposed', 'feedback', 'closed']) {
        await page.locator(`[data-test=incident-actions] [data-test=transition-${to}]`).click();
        await page.locator('[data-test=transition-confirm]:visible').click();
        await page.locator(`[data-test=incident-state][data-state=${to}]`).waitFor();
      }

      // The list shows it closed; oldest-first sorting works.
      await page.locator('[data-test=nav-command-incidents]').click();
      await page.waitForURL(/\/command\/incidents$/);
      await page.locator('[data-test=incidents-table] .el-table__body').getByText(shared.incidentNumber).waitFor();
      await shot(t, page, 'incidents-1366.png');
      await page.locator('[data-test=incidents-table] th', { hasText: '首次接警' }).click();
      await page.locator('[data-test=incidents-table] .el-table__body').getByText(shared.incidentNumber).waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }),
);

test(
  '(d) a community officer reads the incident: masked phones, no transitions, no intake',
  TEST_OPTIONS,
  guarded(async (t) => {
    assert.ok(shared.incidentId, 'test (a) must run first');
    const { context, page, problems } = await openPage();
    try {
      await signIn(page, 'community', `/command/incidents/${shared.incidentId}`);
      await page.locator('[data-test=incident-number]').waitFor();
      assert.equal((await page.locator('[data-test=incident-number]').innerText()).trim(), shared.incidentNumber);
      const phones = await page.locator('[data-test=incident-alert-phone]').allInnerTexts();
      assert.equal(phones.length, 4);
      for (const phone of phones) {
        assert.match(phone, /\*/, `phone not masked: ${phone}`);
        assert.doesNotMatch(phone.replace(/\s/g, ''), /\d{11}/);
      }
      assert.doesNotMatch(await page.locator('body').innerText(), /138 0013 8000|13800138000|0013/);
      assert.equal(await page.locator('[data-test^=transition-]:visible').count(), 0);
      await page.locator('[data-test=incident-readonly]').waitFor();
      await shot(t, page, 'incident-community-1366.png');

      // The menu offers the board and the list, not the intake form (the
      // 指挥室 section is open already: the current page is in it).
      const boardItem = page.locator('[data-test=nav-command-board]');
      if (!(await boardItem.isVisible())) await page.locator('[data-test=nav]').getByText('指挥室', { exact: true }).click();
      await boardItem.waitFor({ state: 'visible' });
      await page.locator('[data-test=nav-command-incidents]').waitFor({ state: 'visible' });
      assert.equal(await page.locator('[data-test=nav-command-intake]').count(), 0);
      // Leaving while the incident's map zooms: the map is taken down when the zoom ends, not
      // in the middle of it (no page error).
      await page.locator('.leaflet-control-zoom-in').first().click();
      await page.locator('[data-test=nav-command-board]').click();
      await page.locator('[data-test=board-columns]').waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }),
);

test(
  'the command pages fit a 1920×1080 screen',
  TEST_OPTIONS,
  guarded(async (t) => {
    const { context, page, problems } = await openPage({ width: 1920, height: 1080 });
    try {
      await signIn(page, 'operator', '/command/intake');
      await page.locator('[data-test=intake-form]').waitFor();
      await expectFocus(page, 'intake-phone');
      await shot(t, page, 'intake-1920.png');
      for (const [target, marker, name] of [
        ['/command/board', 'board-columns', 'board-1920.png'],
        ['/command/incidents', 'incidents-table', 'incidents-1920.png'],
        [`/command/incidents/${shared.incidentId}`, 'incident-number', 'incident-1920.png'],
      ]) {
        if (target.endsWith('null')) continue;
        await page.goto(`${h.srv.url}${target}`);
        await page.locator(`[data-test=${marker}]`).waitFor();
        await page.waitForTimeout(300);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${target} scrolls sideways by ${overflow}px`);
        await shot(t, page, name);
      }
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }),
);
