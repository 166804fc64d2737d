//! REFI-QDA (QDA-XML 1.0) interchange beyond what [`crate::export`] writes: the settings that
//! travel in descriptions ([`header`]), and the import of another tool's project archive
//! (`.qdpx`) as a normcode project ([`import`]).

mod archive;
pub mod codes;
mod dom;
pub mod header;
pub mod import;
mod mapping;
mod positions;

/// A value inside a `normcode: key=value ...` line: `%`, white space, `=`, `,` and `:` written
/// as `%XX`, so that any id or attribute value fits in one token.
pub fn encode_token(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c == '%' || c == '=' || c == ',' || c == ':' || c.is_whitespace() || c.is_control() {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The value [`encode_token`] wrote; `None` when it is not well formed.
pub fn decode_token(token: &str) -> Option<String> {
    let bytes = token.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = token.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_read_back() {
        for value in ["relevance", "a b=c,d:e%", "中文 id", ""] {
            let token = encode_token(value);
            assert!(!token.contains([' ', '=', ',', ':']));
            assert_eq!(decode_token(&token).as_deref(), Some(value));
        }
        assert_eq!(decode_token("%G1"), None);
    }
}
