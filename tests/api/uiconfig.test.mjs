// GET /api/v1/ui-config: the tile URL, the dispatch threshold after which an
// unacknowledged dispatch is raised, and the travel-time model the UI draws
// its 1/3/5-minute rings with; `serve --dispatch-config FILE` sets the last
// two and refuses a bad file naming the field.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, fq } from '../lib/server.mjs';
import { stopAndCheck } from './helpers.mjs';

const servers = [];
after(async () => {
  for (const s of servers) await stopAndCheck(s);
});

test('the defaults of docs/dispatch.md, without a session', async () => {
  const srv = await startServer({ demo: false });
  servers.push(srv);
  const r = await fetch(`${srv.url}/api/v1/ui-config`);
  assert.equal(r.status, 200);
  const j = await r.json();
  assert.equal(j.tile_url, null);
  assert.equal(j.dispatch.unacknowledged_s, 60);
  assert.deepEqual(j.dispatch.eta.speed_kmh, { car: 40, foot: 5, motorbike: 35, auxiliary_team: 5, volunteer_team: 4 });
  assert.deepEqual(j.dispatch.eta.turnout_s, { car: 30, foot: 10, motorbike: 20, auxiliary_team: 60, volunteer_team: 120 });
  assert.equal(j.dispatch.eta.road_factor, 1.3);
});

test('--dispatch-config and --tile-url reach the UI', async () => {
  const probe = await startServer({ demo: false });
  const file = join(probe.dir, 'dispatch.json');
  writeFileSync(file, JSON.stringify({ unacknowledged_s: 90, eta: { speed_kmh: { auxiliary_team: 15 }, road_factor: 1.4 } }));
  await probe.stop();
  const srv = await startServer({ demo: false, dir: probe.dir, db: probe.db, args: ['--dispatch-config', file, '--tile-url', 'https://tiles.example.local/{z}/{x}/{y}.png'] });
  servers.push(srv);
  const j = await (await fetch(`${srv.url}/api/v1/ui-config`)).json();
  assert.equal(j.tile_url, 'https://tiles.example.local/{z}/{x}/{y}.png');
  assert.equal(j.dispatch.unacknowledged_s, 90);
  assert.equal(j.dispatch.eta.speed_kmh.auxiliary_team, 15);
  assert.equal(j.dispatch.eta.speed_kmh.car, 40, 'members not given keep their defaults');
  assert.equal(j.dispatch.eta.road_factor, 1.4);
});

test('a bad dispatch configuration stops serve with the field named', async () => {
  const probe = await startServer({ demo: false });
  await probe.stop();
  const cases = [
    [{ unacknowledged_s: -1 }, /unacknowledged_s/],
    [{ eta: { speed_kmh: { car: 0 } } }, /speed_kmh\.car/],
    [{ eta: { speed_kmh: { tank: 50 } } }, /speed_kmh\.tank/],
    [{ colour: 'red' }, /colour/],
  ];
  for (const [body, field] of cases) {
    const file = join(probe.dir, 'bad.json');
    writeFileSync(file, JSON.stringify(body));
    await assert.rejects(fq(['serve', '--db', probe.db, '--listen', '127.0.0.1:1', '--dispatch-config', file]), (e) => {
      assert.equal(e.code, 1);
      assert.match(e.stderr, field);
      return true;
    });
  }
  writeFileSync(join(probe.dir, 'broken.json'), '{"unacknowledged_s": ');
  await assert.rejects(fq(['serve', '--db', probe.db, '--dispatch-config', join(probe.dir, 'broken.json')]), (e) => e.code === 1 && /broken\.json/.test(e.stderr));
});
