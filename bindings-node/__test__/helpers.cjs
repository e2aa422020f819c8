'use strict'
// Shared fixtures for the tests: portals with cheap argon2 parameters, the seed's administrator,
// and a way to call a portal method either synchronously or through its `…Async` twin.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const assert = require('node:assert/strict')
const dp = require('dealer-portal')

/** argon2id at the cheapest parameters the core accepts: the tests hash many passwords. */
const FAST = { hash: { m_cost_kib: 256, t_cost: 1, p_cost: 1 } }

const ADMIN_EMAIL = 'admin@garage-xyz.fr'
const ADMIN_PASSWORD = 'Garage-XYZ-2026!'
const USER_PASSWORD = 'Utilisateur-2026!'

function establishments() {
  return [
    { code: 'T99999', name: 'GARAGE XYZ', city: 'VILLE 1', regime: dp.Regime.INSURANCE },
    { code: 'T88888', name: 'GARAGE UVW', city: 'VILLE 2', regime: dp.Regime.DELEGATED_MANAGEMENT },
  ]
}

/** A fresh directory for SQLite files, removed at exit. */
function tmpDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dealer-portal-node-'))
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The two stores, for tests that run over both. */
function portals(config = FAST) {
  const dir = tmpDir()
  let n = 0
  return {
    memory: () => dp.Portal.inMemory(config),
    sqlite: () => dp.Portal.open(path.join(dir, `portal-${++n}.db`), config),
  }
}

/**
 * Calls `portal[name](...args)` in `mode` 'sync' or 'async' (`portal[name + 'Async']`), always
 * returning a promise, so one test body checks both variants.
 */
async function call(portal, mode, name, ...args) {
  if (mode === 'async') {
    const result = portal[`${name}Async`](...args)
    assert.ok(result instanceof Promise, `${name}Async returns a Promise`)
    return result
  }
  return portal[name](...args)
}

/** The token of the newest pending notification of this kind for this email, acknowledged. */
async function takeToken(portal, email, kind, mode = 'sync') {
  const found = (await call(portal, mode, 'pendingNotifications')).filter(
    (n) => n.email === email && n.kind === kind,
  )
  assert.ok(found.length > 0, `no ${kind} notification for ${email}`)
  const note = found[found.length - 1]
  assert.equal(typeof note.token, 'string')
  await call(portal, mode, 'acknowledgeNotification', note.id)
  return note.token
}

/** The seed's administrator of GARAGE XYZ and GARAGE UVW, active and logged in. */
async function seed(portal, mode = 'sync') {
  const adminId = await call(portal, mode, 'declareAdministrator', ADMIN_EMAIL, 'Geloen', 'Alexandre', 'Gérant', establishments())
  await call(portal, mode, 'requestPasswordReset', ADMIN_EMAIL)
  const token = await takeToken(portal, ADMIN_EMAIL, 'password_reset', mode)
  await call(portal, mode, 'completePasswordReset', token, ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_PASSWORD)
  const session = await call(portal, mode, 'login', ADMIN_EMAIL, ADMIN_PASSWORD)
  return { portal, adminId, session: session.token }
}

/** Creates a user and activates it with USER_PASSWORD; returns its id. */
async function invite(s, email, rights, { code = 'T99999', last = 'Martin', first = 'Léa', mode = 'sync' } = {}) {
  const id = await call(s.portal, mode, 'createUser', s.session, code, last, first, email, rights)
  const token = await takeToken(s.portal, email, 'activation', mode)
  await call(s.portal, mode, 'activateAccount', token, email, USER_PASSWORD, USER_PASSWORD)
  return id
}

/** RFC 4648 base32 (no padding) to bytes. */
function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = 0
  let value = 0
  const out = []
  for (const ch of text) {
    value = (value << 5) | alphabet.indexOf(ch)
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out.push((value >>> bits) & 0xff)
    }
  }
  return Buffer.from(out)
}

/** The tests' own RFC 6238 (node:crypto HMAC-SHA-1, 6 digits, 30 s), not the library's. */
function totp(secret, at = Date.now() / 1000) {
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30)))
  const mac = require('node:crypto').createHmac('sha1', base32(secret)).update(counter).digest()
  const offset = mac[mac.length - 1] & 0x0f
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0')
}

module.exports = {
  dp,
  totp,
  FAST,
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  USER_PASSWORD,
  establishments,
  tmpDir,
  portals,
  call,
  takeToken,
  seed,
  invite,
}
