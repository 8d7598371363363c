//! What the exporters share: escaping (XML, JSON), names (modifiers as phrases, short
//! source locations) and ids.

use core::fmt;

use super::{Location, Modifiers};

/// Text for an XML attribute or element: `& < > " '` as entities, line breaks as `&#10;`,
/// tabs as `&#9;`, other control characters (most not allowed in XML 1.0) left out, and
/// U+FFFE and U+FFFF, the other characters XML 1.0 does not allow (not even as
/// references), written as U+FFFD, the replacement character.
pub(super) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            NOT_XML_FFFE | NOT_XML_FFFF => out.push(char::REPLACEMENT_CHARACTER),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The two characters that are neither control characters nor surrogates (which a
/// `str` cannot hold) and that XML 1.0 does not allow: a writer whose text may end up in
/// XML (BPMN, and Mermaid's SVG) replaces them.
pub(super) const NOT_XML_FFFE: char = '\u{fffe}';
pub(super) const NOT_XML_FFFF: char = '\u{ffff}';

/// A JSON string literal, quotes included. JSON allows every other character as it is.
pub(super) fn json(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                use fmt::Write as _;
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `text` with every character that is not ASCII alphanumeric replaced by `_`: a piece
/// of an identifier (BPMN's XML ids, Mermaid's node ids, Conductor's references).
pub(super) fn ident(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The modifiers as short phrases: `optional`, `timeout 1s`, `retry 3, backoff = 20ms`.
pub(super) fn modifiers(modifiers: &Modifiers) -> Vec<String> {
    let mut out = Vec::new();
    if modifiers.optional {
        out.push("optional".to_owned());
    }
    if let Some(retry) = modifiers.retry {
        out.push(format!("retry {retry}"));
    }
    if let Some(timeout) = modifiers.timeout {
        out.push(format!("timeout {timeout}"));
    }
    out
}

/// A node's source location in a diagram's text: `file:line`.
pub(super) fn location(at: Location) -> String {
    format!("{}:{}", at.file, at.line)
}

/// Names handed out once each: `base`, else `base_2`, `base_3`, ... (BPMN ids, Conductor
/// task references).
#[derive(Debug, Default)]
pub(super) struct Unique(std::collections::HashMap<String, usize>);

impl Unique {
    /// A name no earlier call returned.
    pub(super) fn unique(&mut self, base: &str) -> String {
        let mut n = *self.0.get(base).unwrap_or(&0);
        loop {
            n += 1;
            let candidate = if n == 1 {
                base.to_owned()
            } else {
                format!("{base}_{n}")
            };
            if !self.0.contains_key(&candidate) {
                self.0.insert(base.to_owned(), n);
                self.0.entry(candidate.clone()).or_insert(1);
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod should {
    use super::*;

    #[test]
    fn escape_xml_and_json_text() {
        assert_eq!(
            xml("a < b && c > \"d\" 'e'\n\u{7}"),
            "a &lt; b &amp;&amp; c &gt; &quot;d&quot; &apos;e&apos;&#10;"
        );
        assert_eq!(
            xml("\u{fffe}x\u{ffff}\u{fffd}"),
            "\u{fffd}x\u{fffd}\u{fffd}"
        );
        assert_eq!(json("say \"hi\"\\\n\u{1}"), r#""say \"hi\"\\\n\u0001""#);
        assert_eq!(ident("r#type.x-1"), "r_type_x_1");
    }
}
