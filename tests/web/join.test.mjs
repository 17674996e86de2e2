// Joining a contract from its public page, as people do it: a buyer with
// no account sends the form and gets the thank-you page; hostile input is
// refused or dropped and nothing of it is stored (counted with `coopledger
// join list`); the sixth request of the hour from one address is refused
// (429 with Retry-After on the API, a page saying so on the form); staff
// approve from the queue page, where names are shown as text; the
// requester's approval e-mail and the member's invitation arrive at a real
// SMTP server, and the new member sets a password from the link and sees
// the contract on its portal.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cliJson, token, browserWorld } from './lib.mjs';

const C = 'KS-FURN-2025';
const BUYER = { agency: 'Salina Public Schools', name: 'Pat Buyer', email: 'pat.buyer@usd305.ks.example' };
const SCRIPT_NAME = 'Hays <script>alert("x")</script> Schools';

let demo, srv, smtp, browser, world;

before(async () => {
  ({ demo, smtp, srv, browser } = world = await browserWorld());
});

after(() => world?.stop());

const stored = () => cliJson(demo.db, 'join', 'list').requests;

// The form's cookie and token, as a browser gets them with the page.
async function formTicket() {
  const res = await fetch(`${srv.url}/catalog/${C}/join`);
  assert.equal(res.status, 200);
  const cookie = res.headers.get('set-cookie').split(';')[0];
  const token = (await res.text()).match(/name="form_token" value="([^"]+)"/)[1];
  return { cookie, token };
}

// The form sent with fields (a ticket of its own unless given).
async function sendForm(fields, ticket) {
  const t = ticket || await formTicket();
  const res = await fetch(`${srv.url}/catalog/${C}/join`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: t.cookie },
    body: new URLSearchParams({ form_token: t.token, ...fields }),
  });
  return { status: res.status, html: await res.text(), retry: res.headers.get('retry-after') };
}

const good = (over = {}) => ({ agency_name: 'Dodge City Schools', kind: 'school_district', state: 'KS',
  contact_name: 'Lee Clerk', email: 'lee@usd443.ks.example', public_entity: 'yes', ...over });

const api = (body, number = C) => fetch(`${srv.url}/api/v1/catalog/${number}/join-requests`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('a buyer with no account sends the join form and is thanked', async () => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${srv.url}/catalog/${C}/join`);
  assert.match(await page.textContent('h1'), /Join contract KS-FURN-2025/);
  await page.fill('#f-agency_name', BUYER.agency);
  await page.selectOption('#f-kind', 'school_district');
  await page.fill('#f-state', 'KS');
  await page.fill('#f-contact_name', BUYER.name);
  await page.fill('#f-email', BUYER.email);
  await page.check('input[name=public_entity]');
  await page.click('#join-form button[type=submit]');
  await page.waitForSelector('.notice');
  assert.match(await page.textContent('h1'), /Thank you/);
  const rows = stored();
  assert.equal(rows.length, 1);
  assert.deepEqual([rows[0].contract, rows[0].agency_name, rows[0].email, rows[0].status],
    [C, BUYER.agency, BUYER.email, 'pending']);
  await page.context().close();
});

test('hostile input is refused or dropped, and nothing of it is stored', async () => {
  const before = stored().length; // 1
  // a field over its size: refused beside the field, what was typed kept
  let r = await sendForm(good({ agency_name: 'A'.repeat(201) }));
  assert.equal(r.status, 400);
  assert.match(r.html, /id="e-agency_name">agency name is too long: at most 200 characters/);
  assert.match(r.html, /value="A{201}"/);
  // header injection in the e-mail
  r = await sendForm(good({ email: 'lee@usd443.ks.example\r\nBcc: all@evil.example' }));
  assert.equal(r.status, 400);
  assert.match(r.html, /id="e-email">e-mail: control character 0x0d/);
  // no statement of public status
  const { public_entity: _, ...unstated } = good();
  r = await sendForm(unstated);
  assert.equal(r.status, 400);
  assert.match(r.html, /id="e-public_entity">public entity: only a public entity may join/);
  // the honeypot filled: the same thank-you, nothing kept
  r = await sendForm(good({ website: 'http://cheap-pills.example' }));
  assert.equal(r.status, 200);
  assert.match(r.html, /Thank you: your request is sent/);
  // without the form's cookie, or with another form's token: refused
  const t1 = await formTicket(), t2 = await formTicket();
  r = await sendForm(good(), { cookie: t1.cookie, token: t2.token });
  assert.equal(r.status, 403);
  assert.match(r.html, /The form expired or did not come from this site/);
  r = await sendForm(good(), { cookie: 'cl_join=00', token: t1.token });
  assert.equal(r.status, 403);
  // a body far over the server's limit
  const huge = await fetch(`${srv.url}/api/v1/catalog/${C}/join-requests`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify(good({ agency_name: 'x'.repeat(8 << 20), public_entity: true })) });
  assert.equal(huge.status, 413);
  // the API names the field
  let a = await api({ ...good(), email: 'lee@usd443.ks.example\nBcc: x@evil.example', public_entity: true });
  assert.equal(a.status, 400);
  assert.equal((await a.json()).field, 'email');
  a = await api({ ...good(), contact_name: 'C'.repeat(201), public_entity: true });
  assert.equal(a.status, 400);
  assert.deepEqual(await a.json(), { error: 'contact name is too long: at most 200 characters',
    field: 'contact_name' });
  a = await api({ ...good(), kind: 'church', public_entity: true });
  assert.equal((await a.json()).field, 'kind');
  a = await api({ ...good(), public_entity: true }, 'NO-SUCH-1');
  assert.equal(a.status, 404);
  assert.equal(stored().length, before, 'nothing refused was stored');
  // HTML in a name is kept as text (shown escaped to staff, see below)
  r = await sendForm(good({ agency_name: SCRIPT_NAME, email: 'hays@usd489.ks.example' }));
  assert.equal(r.status, 200);
  assert.equal(stored().length, before + 1);
});

test('the sixth request of the hour from one address is refused', async () => {
  // two so far from this address (the browser's and the HTML-named one):
  // three more pass, the sixth is refused
  for (let i = 3; i <= 5; i++) {
    const a = await api({ ...good({ email: `buyer${i}@city.ks.example` }), public_entity: true });
    assert.equal(a.status, 202);
    assert.equal(typeof (await a.json()).request, 'number');
  }
  const a = await api({ ...good({ email: 'buyer6@city.ks.example' }), public_entity: true });
  assert.equal(a.status, 429);
  const retry = Number(a.headers.get('retry-after'));
  // the oldest of the hour came moments ago: free again in just under an hour
  assert.ok(retry > 3500 && retry <= 3600, `Retry-After ${retry}`);
  assert.match((await a.json()).error, /too many requests from this address in the last hour \(at most 5\)/);
  const r = await sendForm(good({ email: 'buyer7@city.ks.example' }));
  assert.equal(r.status, 429);
  assert.match(r.html, /too many requests from this address in the last hour/);
  assert.match(r.html, /value="buyer7@city.ks.example"/);
  assert.equal(stored().length, 5);
});

test('staff approve; the requester and the new member are e-mailed; the member signs in', async () => {
  const admin = await (await browser.newContext()).newPage();
  await admin.goto(`${srv.url}/login`);
  await admin.fill('input[name=email]', demo.users.admin.email);
  await admin.fill('input[name=password]', demo.users.admin.password);
  await admin.click('button[type=submit]');
  await admin.waitForLoadState('load');
  await admin.click('nav >> text=Join requests');
  assert.equal(new URL(admin.url()).pathname, '/join-requests');
  // the HTML in a name is text, never markup
  assert.equal(await admin.locator('main script').count(), 0);
  assert.ok((await admin.textContent('main')).includes(SCRIPT_NAME));

  const id = stored().find((q) => q.email === BUYER.email).id;
  const approve = admin.locator(`form[action="/join-requests/${id}/approve"]`);
  await approve.locator('input[name=joined]').fill('2026-11-25');
  await approve.locator('input[name=agency_code]').fill('SALINA-PS');
  await approve.locator('button[type=submit]').click();
  await admin.waitForSelector('.notice');
  assert.match(await admin.textContent('.notice'), new RegExp(`join request ${id} approved`));
  const row = stored().find((q) => q.id === id);
  assert.deepEqual([row.status, row.approved_code, row.joined], ['approved', 'SALINA-PS', '2026-11-25']);

  const mails = await smtp.deliver(demo.db, srv.url);
  assert.deepEqual(mails.map((m) => m.to.value[0].address), [BUYER.email, BUYER.email]);
  const approved = mails.find((m) => /is approved/.test(m.subject));
  const invite = mails.find((m) => /password/i.test(m.subject));
  assert.equal(approved.subject, `Your request to join contract ${C} is approved`);
  assert.match(approved.text, /Salina Public Schools participates in the contract from\s+2026-11-25, under the agency code SALINA-PS/);
  assert.match(approved.text, /A separate e-mail is on its way/);

  const link = invite.text.match(/http:\S+\/password\?token=[\w-]+/)[0];
  const member = await (await browser.newContext()).newPage();
  await member.goto(link);
  await member.fill('#set-password input[name=password]', 'a long member secret');
  await member.fill('#set-password input[name=confirm]', 'a long member secret');
  await member.click('#set-password button[type=submit]');
  await member.waitForSelector('.notice');
  await member.fill('input[name=email]', BUYER.email);
  await member.fill('input[name=password]', 'a long member secret');
  await member.click('button[type=submit]');
  await member.waitForLoadState('load');
  assert.match(await member.textContent('.who'), /\(member, SALINA-PS\)/);
  assert.ok((await member.textContent('main')).includes(C), 'the portal shows the contract');
  await admin.context().close();
  await member.context().close();
});

test('finance reads the queue but cannot decide; a decline e-mails its reason', async () => {
  const id = stored().find((q) => q.email === 'buyer3@city.ks.example').id;
  const fin = await token(srv.url, demo.users.finance);
  const list = await fetch(`${srv.url}/api/v1/join-requests`, { headers: { authorization: `Bearer ${fin}` } });
  assert.equal(list.status, 200);
  assert.equal((await list.json()).requests.length, 5);
  const post = (who, path, body) => fetch(`${srv.url}/api/v1/join-requests/${id}/${path}`, {
    method: 'POST', headers: { authorization: `Bearer ${who}`, 'content-type': 'application/json' },
    body: JSON.stringify(body) });
  assert.equal((await post(fin, 'decline', { reason: 'no' })).status, 404);
  const adm = await token(srv.url, demo.users.admin);
  let res = await post(adm, 'decline', { reason: '' });
  assert.equal(res.status, 400);
  assert.match((await res.json()).error, /reason/);
  const reason = 'Dodge City Schools already joined under code USD443';
  res = await post(adm, 'decline', { reason });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { request: id, status: 'declined' });
  res = await post(adm, 'approve', { joined: '2026-11-25', agency_code: 'DCS-1' });
  assert.equal(res.status, 409);
  const [mail] = await smtp.deliver(demo.db, srv.url);
  assert.equal(mail.to.value[0].address, 'buyer3@city.ks.example');
  assert.equal(mail.subject, `Your request to join contract ${C} is declined`);
  assert.ok(mail.text.includes(reason));
});
