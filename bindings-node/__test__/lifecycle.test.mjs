// Data lifecycle (RGPD) through the binding, over both stores, with the synchronous methods and
// their `…Async` twins: `runMaintenance` removes ended links and changes no answer;
// `exportAccount` gives JSON of what the account's flows wrote, never a token or a hash, to
// oneself or a manager, and the refusals `account` gives.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Portal, Right } from 'dealer-portal'
import helpers from './helpers.cjs'

const { ADMIN_EMAIL, USER_PASSWORD, portals, call, takeToken, seed, invite } = helpers

async function fails(promise, code) {
  let caught
  try {
    await promise
  } catch (e) {
    caught = e
  }
  assert.ok(caught, `expected ${code}, got no error`)
  assert.equal(caught.name, 'PortalError')
  assert.equal(caught.code, code, caught.message)
}

for (const mode of ['sync', 'async']) {
  for (const [store, open] of Object.entries(portals())) {
    const name = (what) => `${what} (${mode}, ${store})`

    test(name('runMaintenance removes ended links only, and says so'), async () => {
      const s = await seed(open(), mode)
      const c = (n, ...args) => call(s.portal, mode, n, ...args)
      await c('requestPasswordReset', ADMIN_EMAIL)
      const first = await takeToken(s.portal, ADMIN_EMAIL, 'password_reset', mode)
      await c('requestPasswordReset', ADMIN_EMAIL)
      const second = await takeToken(s.portal, ADMIN_EMAIL, 'password_reset', mode)
      // The seed's consumed link and the superseded first one; mails stay 30 days.
      assert.deepEqual(await c('runMaintenance'), { notificationsPurged: 0, tokensPurged: 2, sessionsPurged: 0 })
      const ended = await c('inspectToken', first)
      assert.equal(ended.usable, false)
      assert.equal(ended.kind ?? null, null, 'an ended link says nothing about itself')
      assert.equal((await c('inspectToken', second)).kind, 'password_reset')
      await fails(c('completePasswordReset', first, ADMIN_EMAIL, 'Autre-Mot-2026!', 'Autre-Mot-2026!'), 'TOKEN_INVALID')
      assert.equal((await c('runMaintenance')).tokensPurged, 0)
      assert.equal((await c('authenticate', s.session)).email, ADMIN_EMAIL)
    })

    test(name('exportAccount holds what the flows wrote, and no secret'), async () => {
      const s = await seed(open(), mode)
      const c = (n, ...args) => call(s.portal, mode, n, ...args)
      const leaId = await invite(s, 'lea@garage-xyz.fr', [Right.SEARCH_CLAIMS], { mode })
      const lea = (await c('login', 'lea@garage-xyz.fr', USER_PASSWORD)).token
      for (const text of [await c('exportAccount', lea, leaId), await c('exportAccount', s.session, leaId)]) {
        assert.equal(typeof text, 'string')
        const doc = JSON.parse(text)
        assert.equal(doc.format, 1)
        assert.equal(doc.profile.id, leaId)
        assert.equal(doc.profile.email, 'lea@garage-xyz.fr')
        assert.deepEqual(doc.profile.rights, { T99999: ['search_claims'] })
        assert.deepEqual(doc.sessions.map((x) => x.id), (await c('listSessions', lea)).map((x) => x.id))
        assert.deepEqual(doc.links.map((l) => l.state), ['consumed'])
        const actions = doc.audit.map((e) => e.action)
        assert.ok(actions.includes('user_created') && actions.includes('account_activated'), actions.join())
        for (const secret of [lea, s.session, USER_PASSWORD, 'argon2']) {
          assert.ok(!text.includes(secret), 'the export holds a secret')
        }
      }
      await fails(c('exportAccount', lea, s.adminId), 'UNKNOWN_ACCOUNT')
      await fails(c('exportAccount', s.session, 'not-an-id'), 'UNKNOWN_ACCOUNT')
      await fails(c('exportAccount', 'not a session', leaId), 'SESSION_INVALID')
    })
  }
}

test('retention below the mail rate-limit window is refused', () => {
  const fast = { hash: { m_cost_kib: 256, t_cost: 1, p_cost: 1 } }
  Portal.inMemory({ ...fast, retention: { acknowledged_mails: 3600, batch: 10 } })
  assert.throws(() => Portal.inMemory({ ...fast, retention: { acknowledged_mails: 60 } }), (e) => e.code === 'INVALID_CONFIG')
})
