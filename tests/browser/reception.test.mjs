// The reception hall in the browser (docs/reception.md): a community officer
// logs a walk-in asking for mediation (the form's own checks first), sees the
// period's counts go up, records what was done and when the visit ended,
// turns the visit into a dispute with one action (a refused field is shown
// on the form), follows the link to the dispute's page and finds the visitor
// as its party and the hall's notes as its story; back in the log the visit
// links to the dispute and can no longer be converted. An analyst reads the
// log with phones masked and no way to write.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { harness, field, TEST_OPTIONS } from './helpers.mjs';

const h = harness('fq-reception-');
before(h.setup);
after(h.teardown);

const VISITOR = '孙来访';
const PHONE = '13812345602';
const DONE = '楼上装修噪音扰民，协商未果，申请派出所调解';

async function pick(page, selectTest, optionText) {
  await page.locator(`[data-test=${selectTest}]`).click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: optionText }).first().click();
}

async function count(page, name) {
  return Number((await page.locator(`[data-test=kpi-${name}]`).innerText()).trim());
}

test('log a visit, convert it to a dispute, land on the dispute page', TEST_OPTIONS, h.guarded(async (t) => {
  const { context, page, problems } = await h.openPage();
  await h.signIn(page, 'community', '/cases/reception');

  // The log of the demo's visits and the counts of the day.
  await page.locator('[data-test=reception-table] .el-table__row').first().waitFor();
  await page.locator('[data-test=reception-period] .el-radio-button', { hasText: '今日' }).click();
  await page.waitForFunction(() => document.querySelector('[data-test=reception-period] .is-active')?.textContent.includes('今日'));
  await page.waitForTimeout(300);
  const visitors0 = await count(page, 'visitors');
  const mediations0 = await count(page, 'mediations');

  // 1. 登记来访: the form's own checks, then the visit.
  await page.locator('[data-test=reception-create]').click();
  await page.locator('[data-test=reception-save]').click();
  await page.locator('[data-test=reception-dialog] .el-form-item__error', { hasText: '请填写来访人姓名' }).waitFor();
  await page.locator('[data-test=reception-dialog] .el-form-item__error', { hasText: '请选择来访事由' }).waitFor();
  await field(page, 'reception-visitor-name').fill(VISITOR);
  await field(page, 'reception-phone').fill(PHONE);
  await page.locator('[data-test=need-mediation]').click();
  await page.locator('[data-test=reception-save]').click();
  await page.locator('[data-test=reception-dialog]').waitFor({ state: 'hidden' });
  const row = page.locator('[data-test=reception-table] .el-table__row', { hasText: VISITOR });
  await row.waitFor();
  assert.match(await row.innerText(), /调解申请/);
  assert.match(await row.innerText(), new RegExp(PHONE));
  assert.match((await row.locator('[data-test=reception-number]').innerText()).trim(), /^JD-\d{8}-\d{4}$/);
  await page.waitForFunction((n) => Number(document.querySelector('[data-test=kpi-visitors]').textContent) === n, visitors0 + 1);
  assert.equal(await count(page, 'mediations'), mediations0 + 1);

  // 2. Edit: what was done and when the visit ended.
  await row.locator('[data-test=reception-edit]').click();
  await field(page, 'reception-what-done').fill(DONE);
  await page.locator('[data-test=reception-save]').click();
  await page.locator('[data-test=reception-dialog]').waitFor({ state: 'hidden' });
  await row.filter({ hasText: DONE }).waitFor();
  assert.match((await row.locator('[data-test=reception-minutes]').innerText()).trim(), /^\d+ 分$/);

  // 3. One action: 转纠纷 (proposed for a mediation request).
  await row.locator('[data-test=reception-convert]').click();
  const dialog = page.locator('[data-test=convert-dialog]');
  await dialog.locator('[data-test=convert-to-dispute].is-active').waitFor();
  assert.equal(await field(page, 'convert-description').inputValue(), DONE);
  await dialog.locator('[data-test=convert-save]').click();
  await dialog.locator('.el-form-item__error', { hasText: '请选择纠纷类型' }).waitFor();
  await pick(page, 'convert-dispute-type', '邻里纠纷');
  await field(page, 'convert-address').fill('枫桥镇东风村3组12号');
  await h.shot(t, page, 'reception-1-convert.png');
  await dialog.locator('[data-test=convert-save]').click();
  await dialog.locator('[data-test=convert-result]').waitFor();
  const number = (await dialog.locator('[data-test=convert-result-number]').innerText()).trim();
  assert.match(number, /^TJ-339902510000-\d{8}-\d{4}$/);

  // 4. The link lands on the dispute's page.
  await dialog.locator('[data-test=convert-open]').click();
  await page.waitForURL((url) => /^\/cases\/disputes\/[0-9a-f-]{36}$/.test(url.pathname));
  const disputeUrl = page.url();
  assert.equal((await page.locator('[data-test=dispute-number]').innerText()).trim(), number);
  assert.equal((await page.locator('[data-test=dispute-description]').innerText()).trim(), DONE);
  const parties = await page.locator('[data-test=dispute-parties]').innerText();
  assert.match(parties, new RegExp(VISITOR));
  await h.shot(t, page, 'reception-2-dispute.png');

  // 5. Back in the log: the visit links to its dispute and converts no more.
  await page.goBack();
  await page.waitForURL((url) => url.pathname === '/cases/reception');
  const again = page.locator('[data-test=reception-table] .el-table__row', { hasText: VISITOR });
  await again.locator('[data-test=reception-converted-link]', { hasText: '纠纷' }).waitFor();
  assert.equal(await again.locator('[data-test=reception-convert]').count(), 0);
  await pick(page, 'reception-filter-converted', '未转办');
  await page.locator('[data-test=reception-table] .el-table__row').first().waitFor();
  await page.waitForFunction((v) => ![...document.querySelectorAll('[data-test=reception-visitor]')].some((e) => e.textContent.includes(v)), VISITOR);
  await pick(page, 'reception-filter-converted', '已转办');
  await again.waitFor();
  await again.locator('[data-test=reception-converted-link]').click();
  await page.waitForURL(disputeUrl);

  // 6. An analyst reads the log, phones masked, no buttons.
  const analyst = await h.openPage();
  await h.signIn(analyst.page, 'analyst', '/cases/reception');
  const arow = analyst.page.locator('[data-test=reception-table] .el-table__row', { hasText: VISITOR });
  await arow.waitFor();
  assert.doesNotMatch(await arow.innerText(), new RegExp(PHONE));
  assert.match(await arow.innerText(), /138\*{4}5602/);
  assert.equal(await analyst.page.locator('[data-test=reception-create]').count(), 0);
  assert.equal(await arow.locator('[data-test=reception-edit]').count(), 0);

  assert.deepEqual([...problems, ...analyst.problems], []);
  await Promise.all([context.close(), analyst.context.close()]);
}));
