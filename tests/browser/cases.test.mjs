// 民生小案 and 案件移交 in the browser. A case officer opens a burglary (a
// "两不办" case) through the 新建案件 dialog (the form's own checks, then the
// server's refusal of a phone shown on the party's row), records a loss and a
// recovery on the case page and transfers the case to the criminal
// investigation brigade; the chief, in a second browser context, finds the
// transfer waiting, passes on a clue, records the receiving unit's acknowledgement and its
// feedback; the case officer then sees the transfer done and closes the case.
// The states are checked on the pages and through the API. Then the register's
// filters, search, sorting and paging against the API's own answers, and the
// back-link of a case made from a reception-hall visit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { harness, field, TEST_OPTIONS } from './helpers.mjs';

const h = harness('fq-cases-');
before(h.setup);
after(h.teardown);

async function pick(page, selectTest, optionText) {
  await page.locator(`[data-test=${selectTest}]`).click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: optionText }).first().click();
}

const rows = (page, table) => page.locator(`[data-test=${table}] .el-table__body-wrapper .el-table__row`);

// The register's rows' full numbers (the title of the short one).
async function numbers(page) {
  return page.locator('[data-test=case-table] [data-test=case-number]').evaluateAll((els) => els.map((e) => e.title));
}

// Waits until the register shows exactly these numbers (the list reloads after each filter).
async function expectNumbers(page, wanted) {
  await page.waitForFunction(
    (want) => {
      const got = [...document.querySelectorAll('[data-test=case-table] [data-test=case-number]')].map((e) => e.title);
      return got.length === want.length && got.every((n, i) => n === want[i]);
    },
    wanted,
    { timeout: 10000 },
  ).catch(async () => assert.deepEqual(await numbers(page), wanted));
}

async function expectTotal(page, total) {
  await page.locator('[data-test=case-pager] .el-pagination__total', { hasText: `共 ${total} 条` }).waitFor();
}

test('a case transferred and acknowledged', TEST_OPTIONS, h.guarded(async (t) => {
  const officerApi = await h.api('caseofficer');
  const { page, problems } = await h.openPage();
  await h.signIn(page, 'caseofficer', '/cases/cases');
  await rows(page, 'case-table').first().waitFor();
  const opened = Number((await page.locator('[data-test=kpi-opened]').innerText()).trim());
  assert.ok(opened > 250, `KPI opened ${opened}`);

  // 1. 新建案件: the form's checks, then the server's on a party's phone.
  await page.locator('[data-test=case-create]').click();
  await page.locator('[data-test=case-save]').click();
  await page.locator('[data-test=case-dialog] .el-form-item__error', { hasText: '请选择案件类别' }).waitFor();
  assert.equal(await page.locator('[data-test=case-dialog] .el-form-item__error', { hasText: '请填写案件标题' }).count(), 1);
  await pick(page, 'case-type', '入室盗窃');
  await field(page, 'case-title').fill('梅园新村入室盗窃金项链');
  await field(page, 'case-description').fill('事主外出期间家中被撬，金项链一条、现金若干被盗');
  await field(page, 'case-method').fill('白天撬开防盗窗入户翻找');
  await field(page, 'case-address').fill('枫溪镇梅园新村8幢302室');
  await field(page, 'party-name-0').fill('王桂芳');
  await field(page, 'party-phone-0').fill('12');
  await page.locator('[data-test=case-loss-add]').click();
  await field(page, 'loss-description-0').fill('金项链一条');
  await field(page, 'loss-value-0').fill('5000');
  await page.locator('[data-test=case-save]').click();
  const phoneError = page.locator('[data-test=case-party]').nth(0).locator('[data-test=case-field-error]');
  await phoneError.waitFor();
  assert.match(await phoneError.innerText(), /电话|号码|位/);
  await field(page, 'party-phone-0').fill('13812345688');
  await page.locator('[data-test=case-save]').click();

  // 2. The case page: number, state, the party unmasked for its handler.
  await page.waitForURL((url) => /^\/cases\/cases\/[0-9a-f-]{36}$/.test(url.pathname));
  const caseId = page.url().split('/').pop();
  await page.locator('[data-test=case-number]', { hasText: /^AJ-\d{12}-\d{8}-\d{4}$/ }).waitFor();
  const number = (await page.locator('[data-test=case-number]').innerText()).trim();
  assert.equal((await page.locator('[data-test=case-state]').innerText()).trim(), '已受理');
  assert.match(await page.locator('[data-test=case-parties]').innerText(), /王桂芳[\s\S]*13812345688/);
  assert.equal((await page.locator('[data-test=case-lost-total]').innerText()).trim(), '5,000.00 元');
  assert.equal(await page.locator('[data-test=case-solve]').count(), 0, 'a "两不办" case is not solved by the station');
  assert.match(await page.locator('[data-test=case-steps-card]').innerText(), /移交专业警种/);

  // 3. A further loss and a recovery (挽损).
  await page.locator('[data-test=case-loss-add]').click();
  await field(page, 'step-description').fill('现金');
  await page.locator('[data-test=step-save]').click();
  await page.locator('[data-test=case-step-dialog] .el-form-item__error', { hasText: '请填写价值' }).waitFor();
  await field(page, 'step-value').fill('800');
  await page.locator('[data-test=step-save]').click();
  await page.locator('[data-test=case-lost-total]', { hasText: '5,800.00 元' }).waitFor();
  await page.locator('[data-test=case-recovery-add]').click();
  await field(page, 'step-description').fill('追回金项链一条');
  await field(page, 'step-value').fill('5000');
  await page.locator('[data-test=step-save]').click();
  await page.locator('[data-test=case-recovered-total]', { hasText: '5,000.00 元' }).waitFor();
  assert.match(await page.locator('[data-test=case-recoveries]').innerText(), /追回金项链一条[\s\S]*5,000\.00 元/);
  let r = await officerApi.get(`/api/v1/cases/${caseId}`);
  assert.equal(r.json.case.lost_fen, 580000);
  assert.equal(r.json.case.recovered_fen, 500000);
  assert.equal(r.json.case.number, number);

  // 4. The transfer: the receiving unit's kind comes from the case type.
  await page.locator('[data-test=case-transfer]').click();
  assert.equal(await field(page, 'step-receiver-name').inputValue(), '枫溪县公安局刑侦大队');
  assert.match(await field(page, 'step-items').inputValue(), /案卷材料一份/);
  await field(page, 'step-items').fill('');
  await page.locator('[data-test=step-save]').click();
  await page.locator('[data-test=case-step-dialog] .el-form-item__error', { hasText: '请列出移交的物品' }).waitFor();
  await field(page, 'step-items').fill('案卷材料一份\n现场勘验照片12张\n追回的金项链一条');
  await field(page, 'step-note').fill('入户盗窃，依法移交刑侦大队');
  await page.locator('[data-test=step-save]').click();
  await page.locator('[data-test=case-state]', { hasText: '已移交' }).waitFor();
  await page.locator('[data-test=case-transfer-status]', { hasText: '待签收' }).waitFor();
  assert.equal(await page.locator('[data-test=case-close]').count(), 0, 'no closing before the feedback');
  r = await officerApi.get(`/api/v1/cases/${caseId}`);
  assert.equal(r.json.case.state, 'transferred');
  const transfer = r.json.case.transfers[0];
  assert.equal(transfer.status, 'pending_ack');
  assert.equal(transfer.receiver_kind, 'criminal_investigation');
  assert.deepEqual(transfer.items, ['案卷材料一份', '现场勘验照片12张', '追回的金项链一条']);
  await h.shot(t, page, 'case-transferred.png');

  // 5. The chief, in another browser context, records the receiving side's acknowledgement and feedback.
  const chief = await h.openPage();
  await h.signIn(chief.page, 'chief', '/cases/transfers');
  const first = rows(chief.page, 'transfer-table').first();
  await first.locator(`[data-test=transfer-number][title="${transfer.number}"]`).waitFor();
  await first.locator(`[title="${number}"]`).waitFor();
  assert.match(await first.innerText(), /案件[\s\S]*枫溪县公安局刑侦大队（刑侦大队）[\s\S]*陈立伟[\s\S]*待签收/);
  assert.ok(Number(await chief.page.locator('[data-test=count-pending-ack]').innerText()) >= 1);
  const clues = Number(await chief.page.locator('[data-test=count-clues]').innerText());
  assert.ok(clues >= 20, `clues transferred ${clues}`);
  // A clue passed on from the same page: counted, and first in the list.
  await chief.page.locator('[data-test=clue-create]').click();
  await chief.page.locator('[data-test=clue-save]').click();
  await chief.page.locator('[data-test=clue-dialog] .el-form-item__error', { hasText: '请填写线索内容' }).waitFor();
  await field(chief.page, 'clue-text').fill('群众反映梅园新村附近有人收购来路不明的金饰');
  await field(chief.page, 'clue-source').fill('走访发现');
  await pick(chief.page, 'clue-receiver-kind', '刑侦大队');
  await field(chief.page, 'clue-receiver-name').fill('枫溪县公安局刑侦大队');
  await field(chief.page, 'clue-items').fill('走访记录一份');
  await chief.page.locator('[data-test=clue-save]').click();
  await chief.page.locator('[data-test=count-clues]', { hasText: String(clues + 1) }).waitFor();
  await rows(chief.page, 'transfer-table').first().locator('[data-test=transfer-number]', { hasText: /^XS-/ }).waitFor();
  const clue = (await officerApi.get('/api/v1/transfers?kind=clue&per_page=1')).json.items[0];
  assert.equal(clue.clue_text, '群众反映梅园新村附近有人收购来路不明的金饰');
  assert.equal(clue.status, 'pending_ack');
  await rows(chief.page, 'transfer-table').filter({ has: chief.page.locator(`[data-test=transfer-number][title="${transfer.number}"]`) }).click();
  await chief.page.waitForURL((url) => url.pathname === `/cases/transfers/${transfer.id}`);
  await chief.page.locator('[data-test=transfer-status]', { hasText: '待签收' }).waitFor();
  assert.match(await chief.page.locator('[data-test=transfer-items]').innerText(), /现场勘验照片12张/);
  assert.equal(await chief.page.locator('[data-test=transfer-feedback]').count(), 0, 'no feedback before the acknowledgement');
  await chief.page.locator('[data-test=transfer-ack]').click();
  await chief.page.locator('[data-test=transfer-save]').click();
  await chief.page.locator('[data-test=transfer-dialog] .el-form-item__error', { hasText: '请填写接收单位签收人' }).waitFor();
  await field(chief.page, 'transfer-text').fill('刑侦大队 张建国');
  await chief.page.locator('[data-test=transfer-save]').click();
  await chief.page.locator('[data-test=transfer-status]', { hasText: '已签收，待反馈' }).waitFor();
  assert.match(await chief.page.locator('[data-test=transfer-ack-by]').innerText(), /刑侦大队 张建国/);
  await chief.page.locator('[data-test=transfer-feedback]').click();
  await field(chief.page, 'transfer-text').fill('已立案侦查，嫌疑人已到案');
  await chief.page.locator('[data-test=transfer-save]').click();
  await chief.page.locator('[data-test=transfer-status]', { hasText: '已反馈' }).waitFor();
  assert.equal((await chief.page.locator('[data-test=transfer-feedback-result]').innerText()).trim(), '已立案侦查，嫌疑人已到案');
  r = await officerApi.get(`/api/v1/transfers/${transfer.id}`);
  assert.equal(r.json.transfer.status, 'done');
  assert.equal(r.json.transfer.acknowledgement.by, '刑侦大队 张建国');
  assert.equal(r.json.transfer.feedback.result, '已立案侦查，嫌疑人已到案');
  // The list shows it done; the link leads back to the case.
  await chief.page.locator('[data-test=transfer-case-link]').click();
  await chief.page.waitForURL((url) => url.pathname === `/cases/cases/${caseId}`);
  await chief.page.locator('[data-test=case-transfer-status]', { hasText: '已反馈' }).waitFor();
  await chief.context.close();

  // 6. The case officer sees the feedback on the timeline and closes the case.
  await page.reload();
  await page.locator('[data-test=case-transfer-status]', { hasText: '已反馈' }).waitFor();
  assert.match(await page.locator('[data-test=case-timeline]').innerText(), /移交[\s\S]*签收[\s\S]*接收单位签收（刑侦大队 张建国）[\s\S]*反馈[\s\S]*已立案侦查/);
  await page.locator('[data-test=case-close]').click();
  await field(page, 'step-text').fill('已移交刑侦大队立案侦查');
  await page.locator('[data-test=step-save]').click();
  await page.locator('[data-test=case-state]', { hasText: '已结案' }).waitFor();
  r = await officerApi.get(`/api/v1/cases/${caseId}`);
  assert.equal(r.json.case.state, 'closed');
  assert.equal(r.json.case.transferred_at !== null, true);

  // 7. In the register, found by its number, with its loss and recovery in yuan.
  await page.locator('[data-test=case-actions]').waitFor();
  await page.goto(`${h.srv.url}/cases/cases`);
  await rows(page, 'case-table').first().waitFor();
  await field(page, 'case-search').fill(number);
  await field(page, 'case-search').press('Enter');
  await expectNumbers(page, [number]);
  const row = rows(page, 'case-table').first();
  assert.equal((await row.locator('[data-test=case-lost]').innerText()).trim(), '5,800.00');
  assert.equal((await row.locator('[data-test=case-recovered]').innerText()).trim(), '5,000.00');
  assert.equal((await row.locator('[data-test=case-state]').innerText()).trim(), '已结案');
  assert.deepEqual(problems, []);
}));

test('the register: filters, search, sorting and paging as the API answers them', TEST_OPTIONS, h.guarded(async () => {
  const api = await h.api('chief');
  const ask = async (query) => {
    const r = await api.get(`/api/v1/cases?${new URLSearchParams({ per_page: '20', ...query })}`);
    assert.equal(r.status, 200, r.text);
    return { total: r.json.total, numbers: r.json.items.map((c) => c.number) };
  };
  const { page, problems } = await h.openPage();
  await h.signIn(page, 'chief', '/cases/cases');
  const all = await ask({});
  assert.ok(all.total > 250);
  await expectNumbers(page, all.numbers);
  await expectTotal(page, all.total);

  // Paging: the second page is the API's second page.
  await page.locator('[data-test=case-pager] .btn-next').click();
  await expectNumbers(page, (await ask({ page: '2' })).numbers);
  await page.locator('[data-test=case-pager] .btn-prev').click();
  await expectNumbers(page, all.numbers);

  // Type and state filters (and paging back to the first page when they change).
  await pick(page, 'case-filter-type', '盗窃电动车');
  let want = await ask({ type: 'ebike_theft' });
  assert.ok(want.total > 20 && want.total < all.total, `ebike thefts ${want.total}`);
  await expectNumbers(page, want.numbers);
  await expectTotal(page, want.total);
  await pick(page, 'case-filter-state', '已移交');
  want = await ask({ type: 'ebike_theft', state: 'transferred' });
  await expectNumbers(page, want.numbers);
  if (!want.total) await page.locator('[data-test=case-table] .el-empty', { hasText: '暂无案件' }).waitFor();
  await page.locator('[data-test=case-filter-type] .el-select__suffix').hover();
  await page.locator('[data-test=case-filter-type] .el-select__clear').click();
  want = await ask({ state: 'transferred' });
  assert.ok(want.total > 5, `transferred ${want.total}`);
  await expectNumbers(page, want.numbers);
  for (const tag of await page.locator('[data-test=case-table] [data-test=case-state]').allInnerTexts()) assert.equal(tag.trim(), '已移交');

  // The officer filter (the chief reads the station's users).
  await page.locator('[data-test=case-filter-state] .el-select__suffix').hover();
  await page.locator('[data-test=case-filter-state] .el-select__clear').click();
  await expectNumbers(page, all.numbers);
  const officer = (await api.get('/api/v1/users?unit=339902510000&per_page=200')).json.items.find((u) => u.username === 'caseofficer');
  await pick(page, 'case-filter-officer', officer.display_name);
  want = await ask({ officer_id: officer.id });
  assert.ok(want.total > 0);
  await expectNumbers(page, want.numbers);
  await expectTotal(page, want.total);
  await page.locator('[data-test=case-filter-officer] .el-select__suffix').hover();
  await page.locator('[data-test=case-filter-officer] .el-select__clear').click();
  await expectNumbers(page, all.numbers);

  // Sorting by the loss (downwards) and by the deadline.
  await page.locator('[data-test=case-table] th', { hasText: '损失（元）' }).locator('.sort-caret.descending').click();
  await expectNumbers(page, (await ask({ sort: '-lost' })).numbers);
  await page.locator('[data-test=case-table] th', { hasText: '受理时间' }).locator('.sort-caret.ascending').click();
  await expectNumbers(page, (await ask({ sort: 'accepted' })).numbers);

  // Overdue: none on a fresh demo (the empty state); search by a party's full name.
  await pick(page, 'case-filter-overdue', '已逾期');
  assert.equal((await ask({ overdue: '1' })).total, 0);
  await page.locator('[data-test=case-table] .el-empty', { hasText: '暂无案件' }).waitFor();
  await page.locator('[data-test=case-filter-overdue] .el-select__suffix').hover();
  await page.locator('[data-test=case-filter-overdue] .el-select__clear').click();
  const one = (await api.get(`/api/v1/cases/${(await api.get('/api/v1/cases?type=ebike_theft&per_page=1')).json.items[0].id}`)).json.case;
  const victim = one.parties.find((p) => p.role === 'victim');
  await field(page, 'case-search').fill(victim.name);
  await page.locator('[data-test=case-search-go]').click();
  want = await ask({ sort: 'accepted', q: victim.name });
  assert.ok((await ask({ q: victim.name, per_page: '200' })).numbers.includes(one.number));
  await expectNumbers(page, want.numbers);

  // The period: the day that case was accepted (China Standard Time).
  const day = new Date(Date.parse(one.accepted_at) + 8 * 3600000).toISOString().slice(0, 10);
  await field(page, 'case-search').fill('');
  await page.locator('[data-test=case-search-go]').click();
  const range = page.locator('[data-test=case-filter-period] input');
  await range.nth(0).click();
  await range.nth(0).fill(day);
  await range.nth(1).fill(day);
  await range.nth(1).press('Enter');
  const from = new Date(`${day}T00:00:00+08:00`);
  want = await ask({ sort: 'accepted', from: from.toISOString(), to: new Date(from.getTime() + 86400000).toISOString() });
  assert.ok(want.numbers.includes(one.number));
  await expectNumbers(page, want.numbers);
  await page.keyboard.press('Escape');

  // The number is a link: Enter on it opens the case page.
  await page.locator(`[data-test=case-number][title="${one.number}"]`).focus();
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname === `/cases/cases/${one.id}`);

  // Linkage: the similar cases with their scores and reasons as the API ranks them; one linked into a series.
  const similar = (await api.get(`/api/v1/cases/${one.id}/similar?limit=10`)).json.candidates;
  assert.ok(similar.length > 0, 'an e-bike theft of the demo has similar cases');
  await rows(page, 'case-similar').first().waitFor();
  assert.equal(await rows(page, 'case-similar').count(), similar.length);
  const top = rows(page, 'case-similar').first();
  assert.equal((await top.locator('[data-test=case-similar-score]').innerText()).trim(), similar[0].score.toFixed(2));
  assert.equal((await top.locator('[data-test=case-similar-reasons]').innerText()).trim(), similar[0].reasons);
  assert.match(await top.innerText(), new RegExp(similar[0].number));
  assert.equal(await page.locator('[data-test=case-series-create]').isDisabled(), true);
  await top.locator('.el-checkbox').click();
  await page.locator('[data-test=case-series-create]').click();
  await page.locator('[data-test=step-save]').click();
  await page.locator('[data-test=case-step-dialog] .el-form-item__error', { hasText: '请填写串并理由' }).waitFor();
  await field(page, 'step-text').fill('同为夜间剪锁盗窃电动车，作案手段相似');
  await page.locator('[data-test=step-save]').click();
  await page.locator('[data-test=case-series]', { hasText: /CB-/ }).waitFor();
  const linked = (await api.get(`/api/v1/cases/${one.id}`)).json.case.series;
  assert.equal(linked.length, (one.series || []).length + 1);
  const series = (await api.get(`/api/v1/case-series/${linked[linked.length - 1].id}`)).json.series;
  assert.deepEqual(series.members.map((m) => m.id).sort(), [one.id, similar[0].id].sort());
  assert.equal(series.reason, '同为夜间剪锁盗窃电动车，作案手段相似');
  assert.match(await page.locator('[data-test=case-timeline]').innerText(), /串并案/);
  assert.deepEqual(problems, []);
}));

test('masked for a community officer, read-only; a case made from a reception visit links back to it', TEST_OPTIONS, h.guarded(async () => {
  const officerApi = await h.api('caseofficer');
  let r = await officerApi.post('/api/v1/reception-visits', { visitor_name: '周晓梅', phone: '13812345699', need: 'report', what_done: '报称晾晒的被褥被人剪坏' });
  assert.equal(r.status, 201, r.text);
  const visit = r.json.visit;
  r = await officerApi.post(`/api/v1/reception-visits/${visit.id}/convert`, { to: 'case', case: { type: 'property_damage', title: '樱桃巷晾晒被褥被剪坏', address: '枫溪镇樱桃巷17号' } });
  assert.equal(r.status, 201, r.text);
  const kase = r.json.case;

  const { page, problems } = await h.openPage();
  await h.signIn(page, 'community', '/cases/cases');
  await rows(page, 'case-table').first().waitFor();
  assert.equal(await page.locator('[data-test=case-create]').count(), 0, 'community officers read cases only');
  await page.goto(`${h.srv.url}/cases/cases/${kase.id}`);
  await page.locator('[data-test=case-number]', { hasText: kase.number }).waitFor();
  const link = page.locator('[data-test=case-reception-link]');
  assert.equal((await link.innerText()).trim(), visit.number);
  assert.equal(await link.getAttribute('href'), `/cases/reception?visit=${visit.id}`);
  const parties = await page.locator('[data-test=case-parties]').innerText();
  assert.match(parties, /周晓梅[\s\S]*138\*\*\*\*5699/, 'a community officer sees the phone masked');
  assert.doesNotMatch(parties, /13812345699/);
  assert.equal(await page.locator('[data-test=case-investigate]').count(), 0);
  assert.equal(await page.locator('[data-test=case-loss-add]').count(), 0);
  assert.deepEqual(problems, []);
}));
