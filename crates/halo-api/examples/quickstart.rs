//! The README's library example: connect, create a ticket, update it, add a note, stream open tickets.
//!
//! ```sh
//! HALO_URL=https://acme.haloitsm.com HALO_CLIENT_ID=… HALO_CLIENT_SECRET=… HALO_TENANT=acme \
//!   cargo run -p halo-api --example quickstart
//! ```
//! Against halo-sim: `cargo run -p halo-sim` prints the URL, client id, secret and tenant to use.

use std::error::Error;
use std::sync::Arc;

use futures::TryStreamExt;
use halo_api::{HaloClient, NewAction, NewTicket, OutcomeRef, StatusId, TicketUpdate};
use halo_auth::{ClientCredentials, ClientCredentialsConfig, SecretString};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let instance = std::env::var("HALO_URL")?; // e.g. https://acme.haloitsm.com
    let mut config = ClientCredentialsConfig::new(
        std::env::var("HALO_CLIENT_ID")?,
        SecretString::from(std::env::var("HALO_CLIENT_SECRET")?),
        format!("{instance}/auth").parse()?,
    );
    if let Ok(tenant) = std::env::var("HALO_TENANT") {
        config = config.with_tenant(tenant);
    }
    let tokens = Arc::new(ClientCredentials::from_config(config)?);

    let client = HaloClient::builder()
        .resource_server(format!("{instance}/api").parse()?)
        .token_provider(tokens)
        .build()?;

    let me = client.get_agent_me().send().await?; // a cheap connection test
    println!("connected as agent {}", me.id);

    let ticket = client
        .create_ticket(NewTicket::new("VPN down for Finance"))
        .send()
        .await?;
    client
        .update_ticket(TicketUpdate::new(ticket.id).status(StatusId::new(2)))
        .send()
        .await?;
    client
        .add_action(
            NewAction::new(ticket.id, OutcomeRef::Name("Private Note".into())).note("Triaged"),
        )
        .send()
        .await?;

    // Paged lists stream with one page (at most 100 rows) in memory.
    let mut open = client
        .list_tickets()
        .open_only(true)
        .max_results(1_000)
        .stream();
    while let Some(t) = open.try_next().await? {
        println!("{} {}", t.id, t.summary.unwrap_or_default());
    }
    Ok(())
}
