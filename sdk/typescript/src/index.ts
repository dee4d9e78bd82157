// The custaccess SDK: typed calls to every operation of openapi/openapi.yaml through
// openapi-fetch. The types in schema.d.ts are generated (`npm run generate`); never edit them.
import createClient, { type Client } from "openapi-fetch";
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

/** eGain's error body. */
export type WSError = components["schemas"]["WSError"];
/** Reltio's error body. */
export type ReltioError = components["schemas"]["ReltioError"];
/** Oracle's ADF error body (REST-Framework-Version 4 and later). */
export type AdfError = components["schemas"]["AdfError"];
/** The token endpoint's error body (RFC 6749 §5.2). */
export type OAuthError = components["schemas"]["OAuthError"];
/** The audit trail's error body (RFC 9457 problem details). */
export type Problem = components["schemas"]["Problem"];
/** One event of the audit trail. */
export type AuditEvent = components["schemas"]["AuditEvent"];

export interface CustaccessOptions {
  /** Where custaccess serves, e.g. http://localhost:8080. */
  baseUrl: string;
  /** A bearer token (`custaccess token --user LOGIN`). */
  token?: string;
  /** A fetch implementation; the global one by default. */
  fetch?: typeof globalThis.fetch;
}

/** createCustaccessClient returns a client whose calls and responses are typed by the spec. */
export function createCustaccessClient(options: CustaccessOptions): Client<paths> {
  const client = createClient<paths>({ baseUrl: options.baseUrl, fetch: options.fetch });
  const token = options.token;
  if (token) {
    client.use({
      onRequest({ request }) {
        request.headers.set("Authorization", `Bearer ${token}`);
        return request;
      },
    });
  }
  return client;
}
