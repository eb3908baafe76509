//! Random secrets handed out once (client secrets, temporary passwords, client ids).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// 32 random bytes, base64url: 43 characters, 256 bits.
pub fn random_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// A short random identifier: `prefix` and 16 hex characters.
pub fn random_id(prefix: &str) -> Result<String, getrandom::Error> {
    let mut bytes = [0_u8; 8];
    getrandom::fill(&mut bytes)?;
    Ok(format!("{prefix}{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_long_and_distinct() {
        let (a, b) = (super::random_secret().unwrap(), super::random_secret().unwrap());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(super::random_id("ngo-").unwrap().starts_with("ngo-"));
    }
}
