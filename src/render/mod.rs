//! Documents rendered with handlebars from `templates/`: the court proposal as a printable
//! HTML page and as plain text. The templates are compiled into the binary (so it renders
//! the same wherever it runs) and checked when the service starts. HTML templates escape
//! every value; the text templates escape nothing, since they are never shown as HTML.

pub mod format;
pub mod proposal;

use handlebars::Handlebars;
use serde::Serialize;

/// Every template, by name, with its source.
const HTML_TEMPLATES: &[(&str, &str)] = &[(
    "proposal",
    include_str!("../../templates/proposal.html.hbs"),
)];
const TEXT_TEMPLATES: &[(&str, &str)] =
    &[("proposal", include_str!("../../templates/proposal.txt.hbs"))];
/// Partials (`templates/partials/`), by the name templates call them with.
const HTML_PARTIALS: &[(&str, &str)] = &[(
    "proposal-package",
    include_str!("../../templates/partials/proposal-package.html.hbs"),
)];
const TEXT_PARTIALS: &[(&str, &str)] = &[(
    "proposal-package",
    include_str!("../../templates/partials/proposal-package.txt.hbs"),
)];

/// The pages (`templates/pages/`, `web`), their layout and the design system's components
/// (`templates/partials/govuk/`, following GOV.UK Frontend's markup; tests compare them with its
/// published examples).
pub const PAGE_TEMPLATES: &[(&str, &str)] = &[
    (
        "sign-in",
        include_str!("../../templates/pages/sign-in.html.hbs"),
    ),
    (
        "catalogue",
        include_str!("../../templates/pages/catalogue.html.hbs"),
    ),
    (
        "intervention",
        include_str!("../../templates/pages/intervention.html.hbs"),
    ),
    (
        "caseload",
        include_str!("../../templates/pages/caseload.html.hbs"),
    ),
    (
        "child",
        include_str!("../../templates/pages/child.html.hbs"),
    ),
    ("plan", include_str!("../../templates/pages/plan.html.hbs")),
    (
        "provision",
        include_str!("../../templates/pages/provision.html.hbs"),
    ),
    (
        "provision-one",
        include_str!("../../templates/pages/provision-one.html.hbs"),
    ),
    ("gaps", include_str!("../../templates/pages/gaps.html.hbs")),
    (
        "what-if",
        include_str!("../../templates/pages/what-if.html.hbs"),
    ),
    (
        "reviews",
        include_str!("../../templates/pages/reviews.html.hbs"),
    ),
];
pub const PAGE_PARTIALS: &[(&str, &str)] = &[
    (
        "layout",
        include_str!("../../templates/pages/layout.html.hbs"),
    ),
    (
        "govuk/back-link",
        include_str!("../../templates/partials/govuk/back-link.html.hbs"),
    ),
    (
        "govuk/button",
        include_str!("../../templates/partials/govuk/button.html.hbs"),
    ),
    (
        "govuk/error-message",
        include_str!("../../templates/partials/govuk/error-message.html.hbs"),
    ),
    (
        "govuk/error-summary",
        include_str!("../../templates/partials/govuk/error-summary.html.hbs"),
    ),
    (
        "govuk/generic-header",
        include_str!("../../templates/partials/govuk/generic-header.html.hbs"),
    ),
    (
        "govuk/inset-text",
        include_str!("../../templates/partials/govuk/inset-text.html.hbs"),
    ),
    (
        "govuk/notification-banner",
        include_str!("../../templates/partials/govuk/notification-banner.html.hbs"),
    ),
    (
        "govuk/service-navigation",
        include_str!("../../templates/partials/govuk/service-navigation.html.hbs"),
    ),
    (
        "govuk/summary-list",
        include_str!("../../templates/partials/govuk/summary-list.html.hbs"),
    ),
    (
        "govuk/tag",
        include_str!("../../templates/partials/govuk/tag.html.hbs"),
    ),
    (
        "govuk/warning-text",
        include_str!("../../templates/partials/govuk/warning-text.html.hbs"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template {0} does not compile")]
    Template(String, #[source] Box<handlebars::TemplateError>),
    #[error("template {0} could not be rendered")]
    Render(String, #[source] Box<handlebars::RenderError>),
}

/// The two registries: HTML (escaping) and text (plain).
pub struct Renderer {
    html: Handlebars<'static>,
    text: Handlebars<'static>,
    pages: Handlebars<'static>,
    /// Each HTML template's Content-Security-Policy: nothing may load but its own style
    /// block, allowed by its hash (no inline script, no framing).
    policies: Vec<(&'static str, String)>,
}

/// The policy for a page whose only style is the `<style>` block of `source`.
fn policy_for(source: &str) -> String {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let style = source
        .split_once("<style>")
        .and_then(|(_, rest)| rest.split_once("</style>"))
        .map_or("", |(style, _)| style);
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(style.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'"
    )
}

impl Renderer {
    pub fn new() -> Result<Renderer, RenderError> {
        let mut html = Handlebars::new();
        // A missing field is an error, never an empty string in a court report.
        html.set_strict_mode(true);
        let mut text = Handlebars::new();
        text.set_strict_mode(true);
        text.register_escape_fn(handlebars::no_escape);
        for (registry, templates, partials) in [
            (&mut html, HTML_TEMPLATES, HTML_PARTIALS),
            (&mut text, TEXT_TEMPLATES, TEXT_PARTIALS),
        ] {
            for (name, source) in partials {
                registry
                    .register_partial(name, source)
                    .map_err(|e| RenderError::Template(name.to_string(), Box::new(e)))?;
            }
            for (name, source) in templates {
                registry
                    .register_template_string(name, source)
                    .map_err(|e| RenderError::Template(name.to_string(), Box::new(e)))?;
            }
        }
        let pages = page_registry()?;
        let policies = HTML_TEMPLATES
            .iter()
            .map(|(name, source)| (*name, policy_for(source)))
            .collect();
        Ok(Renderer {
            html,
            text,
            pages,
            policies,
        })
    }

    /// The Content-Security-Policy to send with the HTML template `name`.
    pub fn policy(&self, name: &str) -> &str {
        self.policies
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("default-src 'none'; frame-ancestors 'none'", |(_, p)| p)
    }

    pub fn html(&self, name: &str, view: &impl Serialize) -> Result<String, RenderError> {
        self.html
            .render(name, view)
            .map_err(|e| RenderError::Render(name.to_string(), Box::new(e)))
    }

    /// A page (`templates/pages/`); values are escaped.
    pub fn page(&self, name: &str, view: &impl Serialize) -> Result<String, RenderError> {
        self.pages
            .render(name, view)
            .map_err(|e| RenderError::Render(name.to_string(), Box::new(e)))
    }

    pub fn text(&self, name: &str, view: &impl Serialize) -> Result<String, RenderError> {
        let out = self
            .text
            .render(name, view)
            .map_err(|e| RenderError::Render(name.to_string(), Box::new(e)))?;
        Ok(tidy_text(&out))
    }
}

/// The pages' registry: escaping, with the date and words helpers. Not strict: pages show
/// optional fields only when present (the page tests check what each page shows).
pub fn page_registry() -> Result<Handlebars<'static>, RenderError> {
    let mut pages = Handlebars::new();
    format::register(&mut pages);
    for (name, source) in PAGE_PARTIALS {
        pages
            .register_partial(name, source)
            .map_err(|e| RenderError::Template(name.to_string(), Box::new(e)))?;
    }
    for (name, source) in PAGE_TEMPLATES {
        pages
            .register_template_string(name, source)
            .map_err(|e| RenderError::Template(name.to_string(), Box::new(e)))?;
    }
    Ok(pages)
}

/// Text templates keep their layout readable; the output drops trailing spaces and runs of
/// blank lines that conditional sections leave behind.
fn tidy_text(text: &str) -> String {
    let mut out = String::new();
    let mut blank = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim_start_matches('\n').to_string()
}
