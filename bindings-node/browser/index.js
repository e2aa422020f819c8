// The browser entry of the npm package `dealer-portal` (its `browser` field and `exports`
// condition): the WebAssembly build of the core's pure functions, the very functions the server
// applies. Call the default export (`init`) once before the others; it fetches
// `dealer_portal_wasm_bg.wasm` beside this file (or takes `{ module_or_path }`: a URL, a
// Response, bytes or a compiled `WebAssembly.Module`).
//
//   import init, { evaluatePassword, visibleSections, parseReference, Right } from 'dealer-portal';
//   await init();
//   evaluatePassword('Motdepasse1!').checks.map((c) => c.met);
//
// dealer_portal_wasm.js and dealer_portal_wasm_bg.wasm are made by ../wasm/build.sh.
export { default, default as init, initSync, evaluatePassword, visibleSections, parseReference } from './dealer_portal_wasm.js';

/**
 * The six rights, as the Node binding's `Right` enum (the same members and values; a test
 * compares them).
 */
export const Right = Object.freeze({
  QUOTES_AND_SUBSCRIPTIONS: 'quotes_and_subscriptions',
  SEARCH_QUOTES_AND_CONTRACTS: 'search_quotes_and_contracts',
  SUBMIT_CLAIMS: 'submit_claims',
  SEARCH_CLAIMS: 'search_claims',
  ACCOUNTING_DOCUMENTS: 'accounting_documents',
  MANAGE_ACCOUNTS: 'manage_accounts',
});
