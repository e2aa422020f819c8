//! Tracing of the portal's flows (feature `tracing`): one span per flow call.
//!
//! Each flow of [`super::Portal`] runs its body through `traced!`: with the feature, the body
//! runs inside an `INFO` span named `dealer_portal.<flow>` with the fields
//!
//! - `flow`: the flow's name (`"login"`, `"create_user"`...), the method's name;
//! - `outcome`: `"ok"`, or the error's stable code ([`crate::Error::code`], e.g.
//!   `"INVALID_CREDENTIALS"`), recorded when the flow returns;
//! - `actor`: the acting account's id, recorded where the flow resolves it (a session's
//!   account in `Portal::actor`, the account whose password is checked in `login`);
//! - `establishment`: the establishment the session is connected to, or the one the flow
//!   targets (recorded again, so last wins, when a flow names one).
//!
//! Nothing else is recorded and no event is emitted: never an email, a password, a token, a
//! hash, a TOTP secret or code, a recovery code or a key, and no `Debug` of any input. A flow
//! called by another flow (`login` calls `login_with_otp`) runs in its caller's span, so a
//! call of the host makes one span.
//!
//! Without the feature, `traced!` calls the body and the recorders do nothing: no `tracing`
//! crate, no span, nothing to pay.

use crate::account::AccountId;
use crate::establishment::EstablishmentCode;

/// Runs a flow's body (`|| -> Result<T>`) in the flow's span (feature `tracing`), recording its
/// outcome; without the feature, just runs it.
#[cfg(feature = "tracing")]
macro_rules! traced {
    ($flow:literal, $body:expr) => {
        $crate::service::trace::run(
            || {
                ::tracing::info_span!(
                    concat!("dealer_portal.", $flow),
                    flow = $flow,
                    outcome = ::tracing::field::Empty,
                    actor = ::tracing::field::Empty,
                    establishment = ::tracing::field::Empty,
                )
            },
            $body,
        )
    };
}

/// Runs a flow's body (`|| -> Result<T>`); with the feature `tracing`, in the flow's span.
#[cfg(not(feature = "tracing"))]
macro_rules! traced {
    ($flow:literal, $body:expr) => {
        $crate::service::trace::run($body)
    };
}

/// Whether the current span is a flow's span (then a nested flow records into it).
#[cfg(feature = "tracing")]
fn in_flow() -> bool {
    tracing::Span::current().metadata().is_some_and(|m| {
        m.name().starts_with("dealer_portal.") && m.fields().field("outcome").is_some()
    })
}

/// Runs `body` in the span `span` makes (unless a flow's span is already current), then
/// records the outcome: `ok` or the error's code.
#[cfg(feature = "tracing")]
pub(crate) fn run<T>(
    span: impl FnOnce() -> tracing::Span,
    body: impl FnOnce() -> crate::Result<T>,
) -> crate::Result<T> {
    if in_flow() {
        return body();
    }
    let span = span();
    let result = span.in_scope(body);
    span.record(
        "outcome",
        match &result {
            Ok(_) => "ok",
            Err(e) => e.code(),
        },
    );
    result
}

/// Runs `body`: a flow without the feature `tracing`.
#[cfg(not(feature = "tracing"))]
#[inline(always)]
pub(crate) fn run<T>(body: impl FnOnce() -> crate::Result<T>) -> crate::Result<T> {
    body()
}

/// Records the acting account, and the establishment its session is connected to when it has
/// one, on the current flow's span.
#[cfg_attr(not(feature = "tracing"), inline(always))]
pub(crate) fn actor(_id: AccountId, _connected: Option<&EstablishmentCode>) {
    #[cfg(feature = "tracing")]
    tracing::Span::current().record("actor", tracing::field::display(_id));
    establishment(_connected);
}

/// Records the connected or targeted establishment on the current flow's span.
#[cfg_attr(not(feature = "tracing"), inline(always))]
pub(crate) fn establishment(_code: Option<&EstablishmentCode>) {
    #[cfg(feature = "tracing")]
    if let Some(code) = _code {
        tracing::Span::current().record("establishment", tracing::field::display(code));
    }
}

/// `f`, run in the span and under the subscriber current where this is called (the awaiting
/// task's, for `AsyncPortal`, whose calls run on a thread of tokio's blocking pool), so a flow's
/// span is a child of the caller's (a request's) and reaches a per-thread subscriber too.
#[cfg(all(feature = "tracing", feature = "tokio"))]
pub(crate) fn in_current_span<P: ?Sized, T>(
    f: impl FnOnce(&P) -> T + Send,
) -> impl FnOnce(&P) -> T + Send {
    let span = tracing::Span::current();
    let dispatch = tracing::dispatcher::get_default(Clone::clone);
    move |p: &P| tracing::dispatcher::with_default(&dispatch, || span.in_scope(|| f(p)))
}
