// The browser entry of `dealer-portal` (see index.js). The functions' types are those of the
// Node binding (bindings-node/index.d.ts), written into dealer_portal_wasm.d.ts by wasm-bindgen.
export { default, default as init, initSync, evaluatePassword, visibleSections, parseReference } from './dealer_portal_wasm.js';
export type {
  InitInput,
  InitOutput,
  SyncInitInput,
  PasswordPolicy,
  Criterion,
  EvaluateOptions,
  Check,
  Evaluation,
  RightCode,
  SectionCode,
  Section,
  ReferenceKind,
  PlateFormat,
  Reference,
} from './dealer_portal_wasm.js';

/**
 * Every error thrown by these functions for a value the core refuses: a plain `Error` whose
 * `name` is `"PortalError"` and whose `code` is the core's stable code (`INVALID_CONFIG`,
 * `INVALID_QUERY`, `UNKNOWN_CODE`), as the Node binding's.
 */
export interface PortalError extends Error {
  name: 'PortalError'
  code: string
  criteria: string[]
}

/** One of the six rights of an account on an establishment; the value is the stable code. */
export declare enum Right {
  /** Réaliser des devis & souscriptions. */
  QUOTES_AND_SUBSCRIPTIONS = 'quotes_and_subscriptions',
  /** Rechercher des devis et contrats. */
  SEARCH_QUOTES_AND_CONTRACTS = 'search_quotes_and_contracts',
  /** Déposer des demandes de prise en charge. */
  SUBMIT_CLAIMS = 'submit_claims',
  /** Rechercher des demandes de prise en charge. */
  SEARCH_CLAIMS = 'search_claims',
  /** Accéder aux documents comptables. */
  ACCOUNTING_DOCUMENTS = 'accounting_documents',
  /** Gérer les comptes. */
  MANAGE_ACCOUNTS = 'manage_accounts',
}
