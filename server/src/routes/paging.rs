//! Pages of lists: one row more than asked for is fetched, which tells whether another
//! page exists without counting.

use app::api::portal::Page;

use crate::error::ApiError;

/// The page size asked for (or `default`), refused outside `1..=max`.
pub fn limit(asked: Option<i64>, default: i64, max: i64) -> Result<i64, ApiError> {
    let limit = asked.unwrap_or(default);
    if (1..=max).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::field(
            "limit",
            format!("must be between 1 and {max}"),
        ))
    }
}

/// The longest id cursor (`?after=`, `?before=`) the vendor API takes, in characters, as
/// the OpenAPI document's `maxLength` counts them.
pub const MAX_ID_CURSOR_CHARS: usize = 64;

/// An id cursor as asked for, refused by `field` when it is longer than any id.
pub fn id_cursor<'a>(
    asked: Option<&'a str>,
    field: &'static str,
    problem: &'static str,
) -> Result<Option<&'a str>, ApiError> {
    match asked {
        Some(cursor) if cursor.chars().count() > MAX_ID_CURSOR_CHARS => {
            Err(ApiError::field(field, problem))
        }
        _ => Ok(asked),
    }
}

/// Rows fetched with `limit + 1`, as a page of `limit` and the cursor of its last row
/// when more follow.
pub fn page<T>(mut rows: Vec<T>, limit: i64, cursor_of: impl Fn(&T) -> String) -> Page<T> {
    let limit = usize::try_from(limit).unwrap_or(0);
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(cursor_of)
    } else {
        None
    };
    Page {
        data: rows,
        next_cursor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_extra_row_means_another_page() {
        let full = page(vec![1, 2, 3], 2, |n| n.to_string());
        assert_eq!(full.data, [1, 2]);
        assert_eq!(full.next_cursor.as_deref(), Some("2"));
        let last = page(vec![1, 2], 2, |n| n.to_string());
        assert_eq!(last.data, [1, 2]);
        assert_eq!(last.next_cursor, None);
    }

    #[test]
    fn limits_outside_the_range_name_the_field() {
        assert_eq!(limit(None, 25, 100).unwrap(), 25);
        for bad in [0, 101, -1] {
            match limit(Some(bad), 25, 100) {
                Err(ApiError::Validation(f)) => assert_eq!(f[0].field, "limit"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }
}
