// The reference host walked in a real browser (Debian's Chromium through playwright-core), as
// the seed's training walks it: claim the administrator account through "Mot de passe oublié ?"
// and the mail, watch the criteria turn green at each keystroke, create a user with rights,
// activate it through its mail, log in as the user and see its sections, search a plate.
// Plus the security of the forms and the session cookie.
//
// Run by ../test.sh, which starts the host and sets HOST_URL, MAIL_DIR, CHROMIUM,
// DP_NODE_BINDING (the native Node binding, which gives the expected answers) and SCREENSHOTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readdir, readFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.HOST_URL;
const MAIL_DIR = process.env.MAIL_DIR;
const SHOTS = process.env.SCREENSHOTS ?? 'target/host-screenshots';
assert.ok(BASE && MAIL_DIR && process.env.CHROMIUM && process.env.DP_NODE_BINDING,
  'HOST_URL, MAIL_DIR, CHROMIUM and DP_NODE_BINDING are set by test.sh');
// The expectations come from the library itself (the native Node binding), never from lists
// written here.
const native = createRequire(import.meta.url)(process.env.DP_NODE_BINDING);

const ADMIN = 'admin@garage-xyz.fr';
const ADMIN_PASSWORD = 'Garage XYZ, 2026 !';
const USER = 'emilie.lefevre@garage-xyz.fr';
const USER_PASSWORD = 'Première-Connexion-26';
const USER_RIGHTS = {
  T99999: ['search_quotes_and_contracts', 'accounting_documents'],
  T88888: ['submit_claims'],
};

let browser;
before(async () => {
  await mkdir(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => { await browser?.close(); });

async function newPage() {
  const context = await browser.newContext({ baseURL: BASE, locale: 'fr-FR' });
  const page = await context.newPage();
  page.on('pageerror', (e) => { throw e; });
  return { context, page };
}

const shot = (page, name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

const seenMails = new Set();
/** The link of the newest unseen mail of `kind` to `to`, waiting for the host to write it. */
async function mailLink(to, kind) {
  for (let i = 0; i < 100; i++) {
    for (const name of (await readdir(MAIL_DIR)).filter((n) => n.endsWith('.txt')).sort().reverse()) {
      if (seenMails.has(name)) continue;
      const text = await readFile(join(MAIL_DIR, name), 'utf8');
      if (text.includes(`To: ${to}\n`) && text.includes(`Kind: ${kind}\n`)) {
        seenMails.add(name);
        const link = /^Lien : (\S+)$/m.exec(text)?.[1];
        assert.ok(link, `the ${kind} mail holds a link`);
        assert.ok(link.startsWith(`${BASE}/`), `the link is a host URL: ${link.split('?')[0]}`);
        return link;
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${kind} mail for ${to} in ${MAIL_DIR}`);
}

/** What the criteria list shows. */
const shown = (page) => page.$eval('#criteria', (ul) => ({
  acceptable: ul.dataset.acceptable === 'true',
  checks: [...ul.querySelectorAll('li')].map((li) => ({
    criterion: li.dataset.criterion, met: li.dataset.met === 'true', label: li.textContent,
    green: li.className === 'met',
  })),
}));

/** What `evaluatePassword` says, in the shape of `shown`. */
function expected(password, confirmation) {
  const e = native.evaluatePassword(password, confirmation === undefined ? {} : { confirmation });
  return {
    acceptable: e.acceptable,
    checks: e.checks.map((c) => ({ criterion: c.criterion, met: c.met, label: c.labelFr, green: c.met })),
  };
}

/**
 * Types `password` then `confirmation` one character at a time, checking after each that the
 * page shows exactly what the library's evaluatePassword says, with no request to the server.
 */
async function typePassword(page, password, confirmation) {
  const requests = [];
  const onRequest = (r) => requests.push(r.url());
  await page.waitForFunction(() => document.documentElement.dataset.criteriaLive === 'true');
  page.on('request', onRequest);
  const chars = [...password];
  let states = new Set();
  for (let i = 0; i < chars.length; i++) {
    await page.locator('#password').pressSequentially(chars[i]);
    await page.waitForFunction((n) => document.getElementById('criteria').dataset.chars === String(n), i + 1);
    const want = expected(chars.slice(0, i + 1).join(''));
    assert.deepEqual(await shown(page), want, `after ${i + 1} character(s)`);
    states.add(JSON.stringify(want.checks.map((c) => c.met)));
  }
  const conf = [...confirmation];
  for (let i = 0; i < conf.length; i++) {
    await page.locator('#confirmation').pressSequentially(conf[i]);
    await page.waitForFunction((n) => document.getElementById('criteria').dataset.confirmationChars === String(n), i + 1);
    assert.deepEqual(await shown(page), expected(password, conf.slice(0, i + 1).join('')),
      `confirmation after ${i + 1} character(s)`);
  }
  page.off('request', onRequest);
  assert.deepEqual(requests, [], 'typing sends nothing to the server');
  // The walk went through more than one state: the bullets did turn from red to green.
  assert.ok(states.size > 2, 'the criteria changed as the password was typed');
  const final = await shown(page);
  assert.ok(final.acceptable && final.checks.every((c) => c.met), 'every bullet green at the end');
}

/** Visitor cookie and CSRF token of an anonymous form, fetched outside the browser. */
async function anonymousForm(path) {
  const r = await fetch(`${BASE}${path}`);
  const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="csrf" value="([^"]+)"/.exec(await r.text())[1];
  return { cookie, csrf };
}

const post = (path, cookie, fields) => fetch(`${BASE}${path}`, {
  method: 'POST', redirect: 'manual',
  headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

async function menu(page) {
  return page.$$eval('#menu a', (as) => as.map((a) => a.textContent));
}

async function login(page, email, password, remember) {
  await page.goto('/connexion');
  await page.fill('#email', email);
  await page.fill('#password', password);
  if (remember) await page.check('#remember');
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/connexion') && r.request().method() === 'POST'),
    page.click('button[type=submit]'),
  ]);
  await page.waitForURL(`${BASE}/`);
  return response;
}

test('a form posted without its CSRF token, or with a wrong one, is refused with 403', async () => {
  const { cookie, csrf } = await anonymousForm('/connexion');
  const fields = { email: ADMIN, password: 'not the password' };
  assert.equal((await post('/connexion', cookie, fields)).status, 403);
  assert.equal((await post('/connexion', cookie, { ...fields, csrf: 'A'.repeat(43) })).status, 403);
  // Another visitor's token is worthless here.
  const other = await anonymousForm('/connexion');
  assert.equal((await post('/connexion', cookie, { ...fields, csrf: other.csrf })).status, 403);
  assert.equal((await post('/mot-de-passe-oublie', cookie, { email: ADMIN })).status, 403);
  // With its token the same form gets through to the core (a wrong password: the login page).
  const ok = await post('/connexion', cookie, { ...fields, csrf });
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /data-code="INVALID_CREDENTIALS"/);
});

test('the administrator claims the account: "Mot de passe oublié ?", the mail, live criteria', async () => {
  const { context, page } = await newPage();
  await page.goto('/connexion');
  await shot(page, '01-connexion');
  await page.click('text=Mot de passe oublié ?');
  await page.fill('#email', ADMIN);
  await page.click('text=Recevoir l\'email de réinitialisation');
  await page.waitForSelector('.notice');
  const link = await mailLink(ADMIN, 'password_reset');
  assert.ok(link.startsWith(`${BASE}/reinitialisation?token=`));
  await page.goto(link);
  // Before any keystroke the server drew the five bullets, all red, as the library says.
  assert.deepEqual(await shown(page), expected(''));
  await page.fill('#email', ADMIN);
  // The server checks again whatever the page said: a weak password posted anyway is refused
  // by the core, and the link stays usable.
  await page.fill('#password', 'Court1!');
  await page.fill('#confirmation', 'Court1!');
  const [refused] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.click('#save'),
  ]);
  assert.equal(refused.status(), 422);
  assert.equal(await page.getAttribute('.error', 'data-code'), 'PASSWORD_POLICY');
  assert.equal(await page.inputValue('#email'), ADMIN);
  await typePassword(page, ADMIN_PASSWORD, ADMIN_PASSWORD);
  await shot(page, '02-reinitialisation');
  await page.click('#save');
  await page.waitForURL(/\/connexion\?ok=mot-de-passe$/);
  // The link worked once.
  await page.goto(link);
  assert.equal(await page.getAttribute('.error', 'data-code'), 'TOKEN_INVALID');
  await context.close();
});

let adminPage;
test('the administrator logs in: session cookie flags, the menu of its rights, the establishment switch', async () => {
  const { page } = await newPage();
  adminPage = page;
  const response = await login(page, ADMIN, ADMIN_PASSWORD, false);
  const raw = await response.headerValue('set-cookie');
  assert.match(raw, /dp_session=[^;]+; HttpOnly; SameSite=Lax; Path=\//);
  assert.doesNotMatch(raw, /Secure/, 'no Secure on loopback');
  assert.doesNotMatch(raw, /Max-Age/, 'without "Enregistrer mes identifiants", a session cookie');
  const [cookie] = (await page.context().cookies()).filter((c) => c.name === 'dp_session');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Lax');
  assert.equal(cookie.secure, false);
  assert.equal(cookie.expires, -1);
  // The administrator holds every right: every section.
  const all = native.visibleSections(['quotes_and_subscriptions', 'search_quotes_and_contracts',
    'submit_claims', 'search_claims', 'accounting_documents', 'manage_accounts']);
  assert.deepEqual(await menu(page), all.map((s) => s.labelFr));
  assert.equal(await page.textContent('#establishment'), 'T77777');
  await shot(page, '03-accueil');
  await page.selectOption('select[name=code]', 'T99999');
  await page.click('text=Changer d\'établissement');
  await page.waitForURL(`${BASE}/`);
  assert.equal(await page.textContent('#establishment'), 'T99999');
});

test('"Gestion des comptes": a new user with rights on two establishments, then the list', async () => {
  const page = adminPage;
  await page.click('#menu a[data-section=account_management]');
  await page.click('#add-user');
  await page.fill('#nom', 'Lefèvre');
  await page.fill('#prenom', 'Émilie');
  await page.fill('#fonction', 'Comptable');
  await page.fill('#email', USER);
  await page.fill('#mobile', '06 23 42 54 55');
  for (const [code, rights] of Object.entries(USER_RIGHTS)) {
    for (const right of rights) await page.check(`input[name="right:${code}:${right}"]`);
  }
  await shot(page, '04-nouvel-utilisateur');
  await page.click('#new-user button[type=submit]');
  await page.waitForURL(/\/comptes\/[0-9a-f-]+\?cree=1$/);
  assert.equal(await page.textContent('#state'), 'Invité');
  const held = await page.$$eval('#rights td[data-held=true]', (tds) =>
    tds.map((td) => `${td.dataset.establishment}:${td.dataset.right}`).sort());
  assert.deepEqual(held, Object.entries(USER_RIGHTS).flatMap(([c, rs]) => rs.map((r) => `${c}:${r}`)).sort());
  await shot(page, '05-profil');
  // Its rights changed from the profile (set_rights): one more on T99999.
  await page.check('input[name="right:T99999:search_claims"]');
  await page.click('text=Enregistrer les droits');
  await page.waitForURL(/\?droits=1$/);
  USER_RIGHTS.T99999.push('search_claims');
  const after = await page.$$eval('#rights td[data-held=true]', (tds) =>
    tds.map((td) => `${td.dataset.establishment}:${td.dataset.right}`).sort());
  assert.deepEqual(after, Object.entries(USER_RIGHTS).flatMap(([c, rs]) => rs.map((r) => `${c}:${r}`)).sort());

  // The list: accent-insensitive search, both orders, pages of one.
  const emails = () => page.$$eval('#accounts tbody tr', (trs) => trs.map((tr) => tr.dataset.email));
  await page.goto('/comptes');
  await page.fill('#q', 'LEFEVRE');
  await page.click('#account-search button');
  assert.deepEqual(await emails(), [USER]);
  await page.fill('#q', 'emilie');
  await page.click('#account-search button');
  assert.deepEqual(await emails(), [USER]);
  await page.fill('#q', '');
  await page.selectOption('#tri', 'a_to_z');
  await page.click('#account-search button');
  assert.deepEqual(await emails(), [ADMIN, USER]); // Geloen, Lefèvre
  await page.selectOption('#tri', 'z_to_a');
  await page.click('#account-search button');
  assert.deepEqual(await emails(), [USER, ADMIN]);
  await shot(page, '06-gestion-des-comptes');
  await page.goto('/comptes?tri=a_to_z&par=1');
  assert.deepEqual(await emails(), [ADMIN]);
  await page.click('#next');
  assert.deepEqual(await emails(), [USER]);
  assert.equal(await page.getAttribute('#paging', 'data-total'), '2');
});

test('a connected form without its token is refused; logging out ends the session server-side', async () => {
  const page = adminPage;
  const [{ value: token }] = (await page.context().cookies()).filter((c) => c.name === 'dp_session');
  const cookie = `dp_session=${token}`;
  const home = () => fetch(`${BASE}/`, { headers: { cookie }, redirect: 'manual' });
  assert.equal((await home()).status, 200, 'the cookie opens the home page while logged in');
  assert.equal((await post('/etablissement', cookie, { code: 'T88888' })).status, 403);
  assert.equal((await post('/etablissement', cookie, { code: 'T88888', csrf: 'x' })).status, 403);
  assert.equal((await post('/deconnexion', cookie, {})).status, 403);
  assert.equal((await home()).status, 200, 'a refused logout did not end the session');
  await page.click('#logout');
  await page.waitForURL(/\/connexion$/);
  const after = await home();
  assert.equal(after.status, 303, 'the old cookie no longer opens a page');
  assert.equal(after.headers.get('location'), '/connexion');
  await page.context().close();
});

test('the user activates its account through the mail, logs in and sees only what its rights open', async () => {
  const { context, page } = await newPage();
  const link = await mailLink(USER, 'activation');
  assert.ok(link.startsWith(`${BASE}/activation?token=`));
  await page.goto(link);
  await page.fill('#email', USER);
  await typePassword(page, USER_PASSWORD, USER_PASSWORD);
  await shot(page, '07-activation');
  await page.click('#save');
  await page.waitForURL(/\/connexion\?ok=activation$/);

  const response = await login(page, USER, USER_PASSWORD, true);
  assert.match(await response.headerValue('set-cookie'), /; Max-Age=\d+/);
  const [cookie] = (await context.cookies()).filter((c) => c.name === 'dp_session');
  assert.ok(cookie.expires > Date.now() / 1000 + 3600, '"Enregistrer mes identifiants": a persistent cookie');
  for (const code of ['T88888', 'T99999']) {
    await page.selectOption('select[name=code]', code);
    await page.click('text=Changer d\'établissement');
    await page.waitForURL(`${BASE}/`);
    assert.equal(await page.textContent('#establishment'), code);
    assert.deepEqual(await menu(page), native.visibleSections(USER_RIGHTS[code]).map((s) => s.labelFr));
    await shot(page, `08-accueil-utilisateur-${code}`);
  }
  // Not its section: refused even by URL.
  const refused = await page.goto('/comptes/nouveau');
  assert.equal(refused.status(), 403);
  assert.match(await page.content(), /data-code="FORBIDDEN"/);
  await page.goBack();

  // The quick search of a plate, typed as a person would.
  await page.fill('input[name=reference]', 'ab 123 cd');
  await page.press('input[name=reference]', 'Enter');
  await page.waitForURL(/\/recherche\?/);
  const numbers = await page.$$eval('#documents tbody tr', (trs) => trs.map((tr) => tr.dataset.number));
  assert.deepEqual(numbers, ['GV2022000123']);
  await shot(page, '09-recherche-plaque');

  await page.click('#menu a[data-section=documents]');
  await page.selectOption('select[name=categorie]', 'accounting');
  await page.selectOption('select[name=type]', 'warranty_invoice');
  await page.fill('input[name=du]', '1/2022');
  await page.fill('input[name=au]', '12/2022');
  await page.click('#document-search button');
  assert.deepEqual(await page.$$eval('#documents tbody tr', (trs) => trs.map((tr) => tr.dataset.number)), ['2204003143']);
  await shot(page, '10-documents');
  await page.click('text=Relevés mensuels');
  assert.ok((await page.$$('#debits tbody tr')).length > 0);
  await shot(page, '11-releves');
  await page.click('text=Support et contacts');
  assert.match(await page.textContent('main'), /01 86 99 02 69/);
  await shot(page, '12-support');
  await context.close();
});
