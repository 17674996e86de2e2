// What a security review of the server found, one test per finding: each
// request is the reproducer, and each test failed before its fix.  Every
// test starts its own server, so throttles and limits start from zero.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { statSync, readdirSync, utimesSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoDatabase, startServer, token, session, bin } from './lib.mjs';

const C = 'KS-FURN-2025';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Send raw bytes; resolves to everything the server wrote before it closed
// (or before ms passed), and whether an answer came at all.
function raw(url, bytes, { ms = 5000, keepOpen = false } = {}) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const sock = connect({ host: hostname, port: Number(port) });
    let text = '';
    let done = false;
    const finish = () => { if (!done) { done = true; sock.destroy(); resolve(text); } };
    sock.on('data', (d) => {
      text += d;
      // one whole response is enough when the caller holds the body back
      if (keepOpen && /\r\n\r\n/.test(text)) setTimeout(finish, 50);
    });
    sock.on('end', finish);
    sock.on('close', finish);
    sock.on('error', finish);
    setTimeout(finish, ms);
    sock.write(bytes);
  });
}

const statusOf = (text) => Number((text.match(/^HTTP\/1\.[01] (\d{3})/) || [])[1] || 0);

// The server's resident memory in KiB.
const rssKiB = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]);

async function withServer(fn, extra = []) {
  const demo = demoDatabase();
  const srv = await startServer(demo.db, extra);
  try {
    await fn(srv, demo);
  } finally {
    await srv.stop();
  }
}

const alive = async (srv) => assert.equal((await fetch(`${srv.url}/login`)).status, 200);

const form = (srv, path, fields, cookie = '') => fetch(srv.url + path, {
  method: 'POST', redirect: 'manual',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
  body: new URLSearchParams(fields),
});

test('1: a multipart part without a name is a 400, on any URL, and the server lives', async () => {
  await withServer(async (srv) => {
    for (const path of ['/login', '/', '/api/v1/tokens', '/nowhere']) {
      const body = '--XyZ\n\n-';
      const res = await raw(srv.url, `POST ${path} HTTP/1.1\r\nHost: x\r\n` +
        'Content-Type: multipart/form-data; boundary=XyZ\r\n' +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      assert.ok([400, 401, 303, 405].includes(statusOf(res)), `${path}: ${res.slice(0, 80)}`);
      await alive(srv);
    }
    // a well-formed part whose name is empty, and one with a file but no name
    const parts = '--XyZ\r\nContent-Disposition: form-data; name=""\r\n\r\nv\r\n' +
      '--XyZ\r\nContent-Disposition: form-data; filename="a.csv"\r\n\r\nx,y\r\n--XyZ--\r\n';
    const res = await raw(srv.url, 'POST /login HTTP/1.1\r\nHost: x\r\n' +
      'Content-Type: multipart/form-data; boundary=XyZ\r\n' +
      `Content-Length: ${parts.length}\r\nConnection: close\r\n\r\n${parts}`);
    assert.equal(statusOf(res), 400, res.slice(0, 200));
    assert.match(res, /form could not be read|without a name/);
    await alive(srv);
  });
});

test('2: oversized credentials are refused before the database, and failures do not pile up', async () => {
  await withServer(async (srv, demo) => {
    const before = statSync(demo.db).size + (existsSync(demo.db + '-wal') ? statSync(demo.db + '-wal').size : 0);
    for (let i = 0; i < 20; i++) {
      const email = `${i}${'x'.repeat(60000)}@example.org`;
      const res = await form(srv, '/login', { email, password: 'nope' });
      assert.equal(res.status, 400);
      assert.match(await res.text(), /too long/);
      const api = await fetch(`${srv.url}/api/v1/tokens`, { method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'a@b.example', password: 'p'.repeat(5000) }) });
      assert.equal(api.status, 400);
    }
    const after = statSync(demo.db).size + (existsSync(demo.db + '-wal') ? statSync(demo.db + '-wal').size : 0);
    assert.ok(after - before < 200 * 1024, `the database grew by ${after - before} bytes`);
  });
});

test('3: an unauthenticated CSV body is answered from its headers, and bodies are not held in memory', async () => {
  await withServer(async (srv, demo) => {
    // 50 MiB announced, 1 KiB sent: the 401 comes without waiting for the rest
    const t0 = Date.now();
    let res = await raw(srv.url, `POST /api/v1/contracts/${C}/imports?period=2026-Q4 HTTP/1.1\r\n` +
      `Host: x\r\nContent-Type: text/csv\r\nContent-Length: ${50 << 20}\r\n\r\n` + 'a'.repeat(1024),
    { keepOpen: true, ms: 4000 });
    assert.equal(statusOf(res), 401, res.slice(0, 200));
    assert.ok(Date.now() - t0 < 3000);
    // a signed-in member may not import: 404 from the headers alone
    const tokMember = await token(srv.url, demo.users.member);
    res = await raw(srv.url, `POST /api/v1/contracts/${C}/imports?period=2026-Q4 HTTP/1.1\r\n` +
      `Host: x\r\nAuthorization: Bearer ${tokMember}\r\nContent-Type: text/csv\r\n` +
      `Content-Length: ${50 << 20}\r\n\r\n` + 'a'.repeat(1024), { keepOpen: true, ms: 4000 });
    assert.equal(statusOf(res), 404, res.slice(0, 200));
    // four vendors' uploads of 16 MiB each, held open: the server's memory
    // does not grow by what they sent
    const tok = await token(srv.url, demo.users.vendor);
    const { hostname, port } = new URL(srv.url);
    const rss0 = rssKiB(srv.proc.pid);
    const socks = [];
    const chunk = Buffer.from('USD259,PO-H1,INV-H1,2026-10-05,100.00,40.00\n'.repeat(1000));
    for (let k = 0; k < 4; k++) {
      const s = connect({ host: hostname, port: Number(port) });
      s.on('error', () => {});
      await new Promise((r) => s.once('connect', r));
      s.write(`POST /api/v1/contracts/${C}/imports?period=2026-Q4&dry_run=1 HTTP/1.1\r\nHost: x\r\n` +
        `Authorization: Bearer ${tok}\r\nContent-Type: text/csv\r\nContent-Length: ${64 << 20}\r\n\r\n`);
      for (let sent = 0; sent < 16 << 20; sent += chunk.length)
        if (!s.write(chunk)) await new Promise((r) => s.once('drain', r));
      socks.push(s);
    }
    await sleep(500);
    const grown = rssKiB(srv.proc.pid) - rss0;
    for (const s of socks) s.destroy();
    assert.ok(grown < 24 * 1024, `RSS grew by ${grown} KiB while 64 MiB of bodies were held`);
    await alive(srv);
  });
});

test('3: past the memory bound for bodies in flight the answer is 503, then service resumes', async () => {
  await withServer(async (srv) => {
    const { hostname, port } = new URL(srv.url);
    // sign-in bodies are the ones read before anyone is known: hold two of
    // 900 KB against a bound of 2 MiB, then send a third in full
    const socks = [];
    for (let k = 0; k < 2; k++) {
      const s = connect({ host: hostname, port: Number(port) });
      s.on('error', () => {});
      await new Promise((r) => s.once('connect', r));
      s.write('POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${1000000}\r\n\r\n{"email":"` + 'e'.repeat(900000));
      socks.push(s);
    }
    await sleep(300);
    const body = '{"email":"' + 'e'.repeat(999980) + '","p":1}';
    let res = await fetch(`${srv.url}/api/v1/tokens`, { method: 'POST',
      headers: { 'content-type': 'application/json' }, body });
    assert.equal(res.status, 503, await res.text());
    assert.ok(Number(res.headers.get('retry-after')) > 0);
    for (const s of socks) s.destroy();
    await sleep(300);
    res = await fetch(`${srv.url}/api/v1/tokens`, { method: 'POST',
      headers: { 'content-type': 'application/json' }, body });
    assert.equal(res.status, 400, await res.text());
    await alive(srv);
  }, ['--max-body-memory', '2']);
});

test('4: text cells that a spreadsheet would run as a formula are neutralised in every CSV', async () => {
  await withServer(async (srv, demo) => {
    const tok = await token(srv.url, demo.users.vendor);
    // (the import trims blanks, so a leading tab or CR never reaches the
    // ledger: the unit test of csv_row covers those)
    const evil = ["-2+3+cmd|' /C calc'!A0", '=1+1', '+SUM(A1)', '@x'];
    let csv = 'agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount,description\n';
    evil.forEach((d, i) => { csv += `USD233,PO-F${i},INV-F${i},2026-10-0${i + 1},100.00,40.00,"${d}"\n`; });
    const res = await fetch(`${srv.url}/api/v1/contracts/${C}/imports?period=2026-Q4`, { method: 'POST',
      headers: { authorization: `Bearer ${tok}`, 'content-type': 'text/csv' }, body: csv });
    assert.equal(res.status, 201, await res.text());
    for (const who of ['admin', 'member']) {
      const s = await session(srv.url, demo.users[who]);
      const path = who === 'admin' ? '/purchases.csv?q=PO-F' : '/agencies/USD233/purchases.csv';
      const text = await (await fetch(srv.url + path, { headers: { cookie: s.cookie } })).text();
      for (const d of evil) {
        const quoted = `"'${d.replace(/"/g, '""')}"`;
        assert.ok(text.includes(`,'${d},`) || text.includes(quoted) || text.includes(`,'${d}\r\n`),
          `${who} ${JSON.stringify(d)} not guarded in:\n${text.slice(0, 600)}`);
        assert.ok(!text.includes(`,${d},`) && !text.includes(`,"${d}"`), `${who} ${JSON.stringify(d)} raw`);
      }
      // plain negative amounts stay numbers
      assert.doesNotMatch(text, /"'-\d+(\.\d+)?"/);
    }
  });
});

test('5: a failed sign-in takes as long for an unknown e-mail as for a known one', async () => {
  await withServer(async (srv, demo) => {
    const time = async (email) => {
      const t0 = performance.now();
      const res = await form(srv, '/login', { email, password: 'wrong-password-1' });
      assert.equal(res.status, 401);
      return performance.now() - t0;
    };
    const median = (a) => a.sort((x, y) => x - y)[a.length >> 1];
    const known = [], unknown = [];
    for (let i = 0; i < 4; i++) {
      known.push(await time(demo.users.finance.email));
      unknown.push(await time(`nobody${i}@nowhere.example`));
    }
    assert.ok(median(unknown) > median(known) * 0.5,
      `unknown ${median(unknown).toFixed(1)} ms, known ${median(known).toFixed(1)} ms`);
  });
});

test('6: forty concurrent wrong passwords for one account get five tries; one address is throttled too', async () => {
  await withServer(async (srv, demo) => {
    const tries = await Promise.all(Array.from({ length: 40 }, () =>
      fetch(`${srv.url}/api/v1/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: demo.users.vendor.email, password: 'wrong-password' }) })));
    const codes = tries.map((r) => r.status);
    assert.equal(codes.filter((c) => c === 401).length, 5, codes.join(' '));
    assert.equal(codes.filter((c) => c === 429).length, 35);
    // the right password is throttled as well, for that account only
    assert.equal((await fetch(`${srv.url}/api/v1/tokens`, { method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(demo.users.vendor) })).status, 429);
    await token(srv.url, demo.users.admin);
    // one address guessing over many accounts is stopped after 20 failures
    const spread = [];
    for (let i = 0; i < 20; i++)
      spread.push((await form(srv, '/login', { email: `guess${i}@nowhere.example`, password: 'x' })).status);
    assert.ok(spread.includes(429), spread.join(' '));
    assert.equal(spread.filter((c) => c === 401).length, 15, spread.join(' '));
  });
});

test('7: only a local path is a sign-in redirect target', async () => {
  await withServer(async (srv, demo) => {
    const good = { '/purchases': '/purchases', '/': '/' };
    const bad = ['/%09/127.0.0.1:8099/', '//evil.example/', '/\\evil.example', '/\t/x', 'http://evil.example/',
      '/%0d%0aSet-Cookie:x=1', '/%7f/evil'];
    const signIn = async (next) => {
      const body = `email=${encodeURIComponent(demo.users.admin.email)}&password=${demo.users.admin.password}&next=${next}`;
      return fetch(`${srv.url}/login`, { method: 'POST', redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    };
    for (const [next, to] of Object.entries(good))
      assert.equal((await signIn(encodeURIComponent(next))).headers.get('location'), to);
    for (const next of bad) {
      const res = await signIn(next.includes('%') ? next : encodeURIComponent(next));
      // libmicrohttpd refuses some such forms outright (400); a sign-in
      // that goes through goes home
      if (res.status !== 400) {
        assert.equal(res.status, 303);
        assert.equal(res.headers.get('location'), '/', next);
      }
    }
    // the sign-in form does not carry such a target either
    const page = await (await fetch(`${srv.url}/login?next=/%09/127.0.0.1:8099/`)).text();
    assert.match(page, /name="next" value="\/"/);
  });
});

test('8: checked uploads are private, removed when consumed, refused or a day old', async () => {
  await withServer(async (srv, demo) => {
    const dir = demo.db + '.uploads';
    const s = await session(srv.url, demo.users.admin);
    const upload = async (mode, text, extra = {}) => {
      const fd = new FormData();
      fd.append('csrf', s.csrf);
      fd.append('contract', C);
      fd.append('period', '2026-Q4');
      fd.append('mode', mode);
      for (const [k, v] of Object.entries(extra)) fd.append(k, v);
      if (text !== null) fd.append('file', new Blob([text], { type: 'text/csv' }), 'report.csv');
      return fetch(`${srv.url}/imports`, { method: 'POST', headers: { cookie: s.cookie }, body: fd, redirect: 'manual' });
    };
    const good = 'agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount\n' +
      'USD259,PO-U1,INV-U1,2026-10-05,100.00,40.00\n';
    // a file refused as a whole is not kept
    let res = await upload('check', 'this is not,a sales report\n1,2\n');
    assert.equal(res.status, 422);
    assert.deepEqual(existsSync(dir) ? readdirSync(dir) : [], []);
    // a checked file waits, readable by the server's user only
    res = await upload('check', good);
    assert.equal(res.status, 200);
    const kept = readdirSync(dir);
    assert.ok(kept.length >= 1);
    for (const f of kept) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
    const id = (await res.text()).match(/name="upload_id" value="([0-9a-f]{32})"/)[1];
    // imported from the stash: consumed and gone
    res = await upload('import', null, { upload_id: id, file_name: 'report.csv' });
    assert.equal(res.status, 200);
    assert.deepEqual(readdirSync(dir), []);
    // a checked file left for two days is swept at the next upload
    res = await upload('check', good.replace(/U1/g, 'U2'));
    const old = readdirSync(dir);
    const then = new Date(Date.now() - 2 * 86400e3);
    for (const f of old) utimesSync(join(dir, f), then, then);
    res = await upload('check', good.replace(/U1/g, 'U3'));
    assert.equal(res.status, 200);
    const now = readdirSync(dir);
    for (const f of old) assert.ok(!now.includes(f), `${f} was not swept`);
  });
});

test('9: control characters in logged fields cannot forge access-log lines', async () => {
  await withServer(async (srv) => {
    await fetch(`${srv.url}/x%0a2026-01-01T00:00:00Z%20127.0.0.1%20POST%20/users%20303%200%201.0ms%20admin@forged`);
    await fetch(`${srv.url}/y%1b[31m%0d`);
    await sleep(100);
    const lines = srv.log().split('\n');
    assert.ok(!lines.some((l) => l.startsWith('2026-01-01T00:00:00Z')), 'a forged line was logged');
    assert.ok(lines.some((l) => l.includes('/x\\x0a2026-01-01')), srv.log().slice(-600));
    assert.ok(!srv.log().includes('\x1b'), 'an escape sequence reached the log');
  });
});

test('10: control characters in single-line fields and NUL in JSON strings are refused, naming the field', async () => {
  await withServer(async (srv, demo) => {
    const tok = await token(srv.url, demo.users.finance);
    const remit = (body) => fetch(`${srv.url}/api/v1/contracts/${C}/remittances`, { method: 'POST',
      headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' }, body });
    let res = await remit('{"period":"2026-Q1\\u0000x","amount":"10.00","received":"2026-05-01","reference":"R-1"}');
    assert.equal(res.status, 400);
    assert.match((await res.json()).error, /NUL|\\u0000/);
    res = await remit(JSON.stringify({ period: '2026-Q1', amount: '10.00', received: '2026-05-01', reference: 'R-1\r\nX' }));
    assert.equal(res.status, 400);
    assert.match((await res.json()).error, /reference.*control character/);
    // an escaped backslash before u0000 is only text, and the request goes on
    res = await remit('{"period":"2026-Q1","amount":"10.00","received":"2026-05-01","reference":"R\\\\u0000"}');
    assert.equal(res.status, 201, await res.text());
    // a token's name on the form
    const s = await session(srv.url, demo.users.finance);
    res = await form(srv, '/tokens', { csrf: s.csrf, name: 'laptop\r\nadmin' }, s.cookie);
    let text = await res.text();
    if (res.status === 303) /* the refusal is shown on the page it leads back to */
      text = await (await fetch(srv.url + res.headers.get('location'), { headers: { cookie: s.cookie } })).text();
    assert.ok(res.status === 400 || /name.*control character/.test(text),
      `${res.status} ${res.headers.get('location')} ${text.slice(0, 200)}`);
    const list = await (await fetch(`${srv.url}/tokens.csv`, { headers: { cookie: s.cookie } })).text();
    assert.doesNotMatch(list, /laptop/);
    // the command line refuses it as well
    const { spawnSync } = await import('node:child_process');
    const cli = spawnSync(bin, ['--db', demo.db, '--as-of', '2026-11-25', 'remit', '--contract', C,
      '--period', '2026-Q1', '--amount', '10.00', '--received', '2026-05-01', '--ref', 'A\nB'], { encoding: 'utf8' });
    assert.notEqual(cli.status, 0);
    assert.match(cli.stderr, /reference.*control character/);
  });
});

test('11: HEAD is answered as GET without a body; a redirect to a path with CR/LF is a 400', async () => {
  await withServer(async (srv) => {
    let res = await fetch(`${srv.url}/login`, { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '');
    assert.match(res.headers.get('content-type'), /text\/html/);
    res = await fetch(`${srv.url}/static/app.css`, { method: 'HEAD' });
    assert.equal(res.status, 200);
    // not signed in: the page would send us to the sign-in form with next=
    const text = await raw(srv.url, 'GET /purchases%0d%0aX-Evil:%201 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const st = statusOf(text);
    assert.ok(st === 400 || (st === 303 && /\r\nLocation: \/login\?next=[^\r\n]*%0D%0A/i.test(text)), text.slice(0, 300));
    assert.doesNotMatch(text, /\r\nX-Evil/i);
  });
});
