// The example server (examples/server.mjs) answers its endpoints: in-process over a portal the
// test can look into, and as a program started on an ephemeral loopback port.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { Portal, Right } from 'dealer-portal'
import { createApp, startMailer } from '../examples/server.mjs'
import helpers from './helpers.cjs'

const { FAST, ADMIN_EMAIL, ADMIN_PASSWORD, USER_PASSWORD, establishments, takeToken, tmpDir } = helpers
const SERVER = fileURLToPath(new URL('../examples/server.mjs', import.meta.url))

async function listen(portal) {
  const server = createServer(createApp(portal))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const base = `http://127.0.0.1:${server.address().port}`
  return { server, base }
}

async function request(base, method, path, body, headers = {}) {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  })
  return { status: res.status, body: await res.json(), headers: res.headers }
}

test('example server, in process: criteria, reset, link status, completion, activation, session, email change', async (t) => {
  const portal = Portal.open(`${tmpDir()}/example.db`, FAST)
  portal.declareAdministrator(ADMIN_EMAIL, 'Geloen', 'Alexandre', 'Gérant', establishments())
  const { server, base } = await listen(portal)
  t.after(() => server.close())

  // Live criteria, red then green, the password in the body.
  let r = await request(base, 'POST', '/password-criteria', { password: 'abc' })
  assert.equal(r.status, 200)
  assert.equal(r.headers.get('cache-control'), 'no-store')
  assert.equal(r.body.acceptable, false)
  assert.deepEqual(r.body.criteria.map((c) => [c.criterion, c.color]), [
    ['min_length', 'red'], ['uppercase', 'red'], ['lowercase', 'green'], ['digit', 'red'], ['special', 'red'],
  ])
  assert.equal(r.body.criteria[0].label, '15 caractères')
  r = await request(base, 'POST', '/password-criteria', { password: ADMIN_PASSWORD, confirmation: ADMIN_PASSWORD, lang: 'en' })
  assert.equal(r.body.acceptable, true)
  assert.ok(r.body.criteria.every((c) => c.color === 'green'))
  assert.equal(r.body.criteria.at(-1).label, 'Confirmation matches the password')
  r = await request(base, 'POST', '/password-criteria', { password: ADMIN_PASSWORD, confirmation: 'autre' })
  assert.deepEqual([r.body.acceptable, r.body.criteria.at(-1).color], [false, 'red'])
  r = await request(base, 'POST', '/password-criteria', { password: 42 })
  assert.deepEqual([r.status, r.body.error.code], [400, 'BAD_REQUEST'])
  r = await request(base, 'POST', '/password-criteria', { password: 'abc', confirmation: null })
  assert.deepEqual([r.status, r.body.error.code], [400, 'BAD_REQUEST'])
  // A password in a URL is refused, whatever the query says: no criteria come back.
  for (const path of [`/password-criteria?pw=${encodeURIComponent(ADMIN_PASSWORD)}`, '/password-criteria?pw=abc&confirmation=abc&lang=en', '/password-criteria']) {
    r = await request(base, 'GET', path)
    assert.equal(r.status, 405, path)
    assert.equal(r.body.error.code, 'METHOD_NOT_ALLOWED')
    assert.equal(r.body.criteria, undefined)
  }

  // "Mot de passe oublié": the same answer for a known and an unknown email.
  const known = await request(base, 'POST', '/password-reset', { email: ADMIN_EMAIL })
  const unknown = await request(base, 'POST', '/password-reset', { email: 'nobody@garage-xyz.fr' })
  assert.deepEqual([known.status, known.body], [202, { status: 'accepted' }])
  assert.deepEqual([unknown.status, unknown.body], [known.status, known.body])
  const tokenValue = await takeToken(portal, ADMIN_EMAIL, 'password_reset')

  r = await request(base, 'GET', `/link-status?token=${tokenValue}`)
  assert.equal(r.body.usable, true)
  assert.equal(r.body.kind, 'password_reset')

  const form = { token: tokenValue, email: ADMIN_EMAIL, password: 'court', confirmation: 'court' }
  r = await request(base, 'POST', '/password-reset/complete', form)
  assert.equal(r.status, 400)
  assert.equal(r.body.error.code, 'PASSWORD_POLICY')
  assert.deepEqual(r.body.error.criteria, ['min_length', 'uppercase', 'digit', 'special'])
  r = await request(base, 'POST', '/password-reset/complete', { ...form, email: 'other@garage-xyz.fr', password: ADMIN_PASSWORD, confirmation: ADMIN_PASSWORD })
  assert.deepEqual([r.status, r.body.error.code], [400, 'EMAIL_MISMATCH'])
  r = await request(base, 'POST', '/password-reset/complete', { ...form, password: ADMIN_PASSWORD, confirmation: ADMIN_PASSWORD })
  assert.deepEqual([r.status, r.body], [200, { status: 'password_changed' }])
  r = await request(base, 'POST', '/password-reset/complete', { ...form, password: ADMIN_PASSWORD, confirmation: ADMIN_PASSWORD })
  assert.deepEqual([r.status, r.body.error.code], [410, 'TOKEN_INVALID'])
  r = await request(base, 'GET', `/link-status?token=${tokenValue}`)
  assert.equal(r.body.usable, false)

  // Activation of a user created by the administrator.
  const session = portal.login(ADMIN_EMAIL, ADMIN_PASSWORD)
  portal.createUser(session.token, 'T99999', 'Martin', 'Léa', 'lea@garage-xyz.fr', [Right.SEARCH_CLAIMS])
  const activation = await takeToken(portal, 'lea@garage-xyz.fr', 'activation')
  r = await request(base, 'POST', '/activation/complete', { token: activation, email: 'lea@garage-xyz.fr', password: USER_PASSWORD, confirmation: USER_PASSWORD })
  assert.deepEqual([r.status, r.body], [200, { status: 'account_activated' }])
  assert.equal(portal.login('lea@garage-xyz.fr', USER_PASSWORD).accountId.length, 32)

  // The session check of every request, then an email change confirmed from its link.
  const lea = portal.login('lea@garage-xyz.fr', USER_PASSWORD).token
  r = await request(base, 'GET', '/session', undefined, { authorization: `Bearer ${lea}` })
  assert.equal(r.status, 200)
  assert.deepEqual([r.body.email, r.body.role, r.body.establishment], ['lea@garage-xyz.fr', 'user', 'T99999'])
  assert.deepEqual(r.body.sections.map((x) => x.code), ['home', 'workshop_claims', 'easicare'])
  r = await request(base, 'GET', '/session')
  assert.deepEqual([r.status, r.body.error.code], [401, 'SESSION_INVALID'])
  portal.requestEmailChange(lea, 'lea.martin@garage-xyz.fr', USER_PASSWORD)
  const change = await takeToken(portal, 'lea.martin@garage-xyz.fr', 'email_change')
  r = await request(base, 'POST', '/email-change/confirm', { token: change })
  assert.deepEqual([r.status, r.body], [200, { status: 'email_changed' }])
  r = await request(base, 'POST', '/email-change/confirm', { token: change })
  assert.deepEqual([r.status, r.body.error.code], [410, 'TOKEN_INVALID'])
  r = await request(base, 'GET', '/session', undefined, { authorization: `Bearer ${lea}` })
  assert.deepEqual([r.status, r.body.error.code], [401, 'SESSION_INVALID'], 'the email change ended the sessions')
  assert.equal(portal.login('lea.martin@garage-xyz.fr', USER_PASSWORD).accountId.length, 32)

  // Bad requests.
  assert.deepEqual((await request(base, 'GET', '/nowhere')).status, 404)
  assert.deepEqual((await request(base, 'GET', '/password-reset')).status, 405)
  r = await request(base, 'POST', '/password-reset', '{not json')
  assert.deepEqual([r.status, r.body.error.code], [400, 'BAD_REQUEST'])
  r = await request(base, 'POST', '/password-reset', { email: 42 })
  assert.deepEqual([r.status, r.body.error.code], [400, 'BAD_REQUEST'])
  r = await request(base, 'POST', '/password-reset', { email: 'not-an-email' })
  assert.deepEqual([r.status, r.body.error.code], [400, 'INVALID_EMAIL'])
})

test('example mailer hands queued mails over and acknowledges them', async () => {
  const portal = Portal.inMemory(FAST)
  portal.declareAdministrator(ADMIN_EMAIL, 'Geloen', 'Alexandre', 'Gérant', establishments())
  portal.requestPasswordReset(ADMIN_EMAIL)
  const delivered = []
  let done
  const got = new Promise((resolve) => (done = resolve))
  const stop = startMailer(portal, async (n) => {
    delivered.push([n.kind, n.email, typeof n.token])
    done()
  }, 5)
  await got
  stop()
  assert.deepEqual(delivered, [['password_reset', ADMIN_EMAIL, 'string']])
  // Give the acknowledgement its turn.
  for (let i = 0; i < 50 && portal.pendingNotifications().length > 0; i++) await new Promise((r) => setTimeout(r, 10))
  assert.deepEqual(portal.pendingNotifications(), [])
})

test('example server, as a program on an ephemeral loopback port', { timeout: 30_000 }, async (t) => {
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', PORTAL_DB: `${tmpDir()}/program.db` },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  t.after(() => child.kill('SIGKILL'))
  let out = ''
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line: ${out}`)), 20_000)
    child.stdout.on('data', (d) => {
      out += d
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)
      if (m) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)))
  })
  const r = await request(base, 'POST', '/password-criteria', { password: 'Garage-XYZ-2026!' })
  assert.equal(r.body.acceptable, true)
  assert.equal((await request(base, 'GET', '/password-criteria?pw=Garage-XYZ-2026!')).status, 405)
  const reset = await request(base, 'POST', '/password-reset', { email: 'nobody@garage-xyz.fr' })
  assert.equal(reset.status, 202)
  child.kill('SIGTERM')
  const [code] = await once(child, 'exit')
  assert.equal(code, 0)
})
