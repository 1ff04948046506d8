//! Secrets handed to vendors and customers: API keys, link tokens and session tokens.
//!
//! Each is 256 bits from the operating system's CSPRNG, URL-safe base64 encoded, and stored
//! only as its SHA-256. Hashes are compared in constant time.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::rngs::OsRng;
use rand::TryRngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Prefix that makes a Portico API key recognisable in code, logs and secret scanners.
pub const API_KEY_PREFIX: &str = "ptc_";

/// How many leading characters of an API key are stored in clear to tell keys apart.
pub const API_KEY_SHOWN_CHARS: usize = 12;

/// 256 random bits as 43 URL-safe characters.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the operating system's random source failed");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A new API key: the recognisable prefix and a random token.
pub fn new_api_key() -> String {
    format!("{API_KEY_PREFIX}{}", random_token())
}

/// The part of an API key that is kept and shown in lists.
pub fn api_key_prefix(key: &str) -> String {
    key.chars().take(API_KEY_SHOWN_CHARS).collect()
}

/// The SHA-256 of a token, as stored.
pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Whether `token` hashes to `stored`, in time independent of where they differ.
pub fn matches(token: &str, stored: &[u8]) -> bool {
    hash(token).ct_eq(stored).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_256_bits_and_never_repeat() {
        let a = random_token();
        let b = random_token();
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
    }

    #[test]
    fn api_keys_are_recognisable_and_prefix_is_short() {
        let key = new_api_key();
        assert!(key.starts_with("ptc_"));
        assert_eq!(key.len(), 4 + 43);
        assert_eq!(api_key_prefix(&key).len(), 12);
        assert!(key.starts_with(&api_key_prefix(&key)));
    }

    #[test]
    fn hash_matches_only_the_same_token() {
        let token = random_token();
        let stored = hash(&token);
        assert_eq!(stored.len(), 32);
        assert!(matches(&token, &stored));
        assert!(!matches(&random_token(), &stored));
        assert!(!matches(&token, &stored[..31]));
    }
}
