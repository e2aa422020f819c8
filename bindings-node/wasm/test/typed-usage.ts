// The browser package's typings (browser/index.d.ts, and the section wasm-bindgen writes into
// dealer_portal_wasm.d.ts from the crate) against the Node binding's: each result of the browser
// build is assignable to the Node binding's type and back, and the arguments the Node typings
// take are taken. Checked by `tsc --noEmit --strict` (bindings-node/test.sh); never run.

import init, { evaluatePassword, visibleSections, parseReference, Right, type Evaluation, type Section, type Reference, type PortalError } from '../../browser/index.js'
import type * as Node from '../../index.js'

async function usage(bytes: Uint8Array): Promise<void> {
  await init({ module_or_path: bytes })

  const options: Node.EvaluateOptions = { confirmation: 'x', policy: { min_length: 8, excluded_specials: ['€'] } }
  const e: Node.Evaluation = evaluatePassword('Garage-XYZ-2026!', options)
  const back: Evaluation = e
  const check: Node.Check = back.checks[0]
  const criterion: Node.Criterion = check.criterion
  evaluatePassword('x', null)
  evaluatePassword('x', undefined)

  // The browser's Right enum, plain codes, and the Node binding's Right enum are all taken.
  const nodeRights: Node.Right[] = []
  visibleSections(nodeRights)
  const sections: Node.Section[] = visibleSections([Right.MANAGE_ACCOUNTS, 'submit_claims'])
  const s: Section[] = sections
  const code: Node.SectionCode = s[0].code

  const r: Node.Reference = parseReference('AB-123-CD')
  const r2: Reference = r
  const kind: Node.ReferenceKind = r2.kind

  try {
    parseReference('AI-123-CD')
  } catch (err) {
    const pe = err as PortalError
    const nodeCode: string = pe.code
    void nodeCode
  }
  void [criterion, code, kind]
}
void usage
