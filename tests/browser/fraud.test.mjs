// Anti-fraud warnings in the browser (docs/fraud.md): a community officer
// takes a level-1 warning through the 录入预警 dialog and sees its 30-minute
// countdown running; the chief's list, open meanwhile, shows the new warning
// through the live stream without a reload; the officer records a phone call
// that reached the person and dissuaded them before the deadline, sees it as
// dissuaded in time with the money protected, closes it, and finds the KPIs
// of the list page one warning and one dissuasion higher. An analyst sees the
// phone masked and no way to act. Outreach events are recorded in their tab.
// A GB18030 file from the centre with bad rows is shown line by line and
// cannot be imported; the fixed file is checked and imported.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { harness, field, TEST_OPTIONS } from './helpers.mjs';

const h = harness('fq-fraud-');
before(h.setup);
after(h.teardown);

const PHONE = '13912345601';
const NAME = '钱测试';

async function pick(page, selectTest, optionText) {
  await page.locator(`[data-test=${selectTest}]`).click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: optionText }).first().click();
}

async function kpi(page, name) {
  const text = await page.locator(`[data-test=kpi-${name}]`).innerText();
  return Number(text.trim());
}

// "剩余 29:41" → seconds left
function secondsLeft(text) {
  const m = /剩余\s+(\d\d):(\d\d)/.exec(text);
  assert.ok(m, `countdown text ${JSON.stringify(text)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

test('a warning dissuaded in time', TEST_OPTIONS, h.guarded(async (t) => {
  // The chief watches the open warnings (live).
  const chief = await h.openPage();
  await h.signIn(chief.page, 'chief', '/cases/fraud');
  await chief.page.locator('[data-test=fraud-kpi]').waitFor();
  assert.equal(await chief.page.locator('[data-test=fraud-table] .el-table__row', { hasText: NAME }).count(), 0);

  const { page, problems } = await h.openPage();
  await h.signIn(page, 'community', '/cases/fraud');
  await page.locator('[data-test=fraud-kpi]').waitFor();
  const warnings0 = await kpi(page, 'warnings');
  const dissuaded0 = await kpi(page, 'dissuaded');
  const inTime0 = await kpi(page, 'reached-in-time');

  // 1. 录入预警: the form's own check, then a level-1 warning with a place in a grid.
  await page.locator('[data-test=fraud-create]').click();
  await page.locator('[data-test=fraud-save]').click();
  await page.locator('[data-test=fraud-dialog] .el-form-item__error', { hasText: '请选择预警类型' }).waitFor();
  await pick(page, 'fraud-type', '刷单返利');
  await page.locator('[data-test=fraud-dialog]', { hasText: '须在30分钟内处置' }).waitFor();
  await field(page, 'fraud-phone').fill(PHONE);
  await field(page, 'fraud-person-name').fill(NAME);
  await field(page, 'fraud-lat').fill('29.72');
  await field(page, 'fraud-lon').fill('120.22');
  await field(page, 'fraud-description').fill('反诈中心监测到该号码与刷单诈骗号码通话');
  await page.locator('[data-test=fraud-save]').click();
  await page.locator('[data-test=fraud-result]').waitFor();
  const number = (await page.locator('[data-test=fraud-result-number]').innerText()).trim();
  assert.match(number, /^YJ-339902510000-\d{8}-\d{4}$/);
  const left0 = secondsLeft(await page.locator('[data-test=fraud-result-countdown]').innerText());
  assert.ok(left0 > 25 * 60 && left0 <= 30 * 60, `countdown ${left0}s after taking a level-1 warning`);
  await h.shot(t, page, 'fraud-1-created.png');

  // The chief's list shows it without a reload, with its countdown.
  const chiefRow = chief.page.locator('[data-test=fraud-table] .el-table__row', { hasText: NAME });
  await chiefRow.waitFor({ timeout: 10000 });
  assert.match(await chiefRow.locator('[data-test=fraud-countdown]').innerText(), /剩余 \d\d:\d\d/);
  assert.equal((await chiefRow.locator('[data-test=fraud-level]').innerText()).trim(), '一级');

  // 2. The warning's page: the countdown runs.
  await page.locator('[data-test=fraud-open]').click();
  await page.waitForURL((url) => /^\/cases\/fraud\/[0-9a-f-]{36}$/.test(url.pathname));
  const warningUrl = page.url();
  const clock = page.locator('[data-test=fraud-warning-countdown]');
  const first = await clock.innerText();
  const left1 = secondsLeft(first);
  assert.ok(left1 > 25 * 60 && left1 <= 30 * 60, `countdown ${first}`);
  await page.waitForFunction((before) => {
    const el = document.querySelector('[data-test=fraud-warning-countdown]');
    return el && el.textContent.trim() !== before.trim();
  }, first, { timeout: 5000 });
  assert.ok(secondsLeft(await clock.innerText()) < left1, 'the countdown goes down');
  assert.equal((await page.locator('[data-test=fraud-warning-state]').innerText()).trim(), '已指派');
  assert.equal((await page.locator('[data-test=fraud-person-phone]').innerText()).trim(), PHONE);

  // 3. A call that reached the person about to pay and talked them out of it.
  await page.locator('[data-test=fraud-attempt]').click();
  await page.locator('[data-test=fraud-step-dialog] [data-test=attempt-reached-yes]').waitFor();
  await page.locator('[data-test=attempt-dissuaded]').click();
  await field(page, 'attempt-money').fill('5000');
  await field(page, 'attempt-note').fill('当事人正准备按对方要求转账，经电话劝阻已停止');
  await page.locator('[data-test=fraud-step-dialog] [data-test=step-save]').click();
  await page.locator('[data-test=fraud-step-dialog]').waitFor({ state: 'hidden' });

  // Dissuaded in time: the countdown stops, the page says so.
  await page.locator('[data-test=fraud-warning-state]', { hasText: '已劝阻' }).waitFor();
  assert.equal(await clock.count(), 0, 'no countdown once the person is reached');
  assert.match(await page.locator('[data-test=fraud-warning-reached]').innerText(), /^按时联系/);
  assert.match(await page.locator('[data-test=fraud-in-time]').innerText(), /按时/);
  await page.locator('[data-test=fraud-dissuaded]', { hasText: '劝阻成功' }).waitFor();
  assert.equal((await page.locator('[data-test=fraud-protected]').innerText()).trim(), '5000.00 元');
  assert.equal(await page.locator('[data-test=fraud-attempts] .el-table__body .el-table__row').count(), 1);
  assert.match(await page.locator('[data-test=fraud-timeline]').innerText(), /第1次劝阻[\s\S]*劝阻成功/);
  await h.shot(t, page, 'fraud-2-dissuaded.png');

  // 4. Closed with the outcome "dissuaded".
  await page.locator('[data-test=fraud-close]').click();
  await page.locator('.el-message-box__btns .el-button--primary').click();
  await page.locator('[data-test=fraud-warning-state]', { hasText: '已办结' }).waitFor();
  assert.equal(await page.locator('[data-test=fraud-attempt]').count(), 0, 'no more attempts on a closed warning');
  await page.locator('[data-test=fraud-result-card]', { hasText: '已劝阻' }).waitFor();

  // The chief's open list drops it (live), and the KPIs count it.
  await chiefRow.waitFor({ state: 'detached', timeout: 10000 });

  // 5. The list's KPIs: one more warning, reached in time, dissuaded.
  await page.goto(`${h.srv.url}/cases/fraud`);
  await page.locator('[data-test=fraud-kpi]').waitFor();
  await page.waitForFunction((w) => Number(document.querySelector('[data-test=kpi-warnings]').textContent) === w, warnings0 + 1);
  assert.equal(await kpi(page, 'dissuaded'), dissuaded0 + 1);
  assert.equal(await kpi(page, 'reached-in-time'), inTime0 + 1);
  // Found by search among all states, shown as dissuaded in time.
  await pick(page, 'fraud-filter-state', '已办结');
  await field(page, 'fraud-search').fill(NAME);
  await page.locator('[data-test=fraud-search-button]').click();
  const row = page.locator('[data-test=fraud-table] .el-table__row', { hasText: NAME });
  await row.waitFor();
  assert.equal(await page.locator('[data-test=fraud-table] .el-table__row').count(), 1);
  assert.equal((await row.locator('[data-test=fraud-reached]').innerText()).trim(), '按时联系');

  // 6. An analyst reads it with the phone masked and cannot act.
  const analyst = await h.openPage();
  await h.signIn(analyst.page, 'analyst', '/cases/fraud');
  assert.equal(await analyst.page.locator('[data-test=fraud-create]').count(), 0);
  await analyst.page.goto(warningUrl);
  await analyst.page.locator('[data-test=fraud-warning-state]', { hasText: '已办结' }).waitFor();
  const masked = (await analyst.page.locator('[data-test=fraud-person-phone]').innerText()).trim();
  assert.notEqual(masked, PHONE);
  assert.equal(masked, '139****5601');
  assert.equal(await analyst.page.locator('[data-test=fraud-attempt]').count(), 0);
  assert.equal(await analyst.page.locator('[data-test=fraud-link]').count(), 0);

  assert.deepEqual([...problems, ...chief.problems, ...analyst.problems], []);
  await Promise.all([page.context().close(), chief.context.close(), analyst.context.close()]);
}));

test('outreach events are recorded with their attendance', TEST_OPTIONS, h.guarded(async () => {
  const { context, page, problems } = await h.openPage();
  await h.signIn(page, 'auxiliary', '/cases/fraud');
  await page.locator('.el-tabs__item', { hasText: '宣传活动' }).click();
  await page.waitForURL((url) => url.searchParams.get('tab') === 'outreach');
  await page.locator('[data-test=outreach-create]').click();
  await page.locator('[data-test=outreach-save]').click();
  await page.locator('[data-test=outreach-dialog] .el-form-item__error', { hasText: '请填写活动地点' }).waitFor();
  await field(page, 'outreach-place').fill('东风村文化礼堂');
  await pick(page, 'outreach-kind', '进村');
  await pick(page, 'outreach-audience', '老年人');
  await field(page, 'outreach-attendance-input').fill('86');
  await field(page, 'outreach-note').fill('防范养老诈骗宣讲');
  await page.locator('[data-test=outreach-save]').click();
  const row = page.locator('[data-test=outreach-table] .el-table__row', { hasText: '东风村文化礼堂' });
  await row.waitFor();
  assert.equal((await row.locator('[data-test=outreach-attendance]').innerText()).trim(), '86');
  assert.match(await row.innerText(), /进村[\s\S]*老年人/);
  assert.deepEqual(problems, []);
  await context.close();
}));

test('CSV import from the centre: bad rows shown by line, then the fixed file imported', TEST_OPTIONS, h.guarded(async (t) => {
  const { execFileSync } = await import('node:child_process');
  const gb18030 = (text) => execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: text });
  const rows = (phone2, level3) => [
    '预警时间,预警类型,预警级别,手机号,姓名,预警编号,预警内容',
    '2026-11-22 09:00,刷单返利,1,13600000201,导入甲,UI-1,',
    `2026-11-22 09:05,冒充电商物流客服,2,${phone2},导入乙,UI-2,"两行的`,
    '说明"',
    `2026-11-22 09:10,虚假贷款,${level3},13600000203,导入丙,UI-3,`,
  ].join('\r\n') + '\r\n';
  const { context, page, problems } = await h.openPage();
  await h.signIn(page, 'operator', '/cases/fraud');
  await page.locator('[data-test=fraud-kpi]').waitFor();

  // A GB18030 file with two bad rows: each shown with its line; nothing can be imported.
  await page.locator('[data-test=fraud-import-file]').setInputFiles({ name: '预警.csv', mimeType: 'text/csv', buffer: gb18030(rows('1360000020x', '9')) });
  const dialog = page.locator('[data-test=import-dialog]');
  await dialog.locator('[data-test=import-bad]', { hasText: '共 3 行数据，其中 2 行有错误' }).waitFor();
  const lines = await dialog.locator('[data-test=import-lines] .el-table__body .el-table__row').allInnerTexts();
  assert.deepEqual(lines.map((l) => l.split(/\s+/).slice(0, 2).join(' ')), ['3 手机号（phone）', '5 预警级别（level）']);
  assert.ok(await dialog.locator('[data-test=import-run]').isDisabled());
  await h.shot(t, page, 'fraud-3-import-bad.png');
  await dialog.locator('.el-dialog__footer .el-button', { hasText: '取消' }).click();
  assert.equal((await (await h.api('operator')).get('/api/v1/fraud-warnings?q=UI-')).json.total, 0);

  // The fixed file: checked, then imported; the warnings are in the list.
  await page.locator('[data-test=fraud-import-file]').setInputFiles({ name: '预警.csv', mimeType: 'text/csv', buffer: gb18030(rows('13600000202', '3')) });
  await dialog.locator('[data-test=import-ok]', { hasText: '共 3 行数据（GB18030），检查通过' }).waitFor();
  await dialog.locator('[data-test=import-run]').click();
  await dialog.waitFor({ state: 'hidden' });
  await field(page, 'fraud-search').fill('导入');
  await page.locator('[data-test=fraud-search-button]').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-test=fraud-table] .el-table__row').length === 3);
  assert.match(await page.locator('[data-test=fraud-table]').innerText(), /导入甲[\s\S]*导入乙|导入乙[\s\S]*导入甲/);
  assert.deepEqual(problems, []);
  await context.close();
}));
