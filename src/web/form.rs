//! A submitted form, as its fields (`application/x-www-form-urlencoded`; a name may repeat).

use super::WebError;

pub struct Form(Vec<(String, String)>);

impl Form {
    pub fn parse(body: &[u8]) -> Result<Form, WebError> {
        serde_urlencoded::from_bytes(body)
            .map(Form)
            .map_err(|_| WebError::Conflict("the form could not be read".into()))
    }

    /// A form that changes something: parsed, then its CSRF token and origin checked against
    /// the signed-in user's session.
    pub fn checked(
        req: &actix_web::HttpRequest,
        user: &crate::app::sign_in::SignedIn,
        body: &[u8],
    ) -> Result<Form, WebError> {
        let form = Form::parse(body)?;
        super::csrf::check(req, user, form.csrf())?;
        Ok(form)
    }

    /// The first value of `name`, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.trim())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .collect()
    }

    pub fn csrf(&self) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == super::csrf::FIELD)
            .map(|(_, v)| v.as_str())
    }
}
