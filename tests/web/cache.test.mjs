// Kept pages and reports (web/cache.c, web/pagecache.c): every user sees
// their own e-mail address and CSRF token on a kept page, and a change to
// the books, made through the web or by another process, shows on the
// very next request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { demoDatabase, startServer, token, session, cliJson, cli, bin } from './lib.mjs';

let demo, srv, tok = {};
const C = 'KS-FURN-2025';

before(async () => {
  demo = demoDatabase();
  srv = await startServer(demo.db);
  for (const role of ['admin', 'finance']) tok[role] = await token(srv.url, demo.users[role]);
});
after(async () => { await srv.stop(); });

const page = async (s, path) => (await fetch(srv.url + path, { headers: { cookie: s.cookie } })).text();
const api = async (path, role = 'finance') =>
  (await fetch(srv.url + path, { headers: { authorization: `Bearer ${tok[role]}` } })).json();
const withoutCsrf = (html) => html.replace(/name="csrf" value="[^"]*"/g, 'name="csrf"');
const remitted = (html) => html.match(/Remitted<\/div><div class="big">([^<]*)</)[1];
const money = (s) => Number(s.replace(/[$,]/g, ''));

test('a kept page carries each session its own CSRF token and e-mail', async () => {
  const a1 = await session(srv.url, demo.users.admin);
  const a2 = await session(srv.url, demo.users.admin);
  const f = await session(srv.url, demo.users.finance);
  assert.notEqual(a1.csrf, a2.csrf);
  for (const path of ['/', '/purchases']) {
    const p1 = await page(a1, path), p2 = await page(a2, path), pf = await page(f, path);
    assert.ok(p1.includes(`name="csrf" value="${a1.csrf}"`), path);
    assert.ok(!p1.includes(a2.csrf) && p2.includes(`name="csrf" value="${a2.csrf}"`), path);
    assert.equal(withoutCsrf(p1), withoutCsrf(p2), path);
    assert.ok(p1.includes(demo.users.admin.email) && !p1.includes(demo.users.finance.email), path);
    assert.ok(pf.includes(demo.users.finance.email) && !pf.includes(demo.users.admin.email), path);
    assert.ok(p1.includes('href="/users"') && !pf.includes('href="/users"'), path); // admin's menu
    assert.ok(!/clpc[0-9a-f]{32}/.test(p1 + p2 + pf), 'no marker is left on a page');
  }
  const m = await session(srv.url, demo.users.member);
  for (const path of ['/', '/purchases']) {
    const pm = await page(m, path);
    assert.ok(pm.includes(`name="csrf" value="${m.csrf}"`) && pm.includes(demo.users.member.email), path);
    assert.ok(pm.includes(`(member, ${demo.users.member.bound})`), path);
  }
});

test('an e-mail address is put on a kept page escaped as {{email}} escapes it', async () => {
  const odd = { email: "o'hara&co@example.org", password: 'kept-page-pass-1' };
  execFileSync(bin, ['--db', demo.db, 'user', 'add', '--email', odd.email, '--role', 'finance'],
    { env: { ...process.env, COOPLEDGER_PASSWORD: odd.password } });
  const s = await session(srv.url, odd);
  const p = await page(s, '/');
  assert.ok(p.includes('o&#39;hara&amp;co@example.org (finance)'), p.slice(p.indexOf('hara') - 200, p.indexOf('hara') + 100));
  assert.ok(!p.includes(odd.email));
});

test('a remittance shows on the next dashboard and fees report', async () => {
  const a = await session(srv.url, demo.users.admin);
  const before = money(remitted(await page(a, '/')));
  const q = (await api(`/api/v1/contracts/${C}/fees?period=2026-Q2`)).quarters[0];
  const res = await fetch(`${srv.url}/api/v1/contracts/${C}/remittances`, { method: 'POST',
    headers: { authorization: `Bearer ${tok.finance}`, 'content-type': 'application/json' },
    body: JSON.stringify({ period: '2026-Q2', amount: '125.00', received: '2026-11-24', reference: 'KEPT-1' }) });
  assert.equal(res.status, 201);
  assert.equal(money(remitted(await page(a, '/'))), before + 125);
  const after = (await api(`/api/v1/contracts/${C}/fees?period=2026-Q2`)).quarters[0];
  assert.equal(money(after.remitted), money(q.remitted) + 125);
  assert.deepEqual(await api(`/api/v1/contracts/${C}/fees?period=2026-Q2`),
    cliJson(demo.db, 'report', 'fees', '--contract', C, '--period', '2026-Q2'));
});

test('a change made by the command line shows on the next request', async () => {
  const a = await session(srv.url, demo.users.admin);
  const m = await session(srv.url, demo.users.member);
  const before = money(remitted(await page(a, '/')));
  await api(`/api/v1/contracts/${C}/fees`);
  cli(demo.db, 'remit', '--contract', C, '--period', '2026-Q1', '--amount', '7.50',
    '--received', '2026-11-20', '--ref', 'KEPT-CLI');
  assert.equal(money(remitted(await page(a, '/'))), before + 7.5);
  assert.deepEqual(await api(`/api/v1/contracts/${C}/fees`), cliJson(demo.db, 'report', 'fees', '--contract', C));

  const history = await page(m, '/purchases');
  const rows = history.split('<tr>').filter((r) => /^<td class="num">\d+<\/td>/.test(r));
  const line = rows.find((r) => /<td><\/td>\s*<\/tr>/.test(r)).match(/\d+/)[0]; // a live line
  assert.ok(!history.includes(`reversal of ${line}`));
  cli(demo.db, 'reverse', '--line', line, '--reason', 'kept page test');
  const now = await page(m, '/purchases');
  assert.ok(now.includes(`reversal of ${line}`), 'the reversal is on the member history at once');
  assert.match(now, new RegExp(`<td class="num">${line}</td>(?:(?!</tr>).)*<td>reversed</td>`));
});
