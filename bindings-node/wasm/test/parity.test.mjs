// The browser build applies the very functions the server applies: the WebAssembly package
// (bindings-node/browser/, made by ../build.sh), loaded as a page loads it (the web target's
// `init`, here given the .wasm's bytes), answers exactly as the native Node addon (built before
// by ../../test.sh) over many generated inputs: the same values, or the same error (name, code,
// message, criteria).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

import init, * as web from '../../browser/dealer_portal_wasm.js'
import * as entry from '../../browser/index.js'

const require = createRequire(import.meta.url)
const native = require('../../index.js')

const wasmPath = fileURLToPath(new URL('../../browser/dealer_portal_wasm_bg.wasm', import.meta.url))
await init({ module_or_path: readFileSync(wasmPath) })

// A small seeded PRNG (mulberry32): the same inputs on every run, so a failure reproduces.
function prng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const rand = prng(19)
const pick = (xs) => xs[Math.floor(rand() * xs.length)]

// Character classes a password field meets.
const CLASSES = {
  lower: [...'abcdefghijklmnopqrstuvwxyz'],
  upper: [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'],
  digit: [...'0123456789'],
  special: [...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'],
  accents: [...'éèêëàâäîïôöùûüçÉÈÀÇÔœŒßÿŸñÑİı'],
  euro: ['€'],
  emoji: ['😀', '🔒', '👍🏽', '👨‍👩‍👧', '🇫🇷', '\u{1F9D1}\u200D\u{1F4BB}'],
  whitespace: [' ', '\t', '\n', '\r', '\u00A0', '\u2028', '\u3000', '\u200B'],
  control: ['\u0000', '\u0007', '\u001B', '\u007F', '\u0085'],
  other: ['\u0301', '\uFEFF', '漢', 'Ω', 'ﬁ', 'Ａ', '١', '\uD800', '\uDFFF'],
}
const ALL_CHARS = Object.values(CLASSES).flat()

function randomString(len, classes) {
  let s = ''
  for (let i = 0; i < len; i++) s += pick(CLASSES[pick(classes)] ?? ALL_CHARS)
  return s
}

function passwords() {
  const out = ['', ' ', 'a', 'abc', 'Garage-XYZ-2026!', 'Motdepasse1!', 'MOTDEPASSE€€€€€1a', 'x'.repeat(200),
    'Aa1!'.repeat(50), 'Éléphant-Rose-2026!', '😀😀😀😀😀😀😀😀Aa1!xxxxxx', 'password', 'Password123!',
    '         Aa1!   ', 'Aa1€€€€€€€€€€€€€€€', '\u0000Aa1!aaaaaaaaaaaaa']
  const kinds = Object.keys(CLASSES)
  for (let i = 0; i < 400; i++) {
    const len = pick([0, 1, 3, 8, 14, 15, 16, 20, 40, 64, 65, 128, 200])
    const classes = rand() < 0.3 ? kinds : Array.from({ length: 1 + Math.floor(rand() * 4) }, () => pick(kinds))
    out.push(randomString(len, classes))
  }
  return out
}

const POLICIES = [
  undefined,
  null,
  {},
  { min_length: 8 },
  { min_length: 4, min_uppercase: 0, min_special: 0 },
  { min_length: 12, min_uppercase: 2, min_lowercase: 2, min_digits: 2, min_special: 2 },
  { excluded_specials: ['€', '$'], min_special: 2 },
  { excluded_specials: [] },
  { max_length: 20 },
  { max_length: 64, min_length: 64 },
  { blocklist: true },
  { forbid_identity: true, history: 0 },
  // Refused: the same INVALID_CONFIG error from both.
  { min_length: -1 },
  { min_length: 1.5 },
  { min_length: 'x' },
  { unknown_field: 1 },
  { min_length: 100, max_length: 10 },
  { excluded_specials: 'abc' },
  { excluded_specials: ['ab'] },
  'a string',
  42,
  [],
  true,
]

// The outcome of a call: its value, or what it threw.
function outcome(f) {
  try {
    return { ok: f() }
  } catch (e) {
    return {
      threw: {
        isError: e instanceof Error,
        name: e?.name,
        code: e?.code,
        message: e?.message,
        criteria: e?.criteria,
      },
    }
  }
}

function same(label, a, b) {
  const x = outcome(a)
  const y = outcome(b)
  if (x.threw && y.threw) {
    // A core error: the same PortalError. A wrong JS type: both refuse it (the conversion
    // errors of napi-rs and of this crate are worded differently, but neither is a PortalError).
    assert.equal(y.threw.name === 'PortalError', x.threw.name === 'PortalError', `${label}: ${JSON.stringify([x, y])}`)
    if (x.threw.name === 'PortalError') assert.deepEqual(y.threw, x.threw, label)
    return 'threw'
  }
  assert.deepEqual(y, x, label)
  return 'ok'
}

test('evaluatePassword: the same evaluation or error as the Node addon, over passwords × options × policies', () => {
  const counts = { ok: 0, threw: 0 }
  const pws = passwords()
  for (const [i, pw] of pws.entries()) {
    const other = pws[(i * 7 + 3) % pws.length]
    const optionsList = [
      undefined,
      null,
      {},
      { confirmation: pw },
      { confirmation: other },
      { confirmation: pw + ' ' },
      { confirmation: '' },
      ...POLICIES.filter(() => rand() < 0.35).map((policy) =>
        rand() < 0.5 ? { policy } : { policy, confirmation: rand() < 0.5 ? pw : other },
      ),
    ]
    for (const options of optionsList) {
      const label = `evaluatePassword(${JSON.stringify(pw)}, ${JSON.stringify(options)})`
      counts[same(label, () => native.evaluatePassword(pw, options), () => web.evaluatePassword(pw, options))]++
    }
  }
  // Every policy once on a fixed password, so none depends on the draw.
  for (const policy of POLICIES) {
    counts[same(`policy ${JSON.stringify(policy)}`,
      () => native.evaluatePassword('Garage-XYZ-2026!', { policy }),
      () => web.evaluatePassword('Garage-XYZ-2026!', { policy }))]++
  }
  assert.ok(counts.ok > 3000 && counts.threw > 100, JSON.stringify(counts))
})

test('evaluatePassword: results are frozen plain objects, equal ones the same object, as the Node addon\'s', () => {
  const e = web.evaluatePassword('abc', { confirmation: 'abd' })
  // Equal evaluations (here: the same criteria met) are one object; different ones are not.
  assert.equal(web.evaluatePassword('xyz', { confirmation: 'xy' }), e)
  assert.equal(web.evaluatePassword('xyz', { confirmation: 'xy', policy: {} }), e)
  assert.notEqual(web.evaluatePassword('xyZ', { confirmation: 'xy' }), e)
  assert.equal(native.evaluatePassword('xyz', { confirmation: 'xy' }), native.evaluatePassword('abc', { confirmation: 'abd' }))
  assert.ok(Object.isFrozen(e) && Object.isFrozen(e.checks) && e.checks.every(Object.isFrozen))
  assert.equal(Object.getPrototypeOf(e), Object.prototype)
  assert.deepEqual(Object.keys(e.checks[0]), Object.keys(native.evaluatePassword('abc').checks[0]))
})

test('evaluatePassword: arguments of the wrong type are refused as the Node addon refuses them', () => {
  for (const args of [[42], [undefined], [null], ['abc', { confirmation: 42 }], ['abc', { confirmation: null }]]) {
    same(`evaluatePassword(${args.map(String)})`, () => native.evaluatePassword(...args), () => web.evaluatePassword(...args))
  }
})

test('visibleSections: the same tabs for every subset of the six rights, in any order, with repeats', () => {
  const rights = Object.values(native.Right)
  assert.equal(rights.length, 6)
  for (let mask = 0; mask < 64; mask++) {
    const subset = rights.filter((_, i) => mask & (1 << i))
    const shuffled = [...subset].sort(() => rand() - 0.5)
    for (const input of [subset, shuffled, [...subset, ...subset]]) {
      same(`visibleSections(${input})`, () => native.visibleSections(input), () => web.visibleSections(input))
    }
  }
})

test('visibleSections: what is not an exact right code is refused by both', () => {
  for (const input of [['MANAGE_ACCOUNTS'], [' manage_accounts'], ['nope'], [42], [null], 'manage_accounts', null, undefined]) {
    const x = outcome(() => native.visibleSections(input))
    const y = outcome(() => web.visibleSections(input))
    assert.ok(x.threw && y.threw, `visibleSections(${JSON.stringify(input)}): ${JSON.stringify([x, y])}`)
  }
  // A string that is not a right is the core's UNKNOWN_CODE, saying what is accepted.
  const e = outcome(() => web.visibleSections(['MANAGE_ACCOUNTS'])).threw
  assert.equal(e.name, 'PortalError')
  assert.equal(e.code, 'UNKNOWN_CODE')
  assert.match(e.message, /manage_accounts/)
})

function references() {
  const out = ['', ' ', 'AB-123-CD', 'ab123cd', 'AB 123 CD', 'ab-123-cd', 'AI-123-CD', 'SS-123-AB', 'AB-000-CD',
    'WW-123-AB', '1234ab56', '1234 - AB - 56', '12 a 2a', '12 A 2B', '1 A 971', '1234 AB 20', '0123 AB 56',
    '1234 AB 99', 'gv-2024/000123', 'GV2024000123', '2204 0031 43', '2204003143', '12345', '123456',
    '1234567890123456', 'ABCDEF', 'ABC123', 'A'.repeat(20) + '1', 'é-123-cd', 'AB\u00A0123\u00A0CD',
    'AB.123.CD', 'AB_123_CD', 'AB–123–CD', '😀', 'x'.repeat(200), '1'.repeat(200), '\u0000AB-123-CD', 'Ａｂ-123-CD']
  const letters = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz']
  const digits = [...'0123456789']
  const seps = ['', '', '-', ' ', '.', '/', '  ', '\t', '\u00A0', '_', ',']
  const draw = (xs, n) => Array.from({ length: n }, () => pick(xs)).join('')
  for (let i = 0; i < 600; i++) {
    switch (i % 5) {
      case 0: // SIV-shaped
        out.push(draw(letters, 2) + pick(seps) + draw(digits, 3) + pick(seps) + draw(letters, 2))
        break
      case 1: // FNI-shaped
        out.push(draw(digits, 1 + Math.floor(rand() * 4)) + pick(seps) + draw(letters, 1 + Math.floor(rand() * 3)) +
          pick(seps) + pick(['01', '2A', '2B', '20', '75', '95', '96', '971', '976', '977', '00', draw(digits, 2)]))
        break
      case 2: // agreement numbers
        out.push(draw(digits, 1 + Math.floor(rand() * 18)).replace(/(\d{4})/g, (m) => m + pick(seps)))
        break
      case 3: // contract numbers
        out.push(draw([...letters, ...digits], 1 + Math.floor(rand() * 24)) + pick(seps) + draw(digits, 3))
        break
      default: // anything
        out.push(randomString(Math.floor(rand() * 30), Object.keys(CLASSES)))
    }
  }
  return out
}

test('parseReference: the same reference or error as the Node addon, plates and numbers good and bad', () => {
  const counts = { ok: 0, threw: 0 }
  for (const text of references()) {
    counts[same(`parseReference(${JSON.stringify(text)})`, () => native.parseReference(text), () => web.parseReference(text))]++
  }
  assert.ok(counts.ok > 200 && counts.threw > 100, JSON.stringify(counts))
  same('parseReference(42)', () => native.parseReference(42), () => web.parseReference(42))
})

test('the browser entry: index.js re-exports the build and the Right enum of the Node addon', () => {
  assert.equal(entry.default, init)
  assert.equal(entry.evaluatePassword, web.evaluatePassword)
  assert.equal(entry.visibleSections, web.visibleSections)
  assert.equal(entry.parseReference, web.parseReference)
  assert.deepEqual({ ...entry.Right }, { ...native.Right })
  assert.ok(Object.isFrozen(entry.Right))
})

test('package.json: the browser condition resolves `dealer-portal` to the browser entry', () => {
  const script = "import('dealer-portal').then((m) => console.log(typeof m.init, typeof m.Portal))"
  const dir = fileURLToPath(new URL('.', import.meta.url))
  const plain = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir }).toString().trim()
  const browser = execFileSync(process.execPath, ['--conditions=browser', '--input-type=module', '-e', script], { cwd: dir })
    .toString()
    .trim()
  assert.equal(plain, 'undefined function')
  assert.equal(browser, 'function undefined')
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
  assert.equal(pkg.browser, 'browser/index.js')
  for (const f of ['browser/index.js', 'browser/dealer_portal_wasm.js', 'browser/dealer_portal_wasm_bg.wasm']) {
    assert.ok(pkg.files.includes(f), f)
  }
})
