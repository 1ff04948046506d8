//! The closed sets of values a record's fields take (statuses, kinds, intervals), each
//! with one spelling shared by the database, the API and the UI.

use serde::{Deserialize, Serialize};

/// Declares a closed set of lower-case string values with `as_str`, `ALL` and `FromStr`,
/// so that the database, the API and the UI agree on one spelling.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        // Written out rather than derived: utoipa's derive does not see the renames of
        // enums made by this macro; these are the very literals `as_str` returns.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value's wire and database spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue {
                        expected: &[$($text),+],
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use string_enum;

/// A string that is not one of an enumeration's values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownValue {
    /// The values that would have been accepted.
    pub expected: &'static [&'static str],
}

impl std::fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "must be one of: {}", self.expected.join(", "))
    }
}

string_enum!(
    /// Where an invoice stands. Drafts are stored but never shown to customers.
    InvoiceStatus {
        Draft => "draft",
        Open => "open",
        Paid => "paid",
        PartiallyPaid => "partially_paid",
        Overdue => "overdue",
        Void => "void",
        Uncollectible => "uncollectible",
    }
);

string_enum!(
    /// Whether a credit note still counts.
    CreditNoteStatus {
        Issued => "issued",
        Void => "void",
    }
);

string_enum!(
    /// Money in (payment) or money back (refund).
    PaymentKind {
        Payment => "payment",
        Refund => "refund",
    }
);

string_enum!(
    /// Outcome of a payment or refund.
    PaymentStatus {
        Pending => "pending",
        Succeeded => "succeeded",
        Failed => "failed",
    }
);

string_enum!(
    /// Where a subscription stands.
    SubscriptionStatus {
        Trialing => "trialing",
        Active => "active",
        PastDue => "past_due",
        Paused => "paused",
        Cancelled => "cancelled",
    }
);

string_enum!(
    /// How often a subscription renews.
    BillingInterval {
        Week => "week",
        Month => "month",
        Quarter => "quarter",
        Year => "year",
    }
);

string_enum!(
    /// The kind of instrument a payment method is.
    PaymentMethodKind {
        Card => "card",
        SepaDebit => "sepa_debit",
        BankTransfer => "bank_transfer",
        Paypal => "paypal",
    }
);
