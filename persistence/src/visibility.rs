/// R11 as the queries apply it: which organisations' records a caller may see. Every list, read
/// and update of NGO-owned data filters by it, so a list, a read and a 404 agree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// Ministry staff, administrators and auditors.
    All,
    /// NGO staff and NGO systems: their own organisation only.
    Organization(String),
}

impl Visibility {
    /// Whether a record owned by `organization_id` is visible.
    pub fn allows(&self, organization_id: &str) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Organization(own) => own == organization_id,
        }
    }
}

/// A page of a keyset-paginated list: the items and the key after which the next page starts.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_after: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows, the extra one only telling whether more follow.
    pub fn from_rows(mut rows: Vec<T>, limit: usize, key: impl Fn(&T) -> String) -> Self {
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_after = if more { rows.last().map(key) } else { None };
        Self { items: rows, next_after }
    }
}
