// The banner and form messages: never text from the URL; errors in an
// error style with role=alert naming the field and keeping what was typed;
// success distinct; e-mail addresses checked on the server; the audit log
// readable.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { demoDatabase, startServer, session, launchChromium } from './lib.mjs';

const HOSTILE = '"><script>alert(9)</script>@x.example';
const CRAFTED = 'Your session has expired. Call 316-555-0100 to sign in again.';
let demo, srv, browser;

before(async () => {
  demo = demoDatabase();
  srv = await startServer(demo.db);
  browser = await launchChromium();
});
after(async () => { await browser?.close(); await srv?.stop(); });

const sql = (q) => execFileSync('sqlite3', [demo.db, q], { encoding: 'utf8' }).trim();

async function signIn(role, width = 1280) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(`${srv.url}/login`);
  await page.fill('input[name=email]', demo.users[role].email);
  await page.fill('input[name=password]', demo.users[role].password);
  await page.click('button[type=submit]');
  await page.waitForLoadState('load');
  return page;
}

test('a crafted ?notice= (or any other URL text) never shows on a signed-in page', async () => {
  const s = await session(srv.url, demo.users.admin);
  const enc = encodeURIComponent(CRAFTED);
  for (const path of ['/users', '/tokens', '/outbox', '/purchases', '/reconciliation', '/imports',
    '/contracts', '/rebates', '/audit']) {
    for (const q of [`notice=${enc}`, `done=${enc}`, `done=nonsense&n=${enc}`, `flash=${enc}`]) {
      const res = await fetch(`${srv.url}${path}?${q}`, { headers: { cookie: s.cookie } });
      const html = await res.text();
      assert.equal(res.status, 200, `${path}?${q}`);
      assert.ok(!html.includes('316-555-0100'), `${path}?${q} shows the crafted text`);
      assert.ok(!/role="status"[^>]*>[^<]*session/i.test(html), `${path}?${q}`);
    }
  }
  // the signed-out sign-in page too
  const res = await fetch(`${srv.url}/login?notice=${enc}`);
  assert.ok(!(await res.text()).includes('316-555-0100'));
});

test('the redirect after an action carries no message text', async () => {
  const s = await session(srv.url, demo.users.admin);
  const res = await fetch(`${srv.url}/users`, {
    method: 'POST', redirect: 'manual',
    headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: s.csrf, email: 'new1@x.example', role: 'finance', password: 'long-enough-pass' }),
  });
  assert.equal(res.status, 303);
  const loc = res.headers.get('location');
  assert.ok(!/notice=|Added/.test(decodeURIComponent(loc)), loc);
  // the message shows once, on the next page of this session only
  const page = await (await fetch(new URL(loc, srv.url), { headers: { cookie: s.cookie } })).text();
  assert.match(page, /role="status"[^>]*>\s*<strong>Done:<\/strong> Added new1@x\.example\./);
  const again = await (await fetch(new URL(loc, srv.url), { headers: { cookie: s.cookie } })).text();
  assert.doesNotMatch(again, /Added new1@x\.example/);
});

test('a hostile address is refused by the users form (browser check bypassed): an alert naming the field, the input kept', async () => {
  const page = await signIn('admin');
  await page.goto(`${srv.url}/users`);
  // the role menu starts with no choice, and a choice is required
  const role = page.locator('#add-user select[name=role]');
  assert.equal(await role.inputValue(), '');
  assert.equal(await role.getAttribute('required'), '');
  assert.match(await role.locator('option').first().textContent(), /Choose a role/);
  // bypass the browser's own checks, as an attacker would
  await page.evaluate(() => { document.querySelector('#add-user').noValidate = true; });
  await page.fill('#add-user input[name=email]', HOSTILE);
  await role.selectOption('finance');
  await page.fill('#add-user input[name=password]', 'long-enough-pass');
  await page.click('#add-user button[type=submit]');
  await page.waitForLoadState('load');
  const alert = page.locator('[role=alert]');
  assert.equal(await alert.count(), 1);
  const text = await alert.textContent();
  assert.match(text, /E-mail/);
  assert.match(text, /not an e-mail address|character/);
  assert.match(await alert.getAttribute('class'), /error/);
  assert.equal(await page.locator('#add-user input[name=email]').inputValue(), HOSTILE, 'what was typed is kept');
  assert.equal(await page.locator('#add-user select[name=role]').inputValue(), 'finance');
  assert.equal(await page.locator('#add-user input[name=email]').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => window.alerted), undefined);
  assert.equal(sql("SELECT count(*) FROM app_user WHERE email LIKE '%script%'"), '0', 'nothing written');
  // no role chosen: refused, naming the role
  await page.evaluate(() => { document.querySelector('#add-user').noValidate = true; });
  await page.fill('#add-user input[name=email]', 'fine@x.example');
  await page.selectOption('#add-user select[name=role]', '');
  await page.fill('#add-user input[name=password]', 'long-enough-pass');
  await page.click('#add-user button[type=submit]');
  await page.waitForLoadState('load');
  assert.match(await page.locator('[role=alert]').textContent(), /Role/);
  assert.equal(await page.locator('#add-user input[name=email]').inputValue(), 'fine@x.example');
  // then a good one: a success message, distinct from the error
  await page.selectOption('#add-user select[name=role]', 'finance');
  await page.fill('#add-user input[name=password]', 'long-enough-pass');
  await page.click('#add-user button[type=submit]');
  await page.waitForLoadState('load');
  const ok = page.locator('[role=status]');
  assert.match(await ok.textContent(), /^\s*Done: Added fine@x\.example\./);
  assert.equal(await page.locator('[role=alert]').count(), 0);
  const [errBg, okBg] = await page.evaluate(() => {
    const p = document.createElement('p'); p.className = 'error'; document.body.append(p);
    const q = document.querySelector('[role=status]');
    return [getComputedStyle(p).backgroundColor, getComputedStyle(q).backgroundColor];
  });
  assert.notEqual(errBg, okBg);
  await page.close();
});

test('a hostile address posted straight to the server is refused, and the page escapes it', async () => {
  const s = await session(srv.url, demo.users.admin);
  const res = await fetch(`${srv.url}/users`, {
    method: 'POST', redirect: 'manual',
    headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: s.csrf, email: HOSTILE, role: 'admin', password: 'long-enough-pass' }),
  });
  assert.equal(res.status, 422);
  const html = await res.text();
  assert.ok(!html.includes('<script>alert(9)'), 'escaped');
  assert.match(html, /role="alert"/);
  assert.equal(sql("SELECT count(*) FROM app_user WHERE email LIKE '%script%'"), '0');
});

test('the audit log shows readable times and what changed, before → after', async () => {
  sql(`INSERT INTO audit_log(at, actor, action, entity, entity_id, before, after, hash) VALUES ('2026-11-25T14:03:07Z', 'cli:test', 'notice.retry', 'outbox', '77', '{"state":"dead","attempts":5,"kind":"statement"}', '{"state":"queued","attempts":0,"kind":"statement"}', printf('%064d', 0))`);
  const page = await signIn('admin', 390);
  await page.goto(`${srv.url}/audit?q=cli:test`);
  const row = page.locator('#audit tr', { hasText: 'notice.retry' });
  assert.equal(await row.count(), 1);
  const text = (await row.textContent()).replace(/\s+/g, ' ');
  assert.match(text, /2026-11-25 14:03 UTC/);
  assert.doesNotMatch(text, /[{}"]/, 'no raw JSON');
  const changes = row.locator('table.changes tr');
  const rows = (await changes.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
  assert.ok(rows.some((t) => /state dead → queued/.test(t)), rows.join(' | '));
  assert.ok(rows.some((t) => /attempts 5 → 0/.test(t)), rows.join(' | '));
  assert.ok(!rows.some((t) => /kind/.test(t)), 'unchanged fields are not listed');
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `no sideways scroll (${wide})`);
  await page.close();
});
