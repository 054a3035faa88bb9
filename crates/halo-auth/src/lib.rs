//! OAuth2 token management for HaloITSM.
//!
//! - [`TokenProvider`]: the trait an API client uses (`token()`, `reject()`, `stats()`).
//! - [`ClientCredentials`]: the client-credentials grant on the `oauth2` crate, over the
//!   workspace's reqwest client; cached until `expires_in` minus a skew, one token request for
//!   any number of concurrent callers, one refresh for a burst of 401s.
//! - [`discover`] / [`discover_authorization_server`]: find the authorisation server (and
//!   tenant) from an instance URL via `GET /api/authinfo`, falling back to `<instance>/auth`.
//! - [`StaticToken`]: a fixed token, for tests and externally managed tokens.
//!
//! The client secret and tokens are [`secrecy`] types from configuration to the wire; no
//! `Debug`, `Display`, error or log line of this crate contains either.
#![warn(missing_docs)]

mod client_credentials;
mod discovery;
mod error;
mod http_adapter;
mod provider;
mod sanitize;
mod static_token;
mod token;

pub use client_credentials::{ClientCredentials, ClientCredentialsConfig};
pub use discovery::{
    DISCOVERY_TIMEOUT, Discovery, DiscoverySource, discover, discover_authorization_server,
};
pub use error::{AuthError, AuthErrorKind};
pub use http_adapter::token_http_client;
pub use provider::TokenProvider;
pub use secrecy::{ExposeSecret, SecretString};
pub use static_token::StaticToken;
pub use token::{BearerToken, TokenStats};
