//! `Portal`: the core's service over a store chosen at run time, shared between the JS thread
//! and the libuv thread pool.
//!
//! Each method is written once, as a body over `&CorePortal`, and [`portal_methods!`] makes two
//! JS methods of it: the synchronous one (for scripts) and its `…Async` twin, which moves the
//! (owned) arguments and an `Arc` of the portal into a [`Job`] run on the libuv thread pool, so
//! argon2 and the store never block the event loop. Argument parsing happens inside the body, so
//! a bad value is the core's own error in both variants.

use crate::errors::{check, guard, guarded};
use crate::evaluation::Policy;
use crate::functions::{expect_string, from_config, read_options, with_fields};
use dealer_portal::Error;
use dealer_portal::account::AccountId;
use dealer_portal::establishment::EstablishmentCode;
use dealer_portal::service::{Portal as CorePortal, PortalConfig};
use dealer_portal::store::AnyStore;
use napi::bindgen_prelude::{AsyncTask, Object, ToNapiValue, TypeName, Unknown};
use napi::{Env, Status, Task};
use napi_derive::napi;
use std::sync::Arc;

type Core = CorePortal<AnyStore>;

/// One call into the core, run on the libuv thread pool; its promise resolves with the result
/// or rejects with the same `PortalError` the synchronous variant throws.
pub struct Job<T> {
    work: Option<Box<dyn FnOnce() -> Result<T, Error> + Send>>,
}

impl<T> Job<T> {
    fn spawn(work: impl FnOnce() -> Result<T, Error> + Send + 'static) -> AsyncTask<Job<T>>
    where
        Job<T>: Task,
    {
        AsyncTask::new(Job {
            work: Some(Box::new(work)),
        })
    }
}

impl<T: ToNapiValue + TypeName + Send + 'static> Task for Job<T> {
    type Output = Result<T, Error>;
    type JsValue = T;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let work = self
            .work
            .take()
            .ok_or_else(|| napi::Error::new(Status::GenericFailure, "task ran twice"))?;
        // A panic must not unwind into libuv: it rejects the promise with the same `PortalError`
        // (`STORAGE`) a synchronous call throws.
        Ok(guard(work))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<T> {
        check(&env, output)
    }
}

/// A synchronous method's call into the core: `f` under [`guard`] (a panic is the `STORAGE`
/// error), its error thrown as a `PortalError`.
fn sync_call<T>(
    env: &Env,
    core: &Core,
    f: impl FnOnce(&Core) -> Result<T, Error>,
) -> napi::Result<T> {
    check(env, guard(|| f(core)))
}

fn config_arg(config: Option<serde_json::Value>) -> Result<PortalConfig, Error> {
    match config {
        None | Some(serde_json::Value::Null) => Ok(PortalConfig::default()),
        Some(c) => from_config(c),
    }
}

/// An establishment code, parsed by the core.
fn parse_code(s: &str) -> Result<EstablishmentCode, Error> {
    EstablishmentCode::parse(s)
}

/// An optional establishment code (`undefined` or `null`: the session's connected one, which
/// the core picks).
fn parse_optional_code(s: Option<&str>) -> Result<Option<EstablishmentCode>, Error> {
    s.map(EstablishmentCode::parse).transpose()
}

/// An account id, parsed by the core (anything that is not one is `UNKNOWN_ACCOUNT`).
fn parse_account_id(s: &str) -> Result<AccountId, Error> {
    s.parse()
}

/// Offset and limit, defaulting to 0 and `default_limit`.
fn page(offset: Option<u32>, limit: Option<u32>, default_limit: usize) -> (usize, usize) {
    (
        offset.map_or(0, |n| n as usize),
        limit.map_or(default_limit, |n| n as usize),
    )
}

/// The portal over a store: a SQLite file (`Portal.open`) or memory (`Portal.inMemory`).
/// Every method that hashes a password or touches the store has an `…Async` twin returning a
/// `Promise`, run on the libuv thread pool.
#[napi]
pub struct Portal {
    inner: Arc<Core>,
}

impl Portal {
    fn open_location(location: &str, config: Option<serde_json::Value>) -> Result<Self, Error> {
        let config = config_arg(config)?;
        Ok(Portal {
            inner: Arc::new(CorePortal::open_any(location, config)?),
        })
    }
}

#[napi]
impl Portal {
    /// Opens (creating and migrating if needed) the SQLite file at `path`. `config` is a plain
    /// object with the core's `PortalConfig` fields (snake_case), partial: e.g.
    /// `{ hash: { m_cost_kib: 256, t_cost: 1, p_cost: 1 } }`.
    #[napi(factory, catch_unwind)]
    pub fn open(
        env: Env,
        path: String,
        #[napi(ts_arg_type = "PortalConfig")] config: Option<serde_json::Value>,
    ) -> napi::Result<Portal> {
        check(&env, guard(|| Portal::open_location(&path, config)))
    }

    /// `Portal.open` on the libuv thread pool (opening migrates the file).
    #[napi(ts_return_type = "Promise<Portal>")]
    pub fn open_async(
        path: String,
        #[napi(ts_arg_type = "PortalConfig")] config: Option<serde_json::Value>,
    ) -> AsyncTask<Job<Portal>> {
        Job::spawn(move || Portal::open_location(&path, config))
    }

    /// A portal over a fresh in-memory store.
    #[napi(factory, catch_unwind)]
    pub fn in_memory(
        env: Env,
        #[napi(ts_arg_type = "PortalConfig")] config: Option<serde_json::Value>,
    ) -> napi::Result<Portal> {
        check(&env, guard(|| Portal::open_location(":memory:", config)))
    }

    /// Evaluates a candidate password against this portal's policy (pure, no hashing; the
    /// `policy` option is ignored: the portal's own applies). Frozen, like `evaluatePassword`'s.
    #[napi(
        catch_unwind,
        ts_args_type = "password: string, options?: EvaluateOptions | undefined | null",
        ts_return_type = "Evaluation"
    )]
    pub fn evaluate_password<'e>(
        &self,
        env: &'e Env,
        password: Unknown<'_>,
        options: Option<Object<'_>>,
    ) -> napi::Result<Object<'e>> {
        guarded(env, || {
            expect_string(password)?;
            let fields = read_options(options)?;
            let evaluation = with_fields(env, password, fields, |pw, confirmation, _policy| {
                Ok(self.inner.evaluate_password(pw, confirmation))
            })?;
            crate::evaluation::to_js(env, &evaluation, Policy::Other)
        })
    }
}

/// Writes each method twice: `name` (synchronous) and `name_async` (a `Job` on the libuv pool,
/// typed `Promise<…>` in `index.d.ts` by the TypeScript type after `as`). An argument's
/// TypeScript type may be given after `as` too. Both run the body under
/// [`guard`](crate::errors::guard): a panic is a `STORAGE` `PortalError`, thrown or rejected;
/// the synchronous one also has napi-rs's `catch_unwind` around its conversions.
///
/// Docs are given as `#[doc = "..."]` rather than `///`: a `///` comment passed through a
/// `macro_rules!` becomes a raw string literal, which napi's typings generator prints as is.
macro_rules! portal_methods {
    ($(
        $(#[doc = $doc:tt])*
        fn $name:ident / $name_async:ident ($($arg:ident : $ty:ty $(as $argts:tt)?),* $(,)?) -> $out:ty as $ts:tt
            |$p:ident| { $($body:tt)* }
    )*) => {
        #[napi]
        impl Portal {
            $(
                $(#[doc = $doc])*
                #[napi(catch_unwind)]
                #[allow(clippy::too_many_arguments)]
                pub fn $name(&self, env: Env, $($(#[napi(ts_arg_type = $argts)])? $arg: $ty),*) -> napi::Result<$out> {
                    crate::portal::sync_call(&env, &self.inner, |$p: &Core| -> Result<$out, Error> { $($body)* })
                }

                $(#[doc = $doc])*
                #[doc = ""]
                #[doc = "Runs on the libuv thread pool: the event loop keeps running."]
                #[napi(ts_return_type = $ts)]
                #[allow(clippy::too_many_arguments)]
                pub fn $name_async(&self, $($(#[napi(ts_arg_type = $argts)])? $arg: $ty),*) -> AsyncTask<Job<$out>> {
                    let inner = Arc::clone(&self.inner);
                    Job::spawn(move || (|$p: &Core| -> Result<$out, Error> { $($body)* })(&inner))
                }
            )*
        }
    };
}

/// Test hooks (feature `test-hooks`, built by test.sh only; hidden exports, absent from the
/// typings): a panic where a core call runs, in the synchronous and the `…Async` path, and in
/// napi-level code, to check each becomes a `STORAGE` `PortalError`.
#[cfg(feature = "test-hooks")]
mod hooks {
    use super::{Job, Portal, sync_call};
    use crate::errors::guarded;
    use napi::Env;
    use napi::bindgen_prelude::AsyncTask;
    use napi_derive::napi;

    /// Panics in a synchronous method's core call (`sync_call`, as `portal_methods!` writes it).
    #[napi(js_name = "__panic", skip_typescript, catch_unwind)]
    pub fn panic_sync(env: Env, portal: &Portal) -> napi::Result<()> {
        sync_call(&env, &portal.inner, |_| {
            panic!("test hook: a panic in a synchronous call")
        })
    }

    /// Panics on the libuv thread pool, inside a `Job` (as the `…Async` methods run).
    #[napi(js_name = "__panicAsync", skip_typescript)]
    pub fn panic_async() -> AsyncTask<Job<()>> {
        Job::spawn(|| panic!("test hook: a panic on the thread pool"))
    }

    /// Panics in napi-level code, outside a core call (`guarded`, as the free functions have it).
    #[napi(js_name = "__panicOutside", skip_typescript, catch_unwind)]
    pub fn panic_outside(env: Env) -> napi::Result<()> {
        guarded(&env, || panic!("test hook: a panic in a conversion"))
    }
}

mod accounts;
mod audit;
mod documents;
mod lifecycle;
mod profiles;
mod sessions;

// The portal is shared between the JS thread and the thread pool.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<Core>();
};
