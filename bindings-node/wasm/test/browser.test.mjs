// The browser package in a real browser: Debian's Chromium (.ci/ensure-browser.sh) driven by
// playwright-core opens a page served over http on 127.0.0.1 (node:http, bounded to this test)
// that loads bindings-node/browser/ as a site would (an ES module fetching its .wasm), and reads
// what the page computed: the seed's criteria, the menu for two rights, a plate, a refused plate
// (a PortalError with the core's code), and the time of one evaluatePassword (printed; measured,
// never asserted). MEASURE_CALLS sets the number of timed calls (10000).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { readFile } from 'node:fs/promises'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import { chromium } from 'playwright-core'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '..', '..')
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm' }

// Serves the test page at / and bindings-node/browser/ at /browser/ (nothing else).
function serve() {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1')
    let file
    if (url.pathname === '/') file = path.join(here, 'page.html')
    else if (/^\/browser\/[\w.-]+$/.test(url.pathname)) file = path.join(root, url.pathname)
    try {
      const body = await readFile(file)
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        // Cross-origin isolated: performance.now() at its finest resolution (5 µs, not 100 µs).
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
      })
      res.end(body)
    } catch {
      res.writeHead(404).end()
    }
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

test('the browser package in Chromium: the core\'s answers, and the time of one evaluation', async (t) => {
  const executablePath = execFileSync('bash', [path.resolve(root, '..', '.ci', 'ensure-browser.sh')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .toString()
    .trim()
  const server = await serve()
  t.after(() => server.close())
  const browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  t.after(() => browser.close())
  const page = await browser.newPage()
  const errors = []
  page.on('pageerror', (e) => errors.push(e.message))
  const calls = Number(process.env.MEASURE_CALLS ?? 10000)
  await page.goto(`http://127.0.0.1:${server.address().port}/?n=${calls}`)
  await page.waitForFunction(() => window.results !== undefined || document.getElementById('out').textContent === 'error', null, { timeout: 60_000 }).catch(() => {})
  assert.deepEqual(errors, [])
  const r = await page.evaluate(() => window.results)
  assert.ok(r, 'the page computed its results')

  assert.equal(r.first.acceptable, true)
  assert.deepEqual(r.first.checks.map((c) => c.criterion), ['min_length', 'uppercase', 'lowercase', 'digit', 'special', 'confirmation'])
  // The page's criteria list, from the library's French labels: only "minuscule" is met for "abc".
  const items = await page.$$eval('#criteria li', (lis) => lis.map((li) => [li.dataset.criterion, li.className, li.textContent]))
  assert.deepEqual(items.map(([c, m]) => [c, m]), [
    ['min_length', 'unmet'], ['uppercase', 'unmet'], ['lowercase', 'met'], ['digit', 'unmet'], ['special', 'unmet'],
  ])
  assert.equal(items[0][2], '15 caractères')
  assert.deepEqual(r.sections.map((s) => s.code), ['home', 'easicare', 'documents', 'account_management'])
  assert.deepEqual(r.reference, { kind: 'registration_plate', normalized: 'AB-123-CD', plateFormat: 'siv' })
  assert.deepEqual(r.error, { name: 'PortalError', code: 'INVALID_QUERY', isError: true })

  assert.equal(r.timing.isolated, true)
  const { medianUs, firstCallMs } = r.timing
  console.log(`chromium ${browser.version()}: evaluatePassword median ${medianUs.toFixed(3)} µs ` +
    `(batches: min ${r.timing.minUs.toFixed(3)}, max ${r.timing.maxUs.toFixed(3)}) over ${r.timing.calls} calls ` +
    `(median of batches of 500, after 2000 warm-up calls); import + init + first call ${firstCallMs.toFixed(1)} ms`)
})
