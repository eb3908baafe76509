//! `Accept-Language: ka` gives Georgian messages, anything else English (API.md "Errors").

use actix_web::HttpRequest;
use actix_web::http::header::ACCEPT_LANGUAGE;
use domain::message::Message;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Georgian,
    English,
}

impl Language {
    /// Georgian when the header's preferred (first, or highest-q) language is `ka`.
    pub fn from_header(value: Option<&str>) -> Self {
        let Some(value) = value else { return Language::English };
        let mut best: Option<(f32, &str)> = None;
        for part in value.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or_default().trim();
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, tag));
            }
        }
        match best {
            Some((q, tag))
                if q > 0.0 && (tag.eq_ignore_ascii_case("ka") || tag.to_ascii_lowercase().starts_with("ka-")) =>
            {
                Language::Georgian
            }
            _ => Language::English,
        }
    }

    pub fn of(request: &HttpRequest) -> Self {
        Self::from_header(request.headers().get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))
    }

    pub fn pick(self, message: &Message) -> &str {
        match self {
            Language::Georgian => &message.ka,
            Language::English => &message.en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn georgian_only_when_preferred() {
        assert_eq!(Language::from_header(Some("ka")), Language::Georgian);
        assert_eq!(Language::from_header(Some("ka-GE,en;q=0.8")), Language::Georgian);
        assert_eq!(Language::from_header(Some("en,ka;q=0.5")), Language::English);
        assert_eq!(Language::from_header(Some("en;q=0.3,ka;q=0.9")), Language::Georgian);
        assert_eq!(Language::from_header(Some("kab")), Language::English);
        assert_eq!(Language::from_header(Some("de")), Language::English);
        assert_eq!(Language::from_header(None), Language::English);
    }
}
