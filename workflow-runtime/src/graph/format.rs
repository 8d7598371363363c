//! The export formats, chosen by name (the writers are behind the `export` feature).

use core::fmt;
use core::str::FromStr;

use super::Workflow;

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

#[cfg(feature = "export")]
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

/// Without the `export` feature the writers keep their names, so that a call of one is a
/// single error on it that names the feature (`ExportFeature`, which nothing implements),
/// not "no method named `to_mermaid`".
#[cfg(not(feature = "export"))]
#[doc(hidden)]
impl Workflow {
    pub fn to_mermaid<'a>(&'a self) -> String
    where
        &'a Self: crate::__private::ExportFeature,
    {
        crate::__private::ExportFeature::export(self)
    }

    pub fn to_bpmn<'a>(&'a self) -> String
    where
        &'a Self: crate::__private::ExportFeature,
    {
        crate::__private::ExportFeature::export(self)
    }

    pub fn to_conductor_json<'a>(&'a self) -> String
    where
        &'a Self: crate::__private::ExportFeature,
    {
        crate::__private::ExportFeature::export(self)
    }

    pub fn export<'a>(&'a self, _format: Format) -> String
    where
        &'a Self: crate::__private::ExportFeature,
    {
        crate::__private::ExportFeature::export(self)
    }
}

#[cfg(test)]
mod should {
    use super::*;

    #[test]
    fn parse_every_name_it_prints() {
        for format in Format::ALL {
            assert_eq!(format.to_string().parse::<Format>(), Ok(format));
            assert_eq!(format.extension().parse::<Format>(), Ok(format));
        }
        assert_eq!(" Mermaid ".parse::<Format>(), Ok(Format::Mermaid));
    }
}
