// Users by invitation, in a real browser against the real server and a
// real SMTP server on loopback: an admin invites a finance user, the link
// is read from the message the SMTP server received, opened, a password
// set and used to sign in; "Forgot your password?" answers the same for a
// known and an unknown address; an admin deactivates the user, whose open
// session ends at its next request and whose API token gets 401.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { token, browserWorld } from './lib.mjs';

const NEW = { email: 'ledger.clerk@usd259.ks.example', password: 'a long new secret 1' };

let demo, srv, smtp, browser, world;

before(async () => {
  ({ demo, smtp, srv, browser } = world = await browserWorld());
});

after(() => world?.stop());

// Deliver the outbox to the SMTP server, links under the server's address.
const deliver = () => smtp.deliver(demo.db, srv.url);

async function signIn(page, user) {
  await page.goto(`${srv.url}/login`);
  await page.fill('input[name=email]', user.email);
  await page.fill('input[name=password]', user.password);
  await page.click('button[type=submit]');
  await page.waitForLoadState('load');
}

test('an invited finance user sets a password from the e-mailed link and signs in', async () => {
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, demo.users.admin);
  await admin.goto(`${srv.url}/users`);
  const form = admin.locator('#invite-user');
  assert.equal(await form.locator('select[name=role]').inputValue(), '', 'no role is chosen for you');
  // a refusal beside its field, what was typed kept, nothing written
  await form.evaluate((f) => { f.noValidate = true; });
  await form.locator('input[name=email]').fill(NEW.email);
  await form.locator('select[name=role]').selectOption('member');
  await form.locator('button[type=submit]').click();
  await admin.waitForSelector('#invite-error');
  assert.match(await admin.textContent('#invite-error'), /member user needs an agency code/);
  assert.equal(await admin.getAttribute('#invite-user input[name=bound]', 'aria-describedby'), 'invite-error');
  assert.equal(await admin.inputValue('#invite-user input[name=email]'), NEW.email);
  assert.equal(await admin.inputValue('#invite-user select[name=role]'), 'member');
  assert.equal(await admin.locator('#users tr', { hasText: NEW.email }).count(), 0);

  await admin.selectOption('#invite-user select[name=role]', 'finance');
  await admin.click('#invite-user button[type=submit]');
  await admin.waitForSelector('.notice');
  assert.match(await admin.textContent('.notice'), new RegExp(`Invited ${NEW.email}`));
  assert.match(await admin.textContent(`#users tr[data-email="${NEW.email}"]`), /finance.*invited/s);

  const [mail] = await deliver();
  assert.equal(mail.to.value[0].address, NEW.email);
  assert.match(mail.subject, /set your password/);
  const link = mail.text.match(/http:\S+\/password\?token=[\w-]+/)[0];
  assert.ok(link.startsWith(`${srv.url}/password?token=`), link);
  assert.ok(mail.html.includes(`href="${link}"`), 'the HTML part links the same address');

  const page = await (await browser.newContext()).newPage();
  await page.goto(link);
  await page.fill('#set-password input[name=password]', NEW.password);
  await page.fill('#set-password input[name=confirm]', 'something else entirely');
  await page.click('#set-password button[type=submit]');
  await page.waitForSelector('#confirm-error');
  assert.match(await page.textContent('#confirm-error'), /differ/);
  await page.fill('#set-password input[name=password]', NEW.password);
  await page.fill('#set-password input[name=confirm]', NEW.password);
  await page.click('#set-password button[type=submit]');
  await page.waitForSelector('.notice');
  assert.match(page.url(), /\/login\?done=password$/);
  assert.match(await page.textContent('.notice'), /password is set/);
  await signIn(page, NEW);
  assert.equal(new URL(page.url()).pathname, '/');
  assert.match(await page.textContent('.who'), new RegExp(`${NEW.email} \\(finance\\)`));

  // the link was used: a second use is refused, saying so
  const again = await fetch(link);
  assert.equal(again.status, 400);
  assert.match(await again.text(), /used already/);
  await admin.context().close();
  await page.context().close();
});

test('"Forgot your password?" answers the same for a known and an unknown address', async () => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${srv.url}/login`);
  await page.click('text=Forgot your password?');
  await page.fill('#forgot input[name=email]', demo.users.finance.email);
  await page.click('#forgot button[type=submit]');
  await page.waitForSelector('.notice');
  const shown = await page.textContent('main');
  await page.context().close();

  const ask = (email) => fetch(`${srv.url}/password-reset`, { method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email }) });
  const known = await ask(demo.users.vendor.email);
  const unknown = await ask('nobody.here@usd259.ks.example');
  assert.equal(known.status, 200);
  assert.equal(unknown.status, known.status);
  assert.equal(await unknown.text(), await known.text());
  const api = (email) => fetch(`${srv.url}/api/v1/password-resets`, { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
  const [a, b] = [await api(demo.users.member.email), await api('nobody.else@usd259.ks.example')];
  assert.equal(a.status, 202);
  assert.equal(b.status, 202);
  assert.equal(await a.text(), await b.text());

  // only the known addresses get an e-mail, each with a working link
  const mails = await deliver();
  assert.deepEqual(mails.map((m) => m.to.value[0].address).sort(),
    [demo.users.finance.email, demo.users.member.email, demo.users.vendor.email].sort());
  assert.match(shown, /If an account uses that address/);
  const link = mails[0].text.match(/http:\S+\/password\?token=[\w-]+/)[0];
  assert.equal((await fetch(link)).status, 200);
});

test('a deactivated user is signed out at the next request and their API token gets 401', async () => {
  const api = await token(srv.url, NEW);
  assert.equal((await fetch(`${srv.url}/api/v1/me`, { headers: { authorization: `Bearer ${api}` } })).status, 200);
  const user = await (await browser.newContext()).newPage();
  await signIn(user, NEW);
  await user.goto(`${srv.url}/contracts`);
  assert.equal(new URL(user.url()).pathname, '/contracts');

  const admin = await (await browser.newContext()).newPage();
  admin.on('dialog', (d) => d.accept());
  await signIn(admin, demo.users.admin);
  await admin.goto(`${srv.url}/users`);
  const button = admin.locator(`#users tr[data-email="${NEW.email}"] button`);
  assert.equal(await button.textContent(), `Deactivate ${NEW.email}`, 'the button names its row');
  await button.click();
  await admin.waitForSelector('.notice');
  assert.match(await admin.textContent('.notice'), new RegExp(`Deactivated ${NEW.email}`));
  assert.match(await admin.textContent(`#users tr[data-email="${NEW.email}"]`), /deactivated/);
  assert.equal(await admin.locator(`#users tr[data-email="${NEW.email}"] button`).count(), 0);

  await user.goto(`${srv.url}/contracts`);
  assert.equal(new URL(user.url()).pathname, '/login', 'the open session ended');
  const me = await fetch(`${srv.url}/api/v1/me`, { headers: { authorization: `Bearer ${api}` } });
  assert.equal(me.status, 401);
  const again = await fetch(`${srv.url}/api/v1/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify(NEW) });
  assert.equal(again.status, 401, 'the password signs in no more');
  await admin.context().close();
  await user.context().close();
});
