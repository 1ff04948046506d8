//! serde reads a struct from a JSON array as readily as from an object (`[null, "x"]`
//! fills the first two fields). The API's bodies are objects all the way down, so nested
//! structs are read with these, which accept an object only.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map))
    }
}

/// A struct written as an object.
pub fn only<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

/// An optional struct: `null`, or an object.
pub fn optional<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    struct Wrapped<T>(T);
    impl<'de, T: Deserialize<'de>> Deserialize<'de> for Wrapped<T> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            only(deserializer).map(Wrapped)
        }
    }
    Ok(Option::<Wrapped<T>>::deserialize(deserializer)?.map(|w| w.0))
}

/// A list of structs, each an object.
pub fn each<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Vec<T>, D::Error> {
    struct Each<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for Each<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an array of objects")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            struct Item<T>(T);
            impl<'de, T: Deserialize<'de>> Deserialize<'de> for Item<T> {
                fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    only(deserializer).map(Item)
                }
            }
            let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
            while let Some(Item(item)) = seq.next_element::<Item<T>>()? {
                items.push(item);
            }
            Ok(items)
        }
    }
    deserializer.deserialize_seq(Each(PhantomData))
}

/// An optional list of structs: `null`, or an array of objects.
pub fn optional_each<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Vec<T>>, D::Error> {
    struct Wrapped<T>(Vec<T>);
    impl<'de, T: Deserialize<'de>> Deserialize<'de> for Wrapped<T> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            each(deserializer).map(Wrapped)
        }
    }
    Ok(Option::<Wrapped<T>>::deserialize(deserializer)?.map(|w| w.0))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    struct Inner {
        #[serde(default)]
        a: Option<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Outer {
        #[serde(default, deserialize_with = "super::only")]
        one: Inner,
        #[serde(default, deserialize_with = "super::optional")]
        maybe: Option<Inner>,
        #[serde(default, deserialize_with = "super::each")]
        many: Vec<Inner>,
        #[serde(default, deserialize_with = "super::optional_each")]
        some: Option<Vec<Inner>>,
    }

    #[test]
    fn nested_structs_are_objects_only() {
        let read = |s: &str| serde_json::from_str::<Outer>(s);
        let ok = read(r#"{"one": {"a": "x"}, "maybe": null, "many": [{}, {"a": "y"}]}"#).unwrap();
        assert_eq!(ok.one.a.as_deref(), Some("x"));
        assert_eq!(ok.maybe, None);
        assert_eq!(ok.many.len(), 2);
        assert_eq!(read("{}").unwrap().many, vec![]);
        assert_eq!(read("{}").unwrap().some, None);
        assert_eq!(read(r#"{"some": null}"#).unwrap().some, None);
        assert_eq!(
            read(r#"{"some": [{}]}"#).unwrap().some.map(|s| s.len()),
            Some(1)
        );
        for bad in [
            r#"{"one": ["x"]}"#,
            r#"{"maybe": ["x"]}"#,
            r#"{"many": [["x"]]}"#,
            r#"{"some": [["x"]]}"#,
        ] {
            let error = read(bad).unwrap_err().to_string();
            assert!(error.contains("expected an object"), "{bad}: {error}");
        }
    }
}
