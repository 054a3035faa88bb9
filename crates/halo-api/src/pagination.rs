//! Paging through Halo lists: the pure state machine deciding which page to ask for next and when to stop, kept
//! apart from HTTP so its termination can be tested for any page size and record count.
//!
//! Halo pages with `pageinate=true&page_size=N&page_no=P` (1-based) and silently caps `page_size` at 100
//! (halo-api.md §3.5), so the stop rules never trust the requested size alone: stop on an empty page, a short page
//! (unless `record_count` says more remain), `record_count` reached, a repeated first id (Halo re-sends the last
//! page when asked past the end), or `max_results` reached.

/// Halo's hard cap on `page_size`.
pub const MAX_PAGE_SIZE: u32 = 100;

/// Which page to fetch next and when to stop.
#[derive(Debug, Clone)]
pub(crate) struct PageState {
    page_size: u32,
    next_page: u32,
    yielded: u64,
    max_results: Option<u64>,
    prev_first_id: Option<String>,
    done: bool,
}

/// What to do with a page that arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageVerdict {
    /// How many of the page's items to hand out (a prefix).
    pub take: usize,
    /// Whether another page should be fetched.
    pub more: bool,
}

impl PageState {
    /// `page_size` is clamped to 1..=100; `max_results` of 0 means "nothing".
    pub(crate) fn new(page_size: u32, max_results: Option<u64>) -> Self {
        PageState {
            page_size: page_size.clamp(1, MAX_PAGE_SIZE),
            next_page: 1,
            yielded: 0,
            max_results,
            prev_first_id: None,
            done: max_results == Some(0),
        }
    }

    /// The page size sent to Halo.
    #[cfg(test)]
    pub(crate) fn page_size(&self) -> u32 {
        self.page_size
    }

    /// The page number to fetch next, or `None` when finished.
    pub(crate) fn next_page(&self) -> Option<u32> {
        (!self.done).then_some(self.next_page)
    }

    /// Records a page of `len` items whose first item has id `first_id`, with Halo's `record_count` if sent.
    pub(crate) fn on_page(
        &mut self,
        len: usize,
        record_count: Option<u64>,
        first_id: Option<&str>,
    ) -> PageVerdict {
        if self.done {
            return PageVerdict {
                take: 0,
                more: false,
            };
        }
        let repeated = match (first_id, self.prev_first_id.as_deref()) {
            (Some(now), Some(before)) => now == before,
            _ => false,
        };
        if len == 0 || repeated {
            self.done = true;
            return PageVerdict {
                take: 0,
                more: false,
            };
        }
        let mut take = len;
        if let Some(max) = self.max_results {
            let room = max.saturating_sub(self.yielded);
            take = take.min(usize::try_from(room).unwrap_or(usize::MAX));
        }
        self.yielded += take as u64;
        self.prev_first_id = first_id.map(str::to_owned);
        self.next_page = self.next_page.saturating_add(1);

        let max_reached = self.max_results.is_some_and(|max| self.yielded >= max);
        let count_reached = record_count.is_some_and(|rc| self.yielded >= rc);
        // A short page ends the list, unless Halo's record_count says otherwise (a server capping below our
        // page size); a continued short page still yields at least one new item, so this terminates.
        let short = (len as u64) < u64::from(self.page_size)
            && record_count.is_none_or(|rc| self.yielded >= rc);
        let more = !(max_reached || count_reached || short || self.next_page == u32::MAX);
        self.done = !more;
        PageVerdict { take, more }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A fake Halo list: `total` items, pages capped at `cap`, and optionally re-sending the last page when asked
    /// past the end (as Halo does) and/or omitting record_count.
    fn serve(
        total: u64,
        cap: u32,
        page_size: u32,
        page_no: u32,
        resend_last: bool,
    ) -> (usize, Option<String>) {
        let size = u64::from(page_size.min(cap));
        let mut start = u64::from(page_no - 1) * size;
        if start >= total && resend_last && total > 0 {
            start = (total - 1) / size * size;
        }
        if start >= total {
            return (0, None);
        }
        let len = size.min(total - start);
        (len as usize, Some(start.to_string()))
    }

    fn run(
        total: u64,
        cap: u32,
        page_size: u32,
        with_count: bool,
        resend: bool,
        max: Option<u64>,
    ) -> (u32, u64) {
        let mut st = PageState::new(page_size, max);
        let mut requests = 0;
        let mut items = 0u64;
        while let Some(p) = st.next_page() {
            requests += 1;
            assert!(requests < 10_000, "runaway pagination");
            let (len, first) = serve(total, cap, st.page_size(), p, resend);
            let v = st.on_page(len, with_count.then_some(total), first.as_deref());
            items += v.take as u64;
        }
        (requests, items)
    }

    #[test]
    fn two_hundred_fifty_tickets_capped_at_100_take_three_pages() {
        assert_eq!(run(250, 100, 100, true, false, None), (3, 250));
        assert_eq!(run(250, 100, 1000, true, false, None), (3, 250));
        assert_eq!(run(200, 100, 100, true, false, None), (2, 200));
        // Without record_count an exact multiple needs one empty (or repeated) page to notice the end.
        assert_eq!(run(200, 100, 100, false, false, None), (3, 200));
        assert_eq!(run(200, 100, 100, false, true, None), (3, 200));
        assert_eq!(run(250, 100, 100, true, false, Some(120)), (2, 120));
        assert_eq!(run(0, 100, 100, true, false, None), (1, 0));
        assert_eq!(run(10, 100, 100, true, false, Some(0)), (0, 0));
    }

    #[test]
    fn server_capping_below_page_size_is_followed_by_record_count() {
        assert_eq!(run(250, 50, 100, true, false, None), (5, 250));
    }

    proptest! {
        #[test]
        fn terminates_with_every_item_exactly_once(
            total in 0u64..2_000,
            cap in 1u32..150,
            page_size in 0u32..500,
            with_count in any::<bool>(),
            resend in any::<bool>(),
            max in proptest::option::of(0u64..3_000),
        ) {
            let (requests, items) = run(total, cap, page_size, with_count, resend, max);
            let expected = max.map_or(total, |m| m.min(total));
            let effective = u64::from(page_size.clamp(1, MAX_PAGE_SIZE).min(cap));
            if with_count || cap >= page_size.clamp(1, MAX_PAGE_SIZE) {
                prop_assert_eq!(items, expected);
                // Never more than one page beyond what the items need.
                prop_assert!(u64::from(requests) <= expected.div_ceil(effective) + 1);
            } else {
                // A server capping below our page size without record_count looks like a short last page.
                prop_assert!(items <= expected);
            }
        }
    }
}
