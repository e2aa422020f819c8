#!/usr/bin/env node
// @ts-check
// A minimal HTTP server (node:http, no framework) serving the JSON endpoints behind the portal's
// "Mot de passe oublié", activation and email-change links, and the session check a host makes
// on every request, on the SQLite store. Every call that hashes a
// password or touches the store uses an `…Async` method, so the event loop keeps serving other
// requests while argon2 runs on the libuv thread pool.
//
//   node examples/server.mjs            # PORT (3000; 0 = any free port), HOST (127.0.0.1),
//                                       # PORTAL_DB (portal.db)
//
//   POST /password-criteria      {"password"[,"confirmation"][,"lang":"en"]}  live criteria
//   POST /password-reset            {"email"}                  always the same answer
//   GET  /link-status?token=…                                  can the form be shown?
//   POST /password-reset/complete   {"token","email","password","confirmation"}
//   POST /activation/complete       {"token","email","password","confirmation"}
//   POST /email-change/confirm      {"token"}                  the link sent to the new address
//   GET  /session                   Authorization: Bearer <session token> → who, where, menu
//
// Errors answer {"error": {"code", "message", "criteria"}} with the core's stable code.
// Passwords only ever travel in request bodies, never in a URL (query strings end up in access
// logs, proxies and browser history): a GET on /password-criteria is a 405.
// Type-checked against index.d.ts by test.sh (tsc --checkJs --strict).

import { createServer } from 'node:http'
import { pathToFileURL } from 'node:url'
import { Portal, isPortalError } from 'dealer-portal'

/** @typedef {import('node:http').IncomingMessage} Request */
/** @typedef {import('node:http').ServerResponse} Response */
/** @typedef {import('dealer-portal').Notification} Notification */
/** @typedef {[status: number, body: unknown]} Answer */

const MAX_BODY = 16 * 1024

/**
 * HTTP statuses for the codes a form cares about; any other PortalError is a 400.
 * @type {Partial<Record<import('dealer-portal').ErrorCode, number>>}
 */
const HTTP_STATUS = {
  TOKEN_INVALID: 410,
  INVALID_CREDENTIALS: 401,
  SESSION_INVALID: 401,
  FORBIDDEN: 403,
  STORAGE: 500,
}

class BadRequest extends Error {}

/**
 * @param {Response} res
 * @param {number} status
 * @param {unknown} body
 */
function send(res, status, body) {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    // Answers about passwords and links are never cached.
    'cache-control': 'no-store',
  })
  res.end(text)
}

/**
 * @param {Request} req
 * @returns {Promise<Record<string, unknown>>}
 */
async function readJson(req) {
  let size = 0
  const chunks = []
  for await (const chunk of req) {
    size += chunk.length
    if (size > MAX_BODY) throw new BadRequest('body too large')
    chunks.push(chunk)
  }
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error()
    return body
  } catch {
    throw new BadRequest('expected a JSON object')
  }
}

/**
 * @param {Record<string, unknown>} body
 * @param {string} name
 * @returns {string}
 */
function field(body, name) {
  const v = body[name]
  if (typeof v !== 'string') throw new BadRequest(`"${name}" must be a string`)
  return v
}

/**
 * The form's submission: token from the link, the email again, the password twice.
 * @param {Record<string, unknown>} body
 * @returns {[token: string, email: string, password: string, confirmation: string]}
 */
function passwordForm(body) {
  return [field(body, 'token'), field(body, 'email'), field(body, 'password'), field(body, 'confirmation')]
}

/**
 * The request handler over a portal.
 * @param {Portal} portal
 * @returns {(req: Request, res: Response) => Promise<void>}
 */
export function createApp(portal) {
  /** @type {Record<string, (url: URL, req: Request) => Promise<Answer>>} */
  const routes = {
    'POST /password-criteria': async (url, req) => {
      // Pure and cheap (no hashing): called at every keystroke. The portal's own policy.
      const body = await readJson(req)
      const password = field(body, 'password')
      const confirmation = body.confirmation === undefined ? undefined : field(body, 'confirmation')
      const english = body.lang === 'en'
      const e = portal.evaluatePassword(password, { confirmation })
      return [200, {
        acceptable: e.acceptable,
        criteria: e.checks.map((c) => ({
          criterion: c.criterion,
          met: c.met,
          color: c.met ? 'green' : 'red',
          label: english ? c.labelEn : c.labelFr,
        })),
      }]
    },
    'POST /password-reset': async (url, req) => {
      const email = field(await readJson(req), 'email')
      await portal.requestPasswordResetAsync(email)
      // The same answer whether or not the email is known: no account enumeration.
      return [202, { status: 'accepted' }]
    },
    'GET /link-status': async (url) => {
      const status = await portal.inspectTokenAsync(url.searchParams.get('token') ?? '')
      return [200, status]
    },
    'POST /password-reset/complete': async (url, req) => {
      await portal.completePasswordResetAsync(...passwordForm(await readJson(req)))
      return [200, { status: 'password_changed' }]
    },
    'POST /activation/complete': async (url, req) => {
      await portal.activateAccountAsync(...passwordForm(await readJson(req)))
      return [200, { status: 'account_activated' }]
    },
    'POST /email-change/confirm': async (url, req) => {
      await portal.confirmEmailChangeAsync(field(await readJson(req), 'token'))
      return [200, { status: 'email_changed' }]
    },
    'GET /session': async (url, req) => {
      // What a host checks on every request: who, until when, on which establishment, which menu.
      const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')
      return [200, await portal.authenticateAsync(bearer?.[1] ?? '')]
    },
  }
  const paths = new Set(Object.keys(routes).map((k) => k.split(' ')[1]))

  return async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const route = routes[`${req.method} ${url.pathname}`]
    try {
      if (!route) {
        const status = paths.has(url.pathname) ? 405 : 404
        return send(res, status, { error: { code: status === 405 ? 'METHOD_NOT_ALLOWED' : 'NOT_FOUND', message: 'no such endpoint', criteria: [] } })
      }
      const [status, body] = await route(url, req)
      send(res, status, body)
    } catch (e) {
      if (isPortalError(e)) {
        send(res, HTTP_STATUS[e.code] ?? 400, { error: { code: e.code, message: e.message, criteria: e.criteria } })
      } else if (e instanceof BadRequest) {
        send(res, 400, { error: { code: 'BAD_REQUEST', message: e.message, criteria: [] } })
      } else {
        console.error(e)
        send(res, 500, { error: { code: 'INTERNAL', message: 'internal error', criteria: [] } })
      }
    }
  }
}

/**
 * Hands queued mails to `deliver` and acknowledges them (which erases their tokens from the
 * store). The library sends no mail itself: this loop is the host's side of the outbox.
 * @param {Portal} portal
 * @param {(n: Notification) => Promise<void>} deliver
 * @param {number} [everyMs]
 * @returns {() => void} stops the loop
 */
export function startMailer(portal, deliver, everyMs = 1000) {
  let busy = false
  const timer = setInterval(async () => {
    if (busy) return
    busy = true
    try {
      for (const n of await portal.pendingNotificationsAsync()) {
        await deliver(n)
        await portal.acknowledgeNotificationAsync(n.id)
      }
    } catch (e) {
      console.error('mailer:', isPortalError(e) ? e.code : e)
    } finally {
      busy = false
    }
  }, everyMs)
  return () => clearInterval(timer)
}

async function main() {
  const portal = await Portal.openAsync(process.env.PORTAL_DB ?? 'portal.db')
  const stopMailer = startMailer(portal, async (n) => {
    // A real host builds the link from n.token and sends it with its mailer; never log it.
    console.log(`mail: ${n.kind} to ${n.email} (${n.subject})`)
  })
  const server = createServer(createApp(portal))
  const host = process.env.HOST ?? '127.0.0.1'
  server.listen(Number(process.env.PORT ?? 3000), host, () => {
    const address = server.address()
    const port = typeof address === 'object' && address !== null ? address.port : address
    console.log(`listening on http://${host}:${port}`)
  })
  const stop = () => {
    stopMailer()
    server.close(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e)
    process.exit(1)
  })
}
