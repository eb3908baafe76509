//! The published contract's frame: what every version of the document states about the API as a
//! whole (info, servers, tags, security schemes). The operations and schemas come from the
//! handlers in `api`, which merge this frame into their document; the result is committed as
//! `openapi/openapi.json`, and a test fails when the served document and that file differ.

use utoipa::Modify;
use utoipa::openapi::security::{
    ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes, SecurityScheme,
};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{ContactBuilder, InfoBuilder, LicenseBuilder, OpenApi, ServerBuilder};

/// The committed document's path, relative to the workspace root.
pub const COMMITTED_PATH: &str = "openapi/openapi.json";

/// A bearer JWT however it was obtained.
pub const BEARER_SCHEME: &str = "bearer";
/// People: the OAuth 2.0 password grant.
pub const PEOPLE_SCHEME: &str = "people";
/// NGO systems: the OAuth 2.0 client-credentials grant.
pub const SYSTEMS_SCHEME: &str = "ngo_systems";
pub const TOKEN_URL: &str = "/api/v1/auth/token";

/// Adds the frame to a document built from the handlers.
pub struct Frame;

impl Modify for Frame {
    fn modify(&self, openapi: &mut OpenApi) {
        openapi.info = InfoBuilder::new()
            .title("Reintegration Assistance Program API")
            .version(env!("CARGO_PKG_VERSION"))
            .description(Some(DESCRIPTION))
            .contact(Some(
                ContactBuilder::new()
                    .name(Some("Migration and Repatriation Division"))
                    .email(Some("reintegration@mra.gov.ge"))
                    .build(),
            ))
            .license(Some(LicenseBuilder::new().name("MIT").identifier(Some("MIT")).build()))
            .build();
        openapi.servers = Some(vec![ServerBuilder::new().url("/").description(Some("This server")).build()]);
        openapi.tags = Some(
            [
                ("program", "Public program information: service catalogue, eligibility criteria, regions (S6)."),
                ("auth", "OAuth 2.0 tokens: password grant for people, client credentials for NGO systems."),
                ("registration", "Persons, arrivals, cases and recorded eligibility decisions (R1–R5, R8, R11, R14)."),
                ("administration", "Organisations, users and NGO systems (API clients)."),
                ("grants", "Program years with their budgets, and the grants awarded to NGOs from them (R9, R10)."),
                ("services", "Services S1–S4 on eligible cases: requested, approved under four eyes and paid from the NGO's grant (R10–R12), delivered or cancelled."),
                ("shelter", "Temporary shelter right after the return, on the arrival (S5: R6, R7, R8), under direction N0100."),
                ("referrals", "The vocational referral feed of the Migration and Repatriation Division (S4)."),
                ("audit", "The tamper-evident audit trail: read it, verify its hash chain, keep signed checkpoints (R13)."),
                ("eligibility", "Explained eligibility decisions (R1–R5)."),
                ("health", "Liveness and readiness for orchestrators."),
            ]
            .into_iter()
            .map(|(name, description)| TagBuilder::new().name(name).description(Some(description)).build())
            .collect(),
        );
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("A JWT from POST /api/v1/auth/token."))
                    .build(),
            ),
        );
        // One scheme per flow (#10): a password login in /docs does not show the systems' box as
        // authorised, and generated clients configure each on its own.
        components.add_security_scheme(
            PEOPLE_SCHEME,
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::Password(Password::new(TOKEN_URL, Scopes::new()))],
                "People log in with their username and password (RFC 6749 password grant).",
            )),
        );
        components.add_security_scheme(
            SYSTEMS_SCHEME,
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::ClientCredentials(ClientCredentials::new(TOKEN_URL, Scopes::new()))],
                "NGO systems authenticate with their client id and secret (RFC 6749 client credentials).",
            )),
        );
        // Every operation needs a bearer token unless it says otherwise (public ones declare
        // no requirement: `security: []`).
        openapi.security =
            Some(vec![utoipa::openapi::security::SecurityRequirement::new(BEARER_SCHEME, Vec::<String>::new())]);
    }
}

const DESCRIPTION: &str = "\
The case-management API of Georgia's Reintegration Assistance Program for returned migrants \
(Ministry of Internally Displaced Persons from the Occupied Territories, Accommodation and Refugees).

Conventions: JSON in UTF-8; dates `YYYY-MM-DD`; instants RFC 3339 UTC; money in integer tetri \
(`*_tetri`, 100 tetri = 1 GEL); identifiers are server-generated UUIDv7. Every error is \
`application/problem+json` with a stable `code` and the `request_id` (also in the `X-Request-Id` \
response header; the server generates it for every request, and a client's own `X-Request-Id` is \
only recorded beside it). `Accept-Language: ka` gives Georgian messages, anything else English.

Regions use ISO 3166-2:GE codes; the Tskhinvali region has no ISO code of its own and is `GE-TSK` \
in this system.";
