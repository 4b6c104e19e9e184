// The demo's community registries (fengqiao demo --registry small: 1 % of
// the town in GLOSSARY.md): counts, placement in the demo grids, valid
// identifiers, scope of the grid worker, search over generated names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { idNumber } from '../lib/idgen.mjs';
import { who, stopAndCheck } from './helpers.mjs';

let srv;
const as = {};

before(async () => {
  srv = await startServer({ demo: true, registry: 'small' });
  for (const name of ['chief', 'gridworker', 'chief2']) as[name] = await loginAs(srv, who(srv, name));
});

after(async () => {
  await stopAndCheck(srv);
});

test('the small registry is 1 % of the town', async () => {
  assert.equal((await as.chief.get('/api/v1/people?per_page=1')).json.total, Math.floor(97656 / 100));
  assert.equal((await as.chief.get('/api/v1/houses?per_page=1')).json.total, Math.floor(45570 / 100));
  assert.equal((await as.chief.get('/api/v1/organisations?per_page=1')).json.total, Math.floor(735 / 100));
  assert.equal((await as.chief.get('/api/v1/organisations?per_page=1&regulated=1')).json.total, 1);
  assert.equal((await as.chief2.get('/api/v1/people?per_page=1')).json.total, 0, 'the town is the main station');
});

test('houses lie in their grid, people in their house\'s grid, and the grid worker sees only theirs', async () => {
  const houses = (await as.chief.get('/api/v1/houses?per_page=200')).json.items;
  for (const h of houses) {
    assert.equal(h.unit, h.grid);
    assert.ok(h.location, 'demo houses have coordinates');
  }
  const mine = await as.gridworker.get('/api/v1/people?per_page=200');
  assert.ok(mine.json.total > 0 && mine.json.total < 976, `grid worker sees ${mine.json.total}`);
  for (const p of mine.json.items) assert.equal(p.unit, '339902100001');
  const all = (await as.chief.get('/api/v1/people?per_page=50&sort=-name')).json.items;
  for (const p of all) {
    assert.match(p.id_number, /^\d{6}\*{8}\d{3}[\dX]$/);
    const h = (await as.chief.get(`/api/v1/houses/${p.house_id}`)).json.house;
    assert.equal(p.unit, h.grid);
  }
});

test('generated ID numbers are valid and agree with sex; names are found by search', async () => {
  const list = (await as.chief.get('/api/v1/people?per_page=20')).json.items;
  for (const p of list.slice(0, 5)) {
    const r = await as.chief.post(`/api/v1/people/${p.id}/reveal`, { reason: '演示数据核验' });
    assert.equal(r.status, 200, r.text);
    const id = r.json.person.id_number;
    assert.equal(idNumber(id.slice(0, 6), id.slice(6, 14).replace(/(\d{4})(\d\d)(\d\d)/, '$1-$2-$3'), Number(id.slice(14, 17))), id);
    assert.equal(Number(id[16]) % 2 === 1 ? 'M' : 'F', r.json.person.sex);
    const found = await as.chief.get(`/api/v1/people?q=${encodeURIComponent(p.name)}&per_page=200`);
    assert.ok(found.json.items.some((x) => x.id === p.id), `search for ${p.name}`);
  }
});
