//! List operations. [`List`] is one request answered with an array (or an envelope); [`PagedList`] pages through
//! `pageinate=true` lists as a [`Stream`](futures::Stream) of items or of pages, one page in memory at a time.

use std::marker::PhantomData;

use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use halo_model::ListEnvelope;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::client::HaloClient;
use crate::error::Error;
use crate::pagination::{MAX_PAGE_SIZE, PageState};
use crate::query::to_pairs;
use crate::request::RequestParts;
use crate::route::Route;
use crate::send::{decode, decode_error};

/// A list fetched with one request (lookups, actions, attachments): Halo answers with a bare array or an envelope.
#[must_use = "requests do nothing until sent"]
pub struct List<T, Q> {
    pub(crate) client: HaloClient,
    pub(crate) route: Route,
    /// The query filters.
    pub(crate) query: Q,
    _item: PhantomData<fn() -> T>,
}

impl<T, Q> List<T, Q>
where
    T: DeserializeOwned,
    Q: Serialize,
{
    pub(crate) fn new(client: &HaloClient, route: Route, query: Q) -> Self {
        List {
            client: client.clone(),
            route,
            query,
            _item: PhantomData,
        }
    }

    /// The request this builder sends (pure).
    pub fn build(&self) -> RequestParts {
        RequestParts::new(self.route.clone()).query(to_pairs(&self.query).unwrap_or_default())
    }

    /// Sends the request and returns every item.
    ///
    /// # Errors
    /// Any [`Error`]; [`ErrorKind::Decode`](crate::ErrorKind::Decode) when an item does not match the expected type.
    pub async fn send(self) -> Result<Vec<T>, Error> {
        let parts = self.try_build()?;
        let resp = self.client.execute(&parts).await?;
        let env: ListEnvelope<T> = decode(&resp, &parts)?;
        Ok(env.items)
    }

    fn try_build(&self) -> Result<RequestParts, Error> {
        Ok(RequestParts::new(self.route.clone()).query(to_pairs(&self.query)?))
    }
}

/// One page of a [`PagedList`].
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items of this page (already cut to `max_results`).
    pub items: Vec<T>,
    /// 1-based page number.
    pub page_no: u32,
    /// Halo's total count of matching records, when sent.
    pub record_count: Option<u64>,
}

/// A paged list (tickets, clients, sites, users): `pageinate=true`, `page_size` ≤ 100.
///
/// ```no_run
/// # async fn demo(client: halo_api::HaloClient) -> Result<(), halo_api::Error> {
/// use futures::TryStreamExt;
/// let mut open = client.list_tickets().open_only(true).max_results(500).stream();
/// while let Some(ticket) = open.try_next().await? {
///     println!("{} {}", ticket.id, ticket.summary.unwrap_or_default());
/// }
/// # Ok(()) }
/// ```
#[must_use = "requests do nothing until sent"]
pub struct PagedList<T, Q> {
    pub(crate) client: HaloClient,
    pub(crate) route: Route,
    /// The query filters.
    pub(crate) query: Q,
    page_size: u32,
    max_results: Option<u64>,
    paginate: bool,
    _item: PhantomData<fn() -> T>,
}

/// The query keys [`PageParams`] sends.
const PAGE_KEYS: [&str; 3] = ["pageinate", "page_size", "page_no"];

#[derive(Serialize)]
struct PageParams {
    pageinate: bool,
    page_size: u32,
    page_no: u32,
}

impl<T, Q> PagedList<T, Q>
where
    T: DeserializeOwned + Send + 'static,
    Q: Serialize + Send + 'static,
{
    pub(crate) fn new(client: &HaloClient, route: Route, query: Q) -> Self {
        PagedList {
            client: client.clone(),
            route,
            query,
            page_size: MAX_PAGE_SIZE,
            max_results: None,
            paginate: true,
            _item: PhantomData,
        }
    }

    /// Rows per page (clamped to 1..=100, Halo's cap; default 100).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// Stop after this many items in total.
    pub fn max_results(mut self, max: u64) -> Self {
        self.max_results = Some(max);
        self
    }

    /// Turn paging off (one request; combine with a `count` filter where the endpoint has one).
    pub fn paginate(mut self, on: bool) -> Self {
        self.paginate = on;
        self
    }

    /// The request for page 1 (pure).
    pub fn build(&self) -> RequestParts {
        self.build_page(1)
    }

    /// The request for page `page_no` (pure).
    pub fn build_page(&self, page_no: u32) -> RequestParts {
        self.try_build_page(page_no)
            .unwrap_or_else(|_| RequestParts::new(self.route.clone()))
    }

    fn try_build_page(&self, page_no: u32) -> Result<RequestParts, Error> {
        let mut parts = RequestParts::new(self.route.clone()).query(to_pairs(&self.query)?);
        if self.paginate {
            // The paging keys are the list's own: one set by a filter escape hatch gives way.
            parts
                .query
                .retain(|(key, _)| !PAGE_KEYS.contains(&key.as_str()));
            let params = PageParams {
                pageinate: true,
                page_size: self.page_size,
                page_no: page_no.max(1),
            };
            parts = parts.query(to_pairs(&params)?);
        }
        Ok(parts)
    }

    /// A stream of pages. Stops on an empty page, a short page, `record_count` reached, a repeated first id or
    /// `max_results`; the first error ends it.
    pub fn pages(self) -> BoxStream<'static, Result<Page<T>, Error>> {
        let state = PageState::new(
            if self.paginate {
                self.page_size
            } else {
                u32::MAX
            },
            self.max_results,
        );
        stream::try_unfold(
            (self, state, false),
            |(list, mut state, finished)| async move {
                if finished {
                    return Ok(None);
                }
                let Some(page_no) = state.next_page() else {
                    return Ok(None);
                };
                let parts = list.try_build_page(page_no)?;
                let resp = list.client.execute(&parts).await?;
                let env: ListEnvelope<Value> = decode(&resp, &parts)?;
                let first_id = env.items.first().and_then(|v| v.get("id")).map(id_key);
                let len = env.items.len();
                let verdict = state.on_page(len, env.record_count, first_id.as_deref());
                let items = env
                    .items
                    .into_iter()
                    .take(verdict.take)
                    .map(serde_json::from_value::<T>)
                    .collect::<Result<Vec<T>, _>>()
                    .map_err(|e| decode_error(&resp, &parts, e))?;
                // Without paging the one answer is the whole list.
                let done = !verdict.more || !list.paginate;
                let page = Page {
                    items,
                    page_no,
                    record_count: env.record_count,
                };
                Ok(Some((page, (list, state, done))))
            },
        )
        .try_filter(|page| futures::future::ready(!page.items.is_empty() || page.page_no == 1))
        .boxed()
    }

    /// A stream of items across pages (one page buffered at a time).
    pub fn stream(self) -> BoxStream<'static, Result<T, Error>> {
        self.pages()
            .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }

    /// Fetches every matching item (bounded by `max_results`) into memory. Prefer [`stream`](Self::stream) for
    /// large lists.
    ///
    /// # Errors
    /// The first [`Error`] of any page.
    pub async fn send(self) -> Result<Vec<T>, Error> {
        self.stream().try_collect().await
    }

    /// The first page only.
    ///
    /// # Errors
    /// Any [`Error`].
    pub async fn first_page(self) -> Result<Page<T>, Error> {
        match self.pages().next().await {
            Some(page) => page,
            None => Ok(Page {
                items: Vec::new(),
                page_no: 1,
                record_count: Some(0),
            }),
        }
    }
}

impl<T, Q> std::future::IntoFuture for List<T, Q>
where
    T: DeserializeOwned + Send + 'static,
    Q: Serialize + Send + 'static,
{
    type Output = Result<Vec<T>, Error>;
    type IntoFuture = futures::future::BoxFuture<'static, Self::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<T, Q> std::future::IntoFuture for PagedList<T, Q>
where
    T: DeserializeOwned + Send + 'static,
    Q: Serialize + Send + 'static,
{
    type Output = Result<Vec<T>, Error>;
    type IntoFuture = futures::future::BoxFuture<'static, Self::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

fn id_key(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
