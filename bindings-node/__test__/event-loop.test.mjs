// The event loop never blocks on argon2: while 4 `loginAsync` (or 4 `requestEmailChangeAsync`,
// which checks the current password) run at the OWASP parameters (m=19456 KiB, t=2, p=1: the
// default config), a 1 ms interval keeps ticking. The same calls made synchronously starve it,
// which shows the test can tell the difference.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Portal } from 'dealer-portal'
import helpers from './helpers.cjs'

const { ADMIN_EMAIL, ADMIN_PASSWORD, seed } = helpers

/** Runs `work` while a 1 ms interval counts its ticks; returns ticks, elapsed ms, largest gap. */
async function ticking(work) {
  let ticks = 0
  let last = performance.now()
  let maxGap = 0
  const timer = setInterval(() => {
    const now = performance.now()
    maxGap = Math.max(maxGap, now - last)
    last = now
    ticks++
  }, 1)
  const start = performance.now()
  await work()
  const elapsed = performance.now() - start
  clearInterval(timer)
  return { ticks, elapsed, maxGap }
}

test('4 concurrent loginAsync at default argon2 parameters leave the event loop running', async (t) => {
  const portal = Portal.inMemory() // default config: OWASP argon2 parameters
  await seed(portal, 'async')

  // One login alone, to know what a hash costs here.
  const t0 = performance.now()
  await portal.loginAsync(ADMIN_EMAIL, ADMIN_PASSWORD)
  const one = performance.now() - t0

  // Rounds of 4 in flight for at least ~0.5 s.
  const rounds = Math.max(2, Math.ceil(500 / Math.max(one, 1)))
  const asyncRun = await ticking(async () => {
    for (let i = 0; i < rounds; i++) {
      const sessions = await Promise.all(Array.from({ length: 4 }, () => portal.loginAsync(ADMIN_EMAIL, ADMIN_PASSWORD)))
      assert.equal(new Set(sessions.map((s) => s.token)).size, 4)
    }
  })

  // The same logins done synchronously: the interval cannot fire while they run.
  const syncRun = await ticking(async () => {
    for (let i = 0; i < 4; i++) portal.login(ADMIN_EMAIL, ADMIN_PASSWORD)
  })

  const report = `one login ${one.toFixed(1)} ms; async: ${asyncRun.ticks} ticks in ${asyncRun.elapsed.toFixed(0)} ms ` +
    `(max gap ${asyncRun.maxGap.toFixed(1)} ms, ${rounds} rounds of 4); sync: ${syncRun.ticks} ticks in ${syncRun.elapsed.toFixed(0)} ms`
  t.diagnostic(report)

  assert.equal(syncRun.ticks, 0, 'the synchronous logins block the loop (sanity check of the test)')
  // A free loop ticks every ~1 ms; ask for at least one tick per 10 ms of hashing, which a
  // blocked loop (0 ticks) or a loop blocked per hash could not reach.
  assert.ok(asyncRun.ticks >= asyncRun.elapsed / 10, report)
  assert.ok(asyncRun.ticks >= 20, report)
})

test('4 concurrent requestEmailChangeAsync at default argon2 parameters leave the event loop running', async (t) => {
  const portal = Portal.inMemory() // default config: OWASP argon2 parameters
  const { session } = await seed(portal, 'async')
  const request = (i) => portal.requestEmailChangeAsync(session, `new-${i}@garage-xyz.fr`, ADMIN_PASSWORD)

  const t0 = performance.now()
  await request(0)
  const one = performance.now() - t0

  const rounds = Math.max(2, Math.ceil(500 / Math.max(one, 1)))
  let n = 1
  const asyncRun = await ticking(async () => {
    for (let i = 0; i < rounds; i++) {
      const answers = await Promise.all(Array.from({ length: 4 }, () => request(n++)))
      assert.deepEqual(answers, [undefined, undefined, undefined, undefined])
    }
  })
  const syncRun = await ticking(async () => {
    for (let i = 0; i < 4; i++) portal.requestEmailChange(session, `new-${n++}@garage-xyz.fr`, ADMIN_PASSWORD)
  })

  // Every request was made: one confirmation link per new address.
  const links = portal.pendingNotifications().filter((m) => m.kind === 'email_change')
  assert.equal(links.length, n)

  const report = `one request ${one.toFixed(1)} ms; async: ${asyncRun.ticks} ticks in ${asyncRun.elapsed.toFixed(0)} ms ` +
    `(max gap ${asyncRun.maxGap.toFixed(1)} ms, ${rounds} rounds of 4); sync: ${syncRun.ticks} ticks in ${syncRun.elapsed.toFixed(0)} ms`
  t.diagnostic(report)
  assert.equal(syncRun.ticks, 0, 'the synchronous requests block the loop (sanity check of the test)')
  assert.ok(asyncRun.ticks >= asyncRun.elapsed / 10, report)
  assert.ok(asyncRun.ticks >= 20, report)
})
