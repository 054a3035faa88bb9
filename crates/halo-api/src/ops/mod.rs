//! The operations: one request builder per Halo operation, each with a pure `build()` and an async `send()`.
//! Shared list machinery (single-request lists and paged lists with streams) lives in [`list`].

pub mod actions;
pub mod attachments;
pub mod list;
pub mod lookups;
pub mod raw;
pub mod tickets;

/// Generates builder setters that store `Some(value)` into a query struct field.
macro_rules! query_setters {
    ($builder:ty { $( $(#[$doc:meta])* $name:ident => $field:ident : $ty:ty ),* $(,)? }) => {
        impl $builder {
            $(
                $(#[$doc])*
                pub fn $name(mut self, value: $ty) -> Self {
                    self.query.$field = Some(value.into());
                    self
                }
            )*
        }
    };
}
pub(crate) use query_setters;

/// Formats a timestamp for Halo's query strings: UTC, whole seconds (rounded down, so "from" filters never skip a
/// record updated within the same second).
pub(crate) fn query_date(dt: &chrono::DateTime<chrono::Utc>) -> String {
    dt.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Makes a builder awaitable directly (`client.get_ticket(id).await`), as shorthand for `.send().await`.
macro_rules! into_future {
    ($builder:ty => $output:ty) => {
        impl std::future::IntoFuture for $builder {
            type Output = Result<$output, crate::Error>;
            type IntoFuture = futures::future::BoxFuture<'static, Self::Output>;
            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}
pub(crate) use into_future;
