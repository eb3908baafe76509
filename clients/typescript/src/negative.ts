// Calls the OpenAPI document forbids must not compile.
//
// Each invalid call is preceded by `// @ts-expect-error <why>`; tsc fails with TS2578 ("Unused
// '@ts-expect-error' directive") when the line after one compiles, so a clean `tsc` proves that
// every call below is rejected. Each invalid call differs from a valid one (`valid*`, compiled
// without a directive) in exactly one thing, so that it can fail only for the reason given.
//
// Two ways a body reaches the client are covered:
//   - inline in the call (`api.POST(path, { body: {...} })`): openapi-fetch infers the options
//     generically, which catches missing fields, wrong types and enum values, but NOT unknown
//     properties (TypeScript's excess-property check does not run against a generic constraint);
//   - declared with the generated type (`const body: Schemas["X"] = {...}`), as walkthrough.ts
//     does: this also rejects an unknown property.
//
// Nothing here runs: the calls sit in a function that is never called.

import type { Client } from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Schemas = components["schemas"];

export function neverCalled(api: Client<paths>): void {
  // ---------- valid baselines (must compile) ----------
  const validCase: Schemas["CaseRequest"] = { person_id: "p", arrival_id: "a", registration_date: "2017-05-10" };
  const validPerson: Schemas["PersonRequest"] = {
    legal_status: "citizen",
    personal_number: "01001012345",
    residence_region: "GE-TB",
    sex: "female",
  };
  const validArrival: Schemas["ArrivalRequest"] = {
    arrival_date: "2017-03-01",
    point_of_arrival: "tbilisi_airport",
    countries: ["IT"],
  };
  const validCheck: Schemas["EligibilityCheckRequest"] = { legal_status: "citizen", residence_region: "GE-KK" };
  void api.POST("/api/v1/cases", { body: validCase });
  void api.POST("/api/v1/persons", { body: validPerson });
  void api.POST("/api/v1/arrivals", { body: validArrival });
  void api.POST("/api/v1/eligibility/check", { body: validCheck });
  void api.POST("/api/v1/cases", { body: { person_id: "p", arrival_id: "a", registration_date: "2017-05-10" } });
  void api.POST("/api/v1/cases/{id}/eligibility", { params: { path: { id: "c" }, header: { "If-Match": '"1"' } } });

  // ---------- (a) a required field missing ----------
  // @ts-expect-error (a) CaseRequest requires registration_date
  void api.POST("/api/v1/cases", { body: { person_id: "p", arrival_id: "a" } });
  // @ts-expect-error (a) CaseRequest requires person_id
  const noPerson: Schemas["CaseRequest"] = { arrival_id: "a", registration_date: "2017-05-10" };
  // @ts-expect-error (a) PersonRequest requires legal_status
  void api.POST("/api/v1/persons", { body: { personal_number: "01001012345" } });
  // @ts-expect-error (a) ArrivalRequest requires point_of_arrival
  void api.POST("/api/v1/arrivals", { body: { arrival_date: "2017-03-01", countries: ["IT"] } });
  // @ts-expect-error (a) the decision requires the If-Match header
  void api.POST("/api/v1/cases/{id}/eligibility", { params: { path: { id: "c" } } });
  // @ts-expect-error (a) the decision requires the path parameter id
  void api.POST("/api/v1/cases/{id}/eligibility", { params: { header: { "If-Match": '"1"' } } });

  // ---------- (b) legal_status outside its enum ----------
  // @ts-expect-error (b) PersonRequest.legal_status: "tourist" is not a LegalStatus
  void api.POST("/api/v1/persons", { body: { legal_status: "tourist", personal_number: "01001012345" } });
  // @ts-expect-error (b) EligibilityCheckRequest.legal_status: "tourist" is not a LegalStatus
  void api.POST("/api/v1/eligibility/check", { body: { legal_status: "tourist" } });

  // ---------- (c) region, sex, point of arrival outside their enums ----------
  // @ts-expect-error (c) PersonRequest.residence_region: "GE-XX" is no region code
  void api.POST("/api/v1/persons", { body: { legal_status: "citizen", residence_region: "GE-XX" } });
  // @ts-expect-error (c) EligibilityCheckRequest.residence_region: "GE-XX" is no region code
  void api.POST("/api/v1/eligibility/check", { body: { residence_region: "GE-XX" } });
  // @ts-expect-error (c) PersonRequest.sex: "f" is not female or male
  void api.POST("/api/v1/persons", { body: { legal_status: "citizen", sex: "f" } });
  // @ts-expect-error (c) ArrivalRequest.point_of_arrival: "tbilisi" is no point of arrival
  void api.POST("/api/v1/arrivals", { body: { arrival_date: "2017-03-01", point_of_arrival: "tbilisi", countries: [] } });

  // ---------- (d) an unknown property (additionalProperties: false) ----------
  // Only a body declared with its type is checked for unknown properties; see the header. This is
  // TypeScript's excess-property check on object literals: openapi-typescript 7 generates the same
  // closed object type with or without `additionalProperties: false` (it would add an index
  // signature only for `additionalProperties: true` or a schema).
  // @ts-expect-error (d) CaseRequest has no property "regoin"
  const extraCase: Schemas["CaseRequest"] = { person_id: "p", arrival_id: "a", registration_date: "2017-05-10", regoin: "GE-KK" };
  // @ts-expect-error (d) PersonRequest has no property "nickname"
  const extraPerson: Schemas["PersonRequest"] = { legal_status: "citizen", nickname: "Nino" };
  // @ts-expect-error (d) NeedsRequest (ArrivalRequest.needs) has no property "x"
  const extraNeeds: Schemas["ArrivalRequest"] = { ...validArrival, needs: { shelter: true, x: 1 } };
  // @ts-expect-error (d) Period (irregular_periods[0]) has no property "x"
  const extraPeriod: Schemas["EligibilityCheckRequest"] = { irregular_periods: [{ start: "2015-01-10", end: "2017-03-01", x: 1 }] };

  // ---------- (e) a wrong path or method ----------
  // @ts-expect-error (e) there is no /api/v1/case (the resource is plural)
  void api.POST("/api/v1/case", { body: validCase });
  // @ts-expect-error (e) paths are under /api/v1
  void api.POST("/cases", { body: validCase });
  // @ts-expect-error (e) /api/v1/eligibility/check has no GET
  void api.GET("/api/v1/eligibility/check", {});
  // @ts-expect-error (e) /api/v1/cases/{id} has no DELETE
  void api.DELETE("/api/v1/cases/{id}", { params: { path: { id: "c" } } });

  void [noPerson, extraCase, extraPerson, extraNeeds, extraPeriod];
}
