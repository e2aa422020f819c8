//! The Node.js binding of the `dealer-portal` core: the napi-rs addon behind the npm package
//! `dealer-portal`.
//!
//! A thin translation: arguments become core values, results become plain JS objects with
//! camelCase fields, core errors become JS `Error`s carrying the core's stable `code` (one
//! conversion, in [`errors`]). No product rule lives here. Every call that hashes a password or
//! touches a store has an `…Async` variant run on the libuv thread pool ([`portal::Job`]).

// napi-rs registers the exports only outside `cfg(test)` (`cargo clippy --all-targets` checks
// the crate that way too): there, everything only the exports reach looks unused.
#![cfg_attr(test, allow(dead_code))]

mod errors;
mod evaluation;
mod functions;
mod portal;
mod raw;
mod values;
