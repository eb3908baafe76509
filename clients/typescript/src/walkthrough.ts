// The registration walkthrough of an NGO system, through a client generated from
// openapi/openapi.json (openapi-typescript types + openapi-fetch):
//
//   token (client credentials) → eligibility dry run → arrival → person → case → decision
//
// Every request body is declared with the generated schema types (so a body the document does
// not allow does not compile), every status is asserted, and one line is printed per step.
// Any unexpected answer exits non-zero.
//
// Usage: node dist/walkthrough.js BASE_URL CLIENT_ID CLIENT_SECRET

import { randomInt, randomUUID } from "node:crypto";
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Schemas = components["schemas"];

function arguments_(): [baseUrl: string, clientId: string, clientSecret: string] {
  const [baseUrl, clientId, clientSecret] = process.argv.slice(2);
  if (!baseUrl || !clientId || !clientSecret) {
    console.error("usage: node dist/walkthrough.js BASE_URL CLIENT_ID CLIENT_SECRET");
    process.exit(2);
  }
  return [baseUrl.replace(/\/+$/, ""), clientId, clientSecret];
}
const [baseUrl, clientId, clientSecret] = arguments_();

class StepFailed extends Error {}

/** Prints the step's line; throws (and so exits non-zero) unless `ok`. */
function check(step: string, ok: boolean, detail: string, answer?: unknown): void {
  console.log(`${ok ? "ok  " : "FAIL"} ${step.padEnd(26)} ${detail}`);
  if (!ok) {
    if (answer !== undefined) console.error(`     answer: ${JSON.stringify(answer)}`);
    throw new StepFailed(step);
  }
}

/** The response's status, with the error's machine code (a problem's `code`, an OAuth `error`). */
function describe(response: Response, error: unknown): string {
  if (error !== undefined && error !== null && typeof error === "object") {
    if ("code" in error) return `${response.status} ${String(error.code)}`;
    if ("error" in error) return `${response.status} ${String(error.error)}`;
  }
  return String(response.status);
}

/** YYYY-MM-DD of today (UTC, never after today in Tbilisi) shifted by `days`. */
function day(days: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function etagOf(response: Response, step: string): string {
  const tag = response.headers.get("ETag");
  check(`${step}: ETag`, tag !== null && tag.length > 0, `ETag ${tag ?? "(missing)"}`);
  return tag ?? "";
}

async function main(): Promise<void> {
  // --- 1. Token: client credentials, form-encoded (RFC 6749 §4.4). ---
  const anonymous = createClient<paths>({ baseUrl });
  const form: Schemas["TokenRequest"] = {
    grant_type: "client_credentials",
    client_id: clientId,
    client_secret: clientSecret,
  };
  const token = await anonymous.POST("/api/v1/auth/token", {
    body: form,
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  check(
    "token",
    token.response.status === 200 && token.data !== undefined && token.data.access_token.length > 0,
    `${describe(token.response, token.error)}${token.data ? ` ${token.data.token_type}, expires in ${token.data.expires_in} s` : ""}`,
    token.error,
  );
  const accessToken = token.data?.access_token ?? "";

  const api = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${accessToken}` } });

  // The person: a citizen returned 30 days ago after 800 days of irregular stay, living in Tbilisi.
  const personalNumber = String(randomInt(10_000_000_000, 100_000_000_000)).padStart(11, "0");
  const returned = day(-30);
  const registered = day(0);
  const periods: Schemas["Period"][] = [{ start: day(-830), end: returned }];

  // --- 2. Eligibility dry run. ---
  const dryRun: Schemas["EligibilityCheckRequest"] = {
    legal_status: "citizen",
    personal_number: personalNumber,
    return_date: returned,
    registration_date: registered,
    residence_region: "GE-TB",
    irregular_periods: periods,
    asylum_applied: false,
    asylum_held: false,
  };
  const check1 = await api.POST("/api/v1/eligibility/check", { body: dryRun });
  const rules = (check1.data?.rules ?? []).map((r) => `${r.rule}:${r.outcome}`).join(" ");
  check(
    "eligibility check",
    check1.response.status === 200 && check1.data?.outcome === "eligible" && rules === "R1:pass R2:pass R3:pass R4:pass",
    `${describe(check1.response, check1.error)} ${check1.data?.outcome ?? ""} (${rules})`,
    check1.error ?? check1.data,
  );

  // --- 3. Arrival: the return as seen at the airport, with an Idempotency-Key. ---
  const arrivalBody: Schemas["ArrivalRequest"] = {
    personal_number: personalNumber,
    arrival_date: returned,
    point_of_arrival: "tbilisi_airport",
    countries: ["IT", "DE"],
    irregular_periods: periods,
    asylum_applied: false,
    asylum_held: false,
    needs: { shelter: true, medical: false, other: null },
  };
  const arrivalKey = randomUUID();
  const arrival = await api.POST("/api/v1/arrivals", {
    params: { header: { "Idempotency-Key": arrivalKey } },
    body: arrivalBody,
  });
  check(
    "arrival",
    arrival.response.status === 201 && arrival.data !== undefined && arrival.data.needs.shelter,
    `${describe(arrival.response, arrival.error)} id ${arrival.data?.id ?? "?"}`,
    arrival.error ?? arrival.data,
  );
  const arrivalId = arrival.data?.id ?? "";
  etagOf(arrival.response, "arrival");

  // The same key and body again: the first answer, not a second arrival.
  const replay = await api.POST("/api/v1/arrivals", {
    params: { header: { "Idempotency-Key": arrivalKey } },
    body: arrivalBody,
  });
  check(
    "arrival (retried)",
    replay.response.status === 201 && replay.data?.id === arrivalId,
    `${describe(replay.response, replay.error)} same id: ${replay.data?.id === arrivalId}`,
    replay.error ?? replay.data,
  );

  // --- 4. Person, with consent (R14). ---
  const personBody: Schemas["PersonRequest"] = {
    legal_status: "citizen",
    personal_number: personalNumber,
    first_name_ka: "ნინო",
    last_name_ka: "ბერიძე",
    first_name_lat: "Nino",
    last_name_lat: "Beridze",
    date_of_birth: "1985-04-12",
    sex: "female",
    phone: "555 12 34 56",
    residence_region: "GE-TB",
    residence_locality: "Tbilisi",
    consent: { date: registered, scope: "program_services" },
  };
  const person = await api.POST("/api/v1/persons", {
    params: { header: { "Idempotency-Key": randomUUID() } },
    body: personBody,
  });
  check(
    "person",
    person.response.status === 201 &&
      person.data?.personal_number === personalNumber &&
      person.data.first_name_ka === "ნინო" &&
      person.data.phone === "+995555123456",
    `${describe(person.response, person.error)} id ${person.data?.id ?? "?"}, ${person.data?.first_name_ka ?? ""} ${person.data?.last_name_ka ?? ""}, ${person.data?.phone ?? ""}`,
    person.error ?? person.data,
  );
  const personId = person.data?.id ?? "";

  // --- 5. Case: this person, this return. ---
  const caseBody: Schemas["CaseRequest"] = {
    person_id: personId,
    arrival_id: arrivalId,
    registration_date: registered,
  };
  const created = await api.POST("/api/v1/cases", {
    params: { header: { "Idempotency-Key": randomUUID() } },
    body: caseBody,
  });
  check(
    "case",
    created.response.status === 201 && created.data?.status === "open",
    `${describe(created.response, created.error)} id ${created.data?.id ?? "?"}, ${created.data?.status ?? ""}`,
    created.error ?? created.data,
  );
  const caseId = created.data?.id ?? "";
  const caseTag = etagOf(created.response, "case");

  // --- 6. Decision, on the version we read (If-Match), safe to retry (Idempotency-Key). ---
  const decisionKey = randomUUID();
  const decide = () =>
    api.POST("/api/v1/cases/{id}/eligibility", {
      params: { path: { id: caseId }, header: { "If-Match": caseTag, "Idempotency-Key": decisionKey } },
    });
  const decided = await decide();
  const decision = decided.data;
  const ruleIds = (decision?.rules ?? []).length;
  const location = decided.response.headers.get("Location") ?? "";
  check(
    "decision",
    decided.response.status === 201 &&
      decision?.outcome === "eligible" &&
      decision.case_status === "eligible" &&
      ruleIds === 5 &&
      location === `/api/v1/cases/${caseId}/eligibility/${decision.id}`,
    `${describe(decided.response, decided.error)} ${decision?.outcome ?? ""} (${ruleIds} rules), case ${decision?.case_status ?? ""}, ${location}`,
    decided.error ?? decided.data,
  );

  // --- 7. A retry of the same decision (a timeout, say): the first answer, not a second decision. ---
  const retried = await decide();
  check(
    "decision (retried)",
    retried.response.status === 201 && retried.data?.id === decision?.id,
    `${describe(retried.response, retried.error)} same decision: ${retried.data?.id === decision?.id}`,
    retried.error ?? retried.data,
  );

  // --- 8. The case's new version, and a decision on the old one: refused. ---
  const read = await api.GET("/api/v1/cases/{id}", { params: { path: { id: caseId } } });
  const newTag = etagOf(read.response, "case after the decision");
  const stale = await api.POST("/api/v1/cases/{id}/eligibility", {
    params: { path: { id: caseId }, header: { "If-Match": caseTag } },
  });
  check(
    "decision (stale If-Match)",
    stale.response.status === 412 && stale.error?.code === "version_conflict" && newTag !== caseTag,
    `${describe(stale.response, stale.error)} (ETag ${caseTag} is now ${newTag})`,
    stale.error ?? stale.data,
  );

  // --- 9. A service for the eligible case (S1, with its medical details), requested by this NGO
  // system; the same system may not approve what it requested (R12: four eyes). ---
  const requested = await api.POST("/api/v1/cases/{id}/services", {
    params: { path: { id: caseId } },
    body: {
      service_type: "medication",
      requested_amount_tetri: 45_000,
      medical: { condition_category: "chronic", icd10_code: "E11.9", provider: "Aversi pharmacy, Rustavi" },
    },
  });
  const service = requested.data;
  const serviceLocation = requested.response.headers.get("Location") ?? "";
  check(
    "service requested",
    requested.response.status === 201 &&
      service?.status === "requested" &&
      service.category === "S1" &&
      service.requested_by.type === "client" &&
      serviceLocation === `/api/v1/services/${service.id}`,
    `${describe(requested.response, requested.error)} ${service?.status ?? ""} ${service?.service_type ?? ""}, ${serviceLocation}`,
    requested.error ?? requested.data,
  );
  const serviceTag = etagOf(requested.response, "service");
  const ownApproval = await api.POST("/api/v1/services/{id}/approve", {
    params: { path: { id: service?.id ?? "" }, header: { "If-Match": serviceTag } },
    body: { approved_amount_tetri: 45_000 },
  });
  check(
    "service approved by its requester",
    ownApproval.response.status === 409 && ownApproval.error?.code === "four_eyes",
    `${describe(ownApproval.response, ownApproval.error)} (R12)`,
    ownApproval.error ?? ownApproval.data,
  );
}

main().then(
  () => console.log("walkthrough: all steps passed"),
  (e: unknown) => {
    if (!(e instanceof StepFailed)) {
      // A network failure (server down, wrong BASE_URL): one line, not a stack.
      const cause = e instanceof Error && e.cause instanceof Error ? ` (${e.cause.message})` : "";
      console.error(`error: ${e instanceof Error ? e.message : String(e)}${cause}`);
    }
    console.error("walkthrough: FAILED");
    process.exitCode = 1;
  },
);
