//! Passwords: the length rules, argon2id hashing, verification in constant time, and random tokens from the operating system.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use super::TeamError;

/// The shortest password accepted, in characters (NIST SP 800-63B asks for at least 8; a shared
/// server holding every trainee's record asks for more).
pub const MIN_PASSWORD_CHARS: usize = 12;

/// The longest password accepted, in bytes: hashing is costly, and a megabyte "password" would
/// make each login attempt cost more.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Refuses a password the rules do not allow.
pub fn check_password_rules(login: &str, password: &str) -> Result<(), TeamError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(TeamError::PasswordTooShort {
            min: MIN_PASSWORD_CHARS,
            got: chars,
        });
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(TeamError::PasswordTooLong {
            max: MAX_PASSWORD_BYTES,
        });
    }
    if password.trim().eq_ignore_ascii_case(login.trim()) {
        return Err(TeamError::PasswordIsLogin);
    }
    Ok(())
}

/// The argon2id hash of a password with a fresh random salt, as a PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$…`): the default parameters are OWASP's minimum for argon2id.
pub fn hash_password(password: &str) -> Result<String, TeamError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|error| TeamError::Hash(error.to_string()))
}

/// Whether `password` matches a stored hash; the hash's comparison is constant-time, and a
/// malformed stored hash matches nothing.
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored_hash) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// Spends the time of one verification for a login that has no account, so that the answer's
/// timing does not tell which logins exist.
pub fn verify_against_nothing(password: &str) {
    static DECOY: OnceLock<String> = OnceLock::new();
    let decoy = DECOY.get_or_init(|| {
        hash_password("a decoy password nobody has").unwrap_or_else(|_| String::new())
    });
    let _ = verify_password(password, decoy);
}

/// `bytes` random bytes from the operating system's generator, as lowercase hex.
pub fn random_hex(bytes: usize) -> Result<String, TeamError> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).map_err(|error| TeamError::Random(error.to_string()))?;
    Ok(hex::encode(buffer))
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn secrets_match(expected: &str, presented: &str) -> bool {
    use subtle::ConstantTimeEq as _;
    expected.len() == presented.len() && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("correct horse battery").expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterz", &hash));
        assert!(!verify_password("correct horse battery", "not a hash"));
        // A fresh salt each time: the same password never hashes the same.
        assert_ne!(hash, hash_password("correct horse battery").expect("hash"));
    }

    #[test]
    fn short_long_and_login_passwords_are_refused() {
        assert!(matches!(
            check_password_rules("ana", "short"),
            Err(TeamError::PasswordTooShort { got: 5, .. })
        ));
        assert!(matches!(
            check_password_rules("ana", &"x".repeat(MAX_PASSWORD_BYTES + 1)),
            Err(TeamError::PasswordTooLong { .. })
        ));
        assert!(matches!(
            check_password_rules("ana.lopez.smith", "Ana.Lopez.Smith"),
            Err(TeamError::PasswordIsLogin)
        ));
        // Twelve characters, not bytes: accents count once.
        assert!(check_password_rules("ana", "éééééééééééé").is_ok());
    }

    #[test]
    fn tokens_are_random_and_compared_whole() {
        let a = random_hex(32).expect("random");
        let b = random_hex(32).expect("random");
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert!(secrets_match(&a, &a.clone()));
        assert!(!secrets_match(&a, &b));
        assert!(!secrets_match(&a, &a[..63]));
    }
}
