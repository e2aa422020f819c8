// Two-factor login (TOTP) through the binding, over both stores, with the synchronous methods
// and their `…Async` twins. Codes come from this test's own RFC 6238 (node:crypto HMAC-SHA-1),
// not from the library.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import helpers from './helpers.cjs'

const { FAST, ADMIN_EMAIL, ADMIN_PASSWORD, portals, call, seed, totp } = helpers
const KEY = { totp_key: '3c'.repeat(32) }

async function fails(promise, code) {
  let caught
  try {
    await promise
  } catch (e) {
    caught = e
  }
  assert.ok(caught, `expected ${code}, got no error`)
  assert.equal(caught.code, code, caught.message)
}

test('own TOTP matches RFC 6238 appendix B', () => {
  const seedB32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'
  assert.equal(totp(seedB32, 59), '287082')
  assert.equal(totp(seedB32, 1111111109), '081804')
})

for (const mode of ['sync', 'async']) {
  for (const [store, open] of Object.entries(portals({ ...FAST, ...KEY }))) {
    test(`enrol, log in with a code once per step, recovery codes once (${mode}, ${store})`, async () => {
      const { portal, session } = await seed(open(), mode)
      const c = (name, ...args) => call(portal, mode, name, ...args)
      await fails(c('beginTotpEnrollment', session, 'wrong'), 'INVALID_CREDENTIALS')
      const e = await c('beginTotpEnrollment', session, ADMIN_PASSWORD)
      assert.match(e.uri, /^otpauth:\/\/totp\//)
      assert.ok(e.uri.includes(`secret=${e.secret}`))
      await fails(c('confirmTotpEnrollment', session, 'abcdef'), 'MFA_INVALID')
      const codes = await c('confirmTotpEnrollment', session, totp(e.secret))
      assert.equal(codes.length, 10)
      assert.equal((await c('authenticate', session)).mfaEnrolled, true)

      await fails(c('login', ADMIN_EMAIL, ADMIN_PASSWORD), 'MFA_REQUIRED')
      await fails(c('login', ADMIN_EMAIL, 'Pas-Le-Bon-1!'), 'INVALID_CREDENTIALS')
      const ahead = totp(e.secret, Date.now() / 1000 + 30)
      const s = await c('login', ADMIN_EMAIL, ADMIN_PASSWORD, { otp: ahead })
      assert.equal((await c('authenticate', s.token)).restricted, false)
      await fails(c('login', ADMIN_EMAIL, ADMIN_PASSWORD, { otp: ahead }), 'INVALID_CREDENTIALS')
      await fails(c('login', ADMIN_EMAIL, ADMIN_PASSWORD, { otp: totp(e.secret, Date.now() / 1000 + 90) }), 'INVALID_CREDENTIALS')
      await c('login', ADMIN_EMAIL, ADMIN_PASSWORD, { otp: codes[0] })
      await fails(c('login', ADMIN_EMAIL, ADMIN_PASSWORD, { otp: codes[0] }), 'INVALID_CREDENTIALS')
      await fails(c('disableTotp', s.token, ADMIN_PASSWORD, '000000x'), 'MFA_INVALID')
      await c('disableTotp', s.token, ADMIN_PASSWORD, codes[1])
      assert.equal((await c('authenticate', s.token)).mfaEnrolled, false)
    })
  }

  test(`required policy: restricted until enrolled; reset needs a manager (${mode})`, async () => {
    const { portal, session, adminId } = await seed(helpers.dp.Portal.inMemory({ ...FAST, ...KEY, mfa: 'required' }), mode)
    const c = (name, ...args) => call(portal, mode, name, ...args)
    assert.equal((await c('authenticate', session)).restricted, true)
    await fails(c('listSessions', session), 'MFA_ENROLLMENT_REQUIRED')
    await fails(c('resetTotp', session, adminId), 'MFA_ENROLLMENT_REQUIRED')
    const e = await c('beginTotpEnrollment', session, ADMIN_PASSWORD)
    await c('confirmTotpEnrollment', session, totp(e.secret))
    assert.equal((await c('authenticate', session)).restricted, false)
    assert.equal((await c('listSessions', session)).length, 1)
    await fails(c('resetTotp', session, adminId), 'INVALID_STATE')
  })
}
