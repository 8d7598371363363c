//! The export formats, chosen by name, and what their writers share: escaping (XML,
//! JSON), names (modifiers as phrases, short source locations) and ids.

use core::fmt;
use core::str::FromStr;

use super::{Location, Modifiers, Workflow};

/// A format a [`Workflow`] exports to: [`Workflow::export`] writes it.
///
/// Parsed from its name (`mermaid`, `bpmn`, `conductor`; also `mmd`, `xml`, `json`), as a
/// command line would take it.
///
/// ```
/// use workflow_runtime::graph::Format;
///
/// let format: Format = "bpmn".parse().unwrap();
/// assert_eq!(format, Format::Bpmn);
/// assert_eq!(format.extension(), "bpmn");
/// assert_eq!(Format::ALL.map(|f| f.to_string()), ["mermaid", "bpmn", "conductor"]);
/// assert!("svg".parse::<Format>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// A Mermaid `flowchart LR` ([`Workflow::to_mermaid`]).
    Mermaid,
    /// BPMN 2.0 XML with its diagram ([`Workflow::to_bpmn`]).
    Bpmn,
    /// A Conductor workflow definition ([`Workflow::to_conductor_json`]).
    Conductor,
}

impl Format {
    /// Every format, in the order the command-line help lists them.
    pub const ALL: [Format; 3] = [Format::Mermaid, Format::Bpmn, Format::Conductor];

    /// The file extension a file of this format takes: `mmd`, `bpmn` or `json`.
    ///
    /// ```
    /// use workflow_runtime::graph::Format;
    ///
    /// assert_eq!(Format::Conductor.extension(), "json");
    /// ```
    #[must_use]
    pub const fn extension(self) -> &'static str {
        match self {
            Format::Mermaid => "mmd",
            Format::Bpmn => "bpmn",
            Format::Conductor => "json",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Mermaid => "mermaid",
            Format::Bpmn => "bpmn",
            Format::Conductor => "conductor",
        })
    }
}

/// A format name that is none of [`Format`]'s.
///
/// ```
/// use workflow_runtime::graph::Format;
///
/// let error = "png".parse::<Format>().unwrap_err();
/// assert_eq!(error.to_string(), "unknown format `png`: expected mermaid, bpmn or conductor");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFormatError {
    name: String,
}

impl fmt::Display for ParseFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown format `{}`: expected mermaid, bpmn or conductor",
            self.name
        )
    }
}

impl std::error::Error for ParseFormatError {}

impl FromStr for Format {
    type Err = ParseFormatError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.trim().to_ascii_lowercase().as_str() {
            "mermaid" | "mmd" => Ok(Format::Mermaid),
            "bpmn" | "xml" => Ok(Format::Bpmn),
            "conductor" | "json" => Ok(Format::Conductor),
            _ => Err(ParseFormatError {
                name: name.to_owned(),
            }),
        }
    }
}

impl Workflow {
    /// Writes the workflow's graph in `format`: the same text as [`to_mermaid`],
    /// [`to_bpmn`] or [`to_conductor_json`].
    ///
    /// [`to_mermaid`]: Workflow::to_mermaid
    /// [`to_bpmn`]: Workflow::to_bpmn
    /// [`to_conductor_json`]: Workflow::to_conductor_json
    ///
    /// ```
    /// use workflow_runtime::graph::Format;
    /// use workflow_runtime::workflow;
    ///
    /// async fn product(id: u32) -> u32 { id }
    /// async fn customer(id: u32) -> u32 { id }
    ///
    /// workflow! {
    ///     async fn prepare(order: u32) -> u32 {
    ///         fork < product: product(order), customer: customer(order) > join(product, customer);
    ///         product + customer
    ///     }
    /// }
    ///
    /// for format in Format::ALL {
    ///     let text = PREPARE_GRAPH.export(format);
    ///     assert!(text.contains("customer"), "{format}: {text}");
    /// }
    /// ```
    #[must_use]
    pub fn export(&self, format: Format) -> String {
        match format {
            Format::Mermaid => self.to_mermaid(),
            Format::Bpmn => self.to_bpmn(),
            Format::Conductor => self.to_conductor_json(),
        }
    }
}

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

    #[test]
    fn parse_every_name_it_prints() {
        for format in Format::ALL {
            assert_eq!(format.to_string().parse::<Format>(), Ok(format));
            assert_eq!(format.extension().parse::<Format>(), Ok(format));
        }
        assert_eq!(" Mermaid ".parse::<Format>(), Ok(Format::Mermaid));
    }
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
