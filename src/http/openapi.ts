/**
 * The OpenAPI 3.1 description of Warden's REST API, served at
 * GET /api/v1/openapi.json. Tests validate it with a standard validator and
 * check real responses against its schemas, so it cannot drift silently.
 */
const nullable = (type: string, extra: object = {}) => ({ type: [type, "null"], ...extra });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problemResponse = (description: string) => ({ description, content: { "application/problem+json": { schema: ref("Problem") } } });
const json = (schema: object, description = "OK") => ({ description, content: { "application/json": { schema } } });
const STANDARD_ERRORS = {
  "400": problemResponse("Invalid input"),
  "401": problemResponse("Missing, invalid or expired credential"),
  "403": problemResponse("The credential's tenant role is too low (see missing_role)"),
};
const filterParameters = [
  ["correlation_id", "string"],
  ["trace_id", "string"],
  ["event_type", "string", "Exact type, or a prefix ending in .* such as gateway.*"],
  ["actor_id", "string"],
  ["actor_type", "string"],
  ["resource_type", "string"],
  ["resource_id", "string"],
  ["outcome", "string"],
  ["severity", "string", "Minimum severity (debug < info < notice < warning < error < critical)"],
  ["service", "string"],
  ["since", "string", "A duration back from now (15m, 24h, 7d) or an RFC 3339 time"],
  ["until", "string", "RFC 3339 time or duration; exclusive"],
].map(([name, type, description]) => ({ name, in: "query", required: false, schema: { type }, ...(description ? { description } : {}) }));
const includeRedacted = {
  name: "include_redacted",
  in: "query",
  required: false,
  schema: { type: "string", enum: ["true", "false"], default: "false" },
  description:
    "true: raw values instead of the tenant's redaction rules applied (tenant owners and admins only; other roles always get masked values). The header X-Include-Redacted: true does the same (and is how GraphQL asks).",
};
const subscriptionId = { name: "subscription_id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
const subjectId = { name: "subject_id", in: "path", required: true, schema: { type: "string", minLength: 1, maxLength: 1024 } };

export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "Warden REST API",
    version: "1.0.0",
    description:
      "Audit write, query, export and verification. Every error is RFC 7807 application/problem+json with a stable code and the request's trace_id. Authenticate with Authorization: Bearer <user token or API key>.",
  },
  servers: [{ url: "/" }],
  security: [{ bearer: [] }],
  paths: {
    "/api/v1/openapi.json": { get: { summary: "This document", security: [], responses: { "200": json({ type: "object" }) } } },
    "/api/v1/me": { get: { summary: "Who the credential is", responses: { "200": json(ref("Me")), ...STANDARD_ERRORS } } },
    "/api/v1/api-keys": {
      post: {
        summary: "Create an API key (tenant owner or admin); the key is returned only once",
        requestBody: { required: true, content: { "application/json": { schema: ref("ApiKeyInput") } } },
        responses: { "201": json(ref("ApiKeyCreated"), "Created"), ...STANDARD_ERRORS },
      },
    },
    "/api/v1/api-keys/{api_key_id}": {
      delete: {
        summary: "Revoke an API key of the tenant (tenant owner or admin; owner keys only by an owner); a revoked key stays revoked, and revoking it again answers with the first revocation",
        parameters: [{ name: "api_key_id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
        responses: { "200": json(ref("ApiKeyRevoked"), "Revoked"), ...STANDARD_ERRORS, "404": problemResponse("No such API key in your tenant") },
      },
    },
    "/api/v1/sessions": {
      get: {
        summary: "Sessions of a user: one's own, or (tenant owner or admin) any member's with ?user_id=; newest first",
        parameters: [{ name: "user_id", in: "query", required: false, schema: { type: "string", format: "uuid" } }],
        responses: { "200": json(ref("SessionList")), ...STANDARD_ERRORS },
      },
      post: {
        summary: "Open a session for the calling user (for instance in exchange for an identity provider's token); the token is returned only once",
        requestBody: { required: false, content: { "application/json": { schema: ref("SessionInput") } } },
        responses: { "201": json(ref("SessionCreated"), "Created"), ...STANDARD_ERRORS },
      },
      delete: {
        summary: "Revoke every live session of a user (one's own; any member's as tenant owner or admin, an owner's only as owner)",
        parameters: [{ name: "user_id", in: "query", required: true, schema: { type: "string", format: "uuid" } }],
        responses: { "200": json(ref("SessionsRevoked"), "Revoked"), ...STANDARD_ERRORS },
      },
    },
    "/api/v1/sessions/current": {
      delete: { summary: "Sign out: revoke the session of the token used", responses: { "200": json(ref("Session"), "Revoked"), ...STANDARD_ERRORS } },
    },
    "/api/v1/sessions/{session_id}": {
      delete: {
        summary: "Revoke a session of the tenant (one's own; any as tenant owner or admin, an owner's only as owner); its token is refused on the next request of every API process",
        parameters: [{ name: "session_id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
        responses: { "200": json(ref("Session"), "Revoked"), ...STANDARD_ERRORS, "404": problemResponse("No such session in your tenant") },
      },
    },
    "/api/v1/invitations": {
      post: {
        summary: "Invite the user with an email into the tenant (tenant owner or admin; only owners invite owners); the token is returned only once",
        requestBody: { required: true, content: { "application/json": { schema: ref("InvitationInput") } } },
        responses: { "201": json(ref("InvitationCreated"), "Created"), ...STANDARD_ERRORS, "409": problemResponse("Already a member, or an invitation to this email is open") },
      },
    },
    "/api/v1/invitations/accept": {
      post: {
        summary: "Accept an invitation: the invited user, with their own user token (of any tenant), becomes a member of the invitation's tenant",
        requestBody: { required: true, content: { "application/json": { schema: ref("InvitationAcceptInput") } } },
        responses: {
          "200": json(ref("InvitationAccepted"), "Accepted"),
          ...STANDARD_ERRORS,
          "404": problemResponse("No invitation has this token"),
          "409": problemResponse("Already a member of that tenant"),
        },
      },
    },
    "/api/v1/invitations/{invitation_id}": {
      delete: {
        summary: "Revoke an open invitation of the tenant (tenant owner or admin; an owner's invitation only by an owner)",
        parameters: [{ name: "invitation_id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
        responses: { "200": json(ref("InvitationRevoked"), "Revoked"), ...STANDARD_ERRORS, "404": problemResponse("No such invitation in your tenant") },
      },
    },
    "/api/v1/audit/events": {
      get: {
        summary: "Query audit events (tenant owner, admin, auditor), newest first, keyset pages",
        parameters: [
          ...filterParameters,
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000, default: 100 } },
          { name: "order", in: "query", schema: { type: "string", enum: ["asc", "desc"], default: "desc" } },
          { name: "cursor", in: "query", schema: { type: "string" }, description: "next_cursor of the previous page" },
          includeRedacted,
        ],
        responses: { "200": json(ref("EventPage")), ...STANDARD_ERRORS },
      },
      post: {
        summary: "Record one event or a batch of up to 1,000; 201 only after commit",
        parameters: [
          { name: "Idempotency-Key", in: "header", schema: { type: "string", maxLength: 255 } },
          ...["X-Event-Type", "X-Service", "X-Correlation-ID", "X-Resource-Type", "X-Outcome"].map((name) => ({ name, in: "header", schema: { type: "string" } })),
        ],
        requestBody: {
          required: true,
          content: { "application/json": { schema: { oneOf: [ref("EventInput"), { type: "array", items: ref("EventInput"), minItems: 1, maxItems: 1000 }] } } },
        },
        responses: {
          "201": json(ref("IngestResult"), "Recorded"),
          "200": json(ref("IngestResult"), "A retry of an earlier request (same ids)"),
          ...STANDARD_ERRORS,
          "409": problemResponse("Idempotency-Key reused with a different body (conflict), or an event_id that is another tenant's event (event_id_taken)"),
          "413": problemResponse("Body over 1 MiB"),
          "415": problemResponse("Not application/json"),
          "429": problemResponse("Rate limited (code rate_limited), or the tenant's monthly event quota is used up (code quota_exceeded, until the month ends); see Retry-After"),
        },
      },
    },
    "/api/v1/audit/events/{event_id}": {
      get: {
        summary: "One audit event",
        parameters: [{ name: "event_id", in: "path", required: true, schema: { type: "string", format: "uuid" } }, includeRedacted],
        responses: { "200": json(ref("AuditEvent")), ...STANDARD_ERRORS, "404": problemResponse("No such event in your tenant") },
      },
    },
    "/api/v1/audit/correlations/{correlation_id}": {
      get: {
        summary: "The chronological timeline of one correlation id",
        parameters: [{ name: "correlation_id", in: "path", required: true, schema: { type: "string", maxLength: 200 } }, includeRedacted],
        responses: { "200": json(ref("Timeline")), ...STANDARD_ERRORS },
      },
    },
    "/api/v1/audit/export": {
      get: {
        summary:
          "Stream every matching event, oldest first (JSONL ends with a manifest line; proofs=true adds what `warden verify-export` needs to verify the file offline, docs/export.md). CSV cells starting with = + - @ tab or CR get a leading single quote. Writes governance.audit.exported.",
        parameters: [
          { name: "format", in: "query", schema: { type: "string", enum: ["jsonl", "csv"], default: "jsonl" } },
          { name: "proofs", in: "query", description: "JSONL only: header, checkpoints, blocks, prune and erasure records, signed manifest", schema: { type: "string", enum: ["true", "false"], default: "false" } },
          ...filterParameters,
          includeRedacted,
        ],
        responses: {
          "200": {
            description: "The export",
            content: { "application/x-ndjson": { schema: { type: "string" } }, "text/csv": { schema: { type: "string" } } },
          },
          ...STANDARD_ERRORS,
        },
      },
    },
    "/api/v1/subjects/{subject_id}/export": {
      get: {
        summary: "GDPR export (tenant owner or admin): every event where the subject is actor or resource, and every other record Warden holds about them",
        parameters: [subjectId],
        responses: { "200": json(ref("SubjectExport")), ...STANDARD_ERRORS },
      },
    },
    "/api/v1/subjects/{subject_id}/erasure": {
      post: {
        summary: "GDPR erasure (tenant owner or admin): replaces the subject's ids in the tenant's trail with a keyed pseudonym, in batches; returns the receipt",
        parameters: [subjectId],
        requestBody: { required: true, content: { "application/json": { schema: ref("ErasureInput") } } },
        responses: { "200": json(ref("ErasureReceipt"), "Erased"), ...STANDARD_ERRORS },
      },
    },
    "/api/v1/audit/public-key": {
      get: {
        summary: "The sealing public key (Ed25519) that signs checkpoints and verifiable exports (any role); Accept: application/x-pem-file returns the PEM alone",
        responses: {
          "200": {
            description: "The key",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["algorithm", "key_id", "public_key_sha256", "public_key_pem"],
                  properties: { algorithm: { type: "string", enum: ["Ed25519"] }, key_id: { type: "string" }, public_key_sha256: { type: "string" }, public_key_pem: { type: "string" } },
                },
              },
              "application/x-pem-file": { schema: { type: "string" } },
            },
          },
          ...STANDARD_ERRORS,
        },
      },
    },
    "/api/v1/subscriptions": {
      post: {
        summary: "Create a notification subscription (tenant owner or admin); a webhook's whsec_ secret is returned only once",
        requestBody: { required: true, content: { "application/json": { schema: ref("SubscriptionInput") } } },
        responses: { "201": json(ref("Subscription"), "Created"), ...STANDARD_ERRORS },
      },
      get: { summary: "The tenant's subscriptions (owner or admin)", responses: { "200": json({ type: "object", properties: { data: { type: "array", items: ref("Subscription") } } }), ...STANDARD_ERRORS } },
    },
    "/api/v1/subscriptions/{subscription_id}": {
      parameters: [subscriptionId],
      get: { summary: "One subscription", responses: { "200": json(ref("Subscription")), ...STANDARD_ERRORS, "404": problemResponse("No such subscription in your tenant") } },
      patch: {
        summary: "Enable or disable a subscription",
        requestBody: { required: true, content: { "application/json": { schema: { type: "object", required: ["enabled"], properties: { enabled: { type: "boolean" } }, additionalProperties: false } } } },
        responses: { "200": json(ref("Subscription")), ...STANDARD_ERRORS, "404": problemResponse("No such subscription in your tenant") },
      },
      delete: { summary: "Delete a subscription and its delivery log", responses: { "204": { description: "Deleted" }, ...STANDARD_ERRORS, "404": problemResponse("No such subscription in your tenant") } },
    },
    "/api/v1/subscriptions/{subscription_id}/test": {
      post: { summary: "Send a test message through the subscription's channel now", parameters: [subscriptionId], responses: { "200": json({ type: "object" }), ...STANDARD_ERRORS } },
    },
    "/api/v1/subscriptions/{subscription_id}/deliveries": {
      get: {
        summary: "The delivery log, newest first",
        parameters: [
          subscriptionId,
          { name: "status", in: "query", required: false, schema: { type: "string", enum: ["pending", "delivered", "dead", "throttled", "digested"] } },
          { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 1000, default: 100 } },
          { name: "before", in: "query", required: false, schema: { type: "string" }, description: "A delivery id: older ones (next_before of the previous page)" },
        ],
        responses: { "200": json({ type: "object" }), ...STANDARD_ERRORS },
      },
    },
    "/api/v1/subscriptions/{subscription_id}/attempts": {
      get: {
        summary: "Every delivery attempt: attempt number, HTTP status code, latency, error",
        parameters: [subscriptionId, { name: "event_id", in: "query", required: false, schema: { type: "string", format: "uuid" } }, { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 1000 } }],
        responses: { "200": json({ type: "object" }), ...STANDARD_ERRORS },
      },
    },
    "/api/v1/subscriptions/{subscription_id}/deliveries/{event_id}/redeliver": {
      post: {
        summary: "Deliver one event again (same webhook-id / Nats-Msg-Id)",
        parameters: [subscriptionId, { name: "event_id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
        responses: { "202": json({ type: "object" }, "Queued"), ...STANDARD_ERRORS, "404": problemResponse("No such delivery in your tenant") },
      },
    },
    "/api/v1/subscriptions/{subscription_id}/replay": {
      post: {
        summary: "Deliver again every matching event since a point in time",
        parameters: [subscriptionId],
        requestBody: { required: true, content: { "application/json": { schema: { type: "object", required: ["since"], properties: { since: { type: "string", format: "date-time" } } } } } },
        responses: { "202": json({ type: "object" }, "Queued"), ...STANDARD_ERRORS, "404": problemResponse("No such subscription in your tenant") },
      },
    },
    "/api/v1/audit/verify": {
      get: { summary: "Verify the tenant's sealed trail", responses: { "200": json(ref("VerifyReport")), ...STANDARD_ERRORS } },
    },
    "/api/v1/audit/row-history": {
      get: {
        summary: "Every version of one row of an audited table, oldest first, with its diff (warden.audit_row_history; GraphQL rowHistory)",
        parameters: [
          { name: "table", in: "query", required: true, schema: { type: "string" }, description: "schema.table" },
          { name: "pk", in: "query", required: true, schema: { type: "string" }, description: 'The primary key as a JSON object, e.g. {"id": 42}' },
          includeRedacted,
        ],
        responses: { "200": json(ref("RowHistory")), ...STANDARD_ERRORS },
      },
    },
    "/api/v1/viewer-tokens": {
      post: {
        summary: "Mint a short-lived, read-only viewer token for the audit viewer, optionally confined to a scope (tenant owner or admin)",
        requestBody: { required: false, content: { "application/json": { schema: ref("ViewerTokenInput") } } },
        responses: { "201": json(ref("ViewerToken"), "Minted"), ...STANDARD_ERRORS },
      },
      get: {
        summary: "The tenant's viewer tokens, newest first, with who minted each, its scope, expiry and revocation (tenant owner or admin)",
        responses: { "200": json(ref("ViewerTokenList")), ...STANDARD_ERRORS },
      },
    },
    "/api/v1/viewer-tokens/{token_id}": {
      delete: {
        summary: "Revoke a viewer token of the tenant (tenant owner or admin): it is refused on the next request of every API process; writes governance.viewer_token.revoked",
        parameters: [{ name: "token_id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
        responses: { "200": json(ref("ViewerTokenRecord"), "Revoked"), ...STANDARD_ERRORS, "404": problemResponse("No such viewer token in your tenant") },
      },
    },
    "/api/v1/projects/{project_id}/activity": {
      get: {
        summary: "A project's activity feed, newest first (at least viewer on the project); next holds the following page's keyset",
        parameters: [
          { name: "project_id", in: "path", required: true, schema: { type: "string", format: "uuid" } },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 500, default: 50 } },
          { name: "before_occurred_at", in: "query", schema: { type: "string", format: "date-time" } },
          { name: "before_event_id", in: "query", schema: { type: "string", format: "uuid" } },
        ],
        responses: { "200": json(ref("ProjectActivity")), ...STANDARD_ERRORS },
      },
    },
    "/api/v1/usage": {
      get: {
        summary: "The tenant's daily usage (tenant owner or admin): events ingested by service, row events by table, API requests by key, storage bytes, exports; and the monthly quota",
        parameters: [
          { name: "from", in: "query", schema: { type: "string", format: "date" }, description: "First UTC day (default: the first of this month)" },
          { name: "to", in: "query", schema: { type: "string", format: "date" }, description: "Last UTC day, inclusive (default: today); at most 366 days after from" },
        ],
        responses: { "200": json(ref("UsageReport")), ...STANDARD_ERRORS },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "A Warden user token (JWT), an API key (wdn_...) or a read-only viewer token (wdv_...)" } },
    schemas: {
      SubscriptionInput: {
        type: "object",
        required: ["name", "channel"],
        additionalProperties: false,
        properties: {
          name: { type: "string", minLength: 1, maxLength: 200 },
          filter: { type: "object", description: "The query API's vocabulary: event_type (exact or prefix.*), severity (minimum), outcome, actor_type, actor_id, resource_type, resource_id, service, correlation_id, trace_id, data (containment)" },
          channel: { type: "string", enum: ["inbox", "webhook", "jetstream"] },
          webhook_url: { type: "string" },
          inbox_user_ids: { type: "array", items: { type: "string", format: "uuid" } },
          inbox_role: { type: "string", enum: ["owner", "admin", "auditor", "support", "member"] },
          jetstream_subject_prefix: { type: "string" },
          throttle_max: { type: "integer", minimum: 1 },
          throttle_window_seconds: { type: "integer", minimum: 1, maximum: 86400 },
          digest: { type: "boolean" },
        },
      },
      Subscription: {
        type: "object",
        required: ["id", "name", "channel", "filter", "enabled"],
        properties: {
          id: { type: "string", format: "uuid" },
          name: { type: "string" },
          filter: { type: "object" },
          channel: { type: "string", enum: ["inbox", "webhook", "jetstream"] },
          webhook_url: nullable("string"),
          enabled: { type: "boolean" },
          secret: { type: "string", description: "whsec_ signing secret: in the create response only" },
        },
      },
      ProjectActivity: {
        type: "object",
        required: ["project_id", "entries", "next"],
        properties: {
          project_id: { type: "string", format: "uuid" },
          entries: {
            type: "array",
            items: {
              type: "object",
              required: ["event_id", "occurred_at", "event_type", "action", "actor_type", "actor_id", "actor_name", "summary"],
              properties: {
                event_id: { type: "string", format: "uuid" },
                occurred_at: { type: "string" },
                event_type: { type: "string" },
                action: { type: "string" },
                outcome: { type: "string" },
                actor_type: { type: "string" },
                actor_id: { type: "string" },
                actor_name: { type: "string" },
                resource_type: nullable("string"),
                resource_id: nullable("string"),
                table_name: nullable("string"),
                changed_fields: nullable("array", { items: { type: "string" } }),
                old_values: nullable("object"),
                new_values: nullable("object"),
                event_data: nullable("object"),
                redacted_fields: nullable("object"),
                summary: { type: "string" },
              },
            },
          },
          next: nullable("object", { properties: { before_occurred_at: { type: "string" }, before_event_id: { type: "string", format: "uuid" } } }),
        },
      },
      UsageReport: {
        type: "object",
        required: ["tenant_id", "from", "to", "rows", "totals", "quota"],
        properties: {
          tenant_id: { type: "string", format: "uuid" },
          from: { type: "string", format: "date" },
          to: { type: "string", format: "date" },
          rows: {
            type: "array",
            items: {
              type: "object",
              required: ["day", "metric", "dimension", "value"],
              properties: {
                day: { type: "string", format: "date" },
                metric: { type: "string", enum: ["events_ingested", "row_events", "storage_bytes", "exports", "api_requests"] },
                dimension: { type: "string" },
                value: { type: "integer", minimum: 0 },
              },
            },
          },
          totals: { type: "object", additionalProperties: { type: "integer" } },
          quota: nullable("object", {
            properties: {
              monthly_events: { type: "integer" },
              soft_limit_percent: { type: "integer" },
              used_this_month: { type: "integer" },
              state: { type: "string", enum: ["ok", "soft", "hard"] },
              resets_at: { type: "string", format: "date-time" },
            },
          }),
        },
      },
      Problem: {
        type: "object",
        required: ["type", "title", "status", "code", "trace_id"],
        properties: {
          type: { type: "string" },
          title: { type: "string" },
          status: { type: "integer" },
          code: { type: "string" },
          detail: { type: "string" },
          trace_id: { type: "string" },
          missing_role: { type: "string" },
          errors: { type: "array", items: { type: "object", required: ["pointer", "reason"], properties: { pointer: { type: "string" }, reason: { type: "string" } } } },
        },
      },
      Me: {
        type: "object",
        required: ["tenant_id", "actor_id", "actor_type", "tenant_role", "trace_id"],
        properties: {
          tenant_id: { type: "string", format: "uuid" },
          actor_id: { type: "string" },
          actor_type: { type: "string", enum: ["user", "api_key"] },
          tenant_role: { type: "string", enum: ["owner", "admin", "auditor", "support", "member"] },
          trace_id: { type: "string" },
          actor: { type: "object" },
          viewer_token: { type: "object", description: "Present for a viewer token: its id, scope and expiry" },
        },
      },
      ViewerScope: {
        type: "object",
        additionalProperties: false,
        description: "Fixed filters every read of the token is confined to; none: the whole tenant",
        properties: Object.fromEntries(
          ["actor_id", "actor_type", "resource_type", "resource_id", "event_type", "service", "table_name"].map((k) => [k, { type: "string", minLength: 1, maxLength: 200 }]),
        ),
      },
      ViewerTokenInput: {
        type: "object",
        additionalProperties: false,
        properties: { scope: ref("ViewerScope"), ttl: { type: "string", description: "15m by default, at most 60m" } },
      },
      ViewerToken: {
        type: "object",
        required: ["token", "token_id", "tenant_id", "scope", "expires_at", "viewer_url"],
        properties: {
          token: { type: "string", pattern: "^wdv_" },
          token_id: { type: "string", format: "uuid" },
          tenant_id: { type: "string", format: "uuid" },
          scope: ref("ViewerScope"),
          expires_at: { type: "string", format: "date-time" },
          viewer_url: { type: "string" },
        },
      },
      ViewerTokenRecord: {
        type: "object",
        required: ["id", "tenant_id", "minted_by", "scope", "created_at", "expires_at", "revoked_at", "revoked_by", "active"],
        properties: {
          id: { type: "string", format: "uuid", description: "The token id (token_id when minted)" },
          tenant_id: { type: "string", format: "uuid" },
          minted_by: { type: "object", description: "The actor who minted it" },
          scope: ref("ViewerScope"),
          created_at: { type: "string", format: "date-time" },
          expires_at: { type: "string", format: "date-time" },
          revoked_at: nullable("string", { format: "date-time" }),
          revoked_by: { type: ["object", "null"], description: "The actor who revoked it" },
          active: { type: "boolean", description: "Neither revoked nor expired" },
        },
      },
      ViewerTokenList: { type: "object", required: ["viewer_tokens"], properties: { viewer_tokens: { type: "array", items: ref("ViewerTokenRecord") } } },
      RowHistory: {
        type: "object",
        required: ["table_name", "pk", "scoped", "versions"],
        properties: {
          table_name: { type: "string" },
          pk: { type: "string" },
          scoped: { type: "boolean", description: "true for a scoped viewer token: only the versions in scope, row_data null" },
          versions: {
            type: "array",
            items: {
              type: "object",
              required: ["event_id", "occurred_at", "action", "changed_fields", "old_values", "new_values", "row_data", "redacted_fields"],
              properties: {
                event_id: nullable("string"),
                occurred_at: { type: "string" },
                action: { type: "string" },
                actor_type: nullable("string"),
                actor_id: nullable("string"),
                trace_id: nullable("string"),
                txid: nullable("string"),
                changed_fields: nullable("array", { items: { type: "string" } }),
                old_values: nullable("object"),
                new_values: nullable("object"),
                row_data: nullable("object"),
                redacted_fields: nullable("object"),
              },
            },
          },
        },
      },
      ApiKeyInput: {
        type: "object",
        required: ["name"],
        additionalProperties: false,
        properties: {
          name: { type: "string" },
          role: { type: "string" },
          rate_limit_per_second: { type: "integer", minimum: 1 },
          scopes: { type: "array", items: { type: "string", enum: ["backfill"] }, description: "backfill: may post events dated before the occurred_at window (tenant owners only)" },
        },
      },
      ApiKeyCreated: {
        type: "object",
        required: ["id", "key", "name", "role", "scopes"],
        properties: {
          id: { type: "string", format: "uuid" },
          key: { type: "string" },
          name: { type: "string" },
          role: { type: "string" },
          scopes: { type: "array", items: { type: "string" } },
        },
      },
      ApiKeyRevoked: {
        type: "object",
        required: ["id", "prefix", "name", "role", "revoked_at"],
        properties: {
          id: { type: "string", format: "uuid" },
          prefix: { type: "string" },
          name: { type: "string" },
          role: { type: "string" },
          revoked_at: { type: "string", format: "date-time" },
        },
      },
      Session: {
        type: "object",
        required: ["id", "tenant_id", "user_id", "created_at", "last_seen_at", "ip", "user_agent", "expires_at", "revoked_at", "revoked_by", "active", "current"],
        properties: {
          id: { type: "string", format: "uuid", description: "The session id: the jti of its token" },
          tenant_id: { type: "string", format: "uuid" },
          user_id: { type: "string", format: "uuid" },
          created_at: { type: "string", format: "date-time" },
          last_seen_at: nullable("string", { format: "date-time" }),
          ip: nullable("string"),
          user_agent: nullable("string"),
          expires_at: { type: "string", format: "date-time" },
          revoked_at: nullable("string", { format: "date-time" }),
          revoked_by: { type: ["object", "null"], description: "The actor who revoked it" },
          active: { type: "boolean", description: "Neither revoked nor expired" },
          current: { type: "boolean", description: "The session of the token of this request" },
        },
      },
      SessionList: { type: "object", required: ["sessions"], properties: { sessions: { type: "array", items: ref("Session") } } },
      SessionsRevoked: {
        type: "object",
        required: ["revoked", "sessions"],
        properties: { revoked: { type: "integer" }, sessions: { type: "array", items: ref("Session") } },
      },
      SessionInput: {
        type: "object",
        additionalProperties: false,
        properties: { ttl: { type: "string", pattern: "^\\d+\\s*(s|m|h|d)$", default: "8h", description: "How long the session lasts (at most 366d)" } },
      },
      SessionCreated: {
        type: "object",
        required: ["token", "session_id", "expires_at"],
        properties: { token: { type: "string" }, session_id: { type: "string", format: "uuid" }, expires_at: { type: "string", format: "date-time" } },
      },
      InvitationInput: {
        type: "object",
        required: ["email"],
        additionalProperties: false,
        properties: {
          email: { type: "string", maxLength: 320 },
          role: { type: "string", enum: ["owner", "admin", "auditor", "support", "member"], default: "member" },
          valid_days: { type: "integer", minimum: 1, maximum: 30, default: 7 },
        },
      },
      InvitationCreated: {
        type: "object",
        required: ["id", "token", "email", "role", "expires_at"],
        properties: {
          id: { type: "string", format: "uuid" },
          token: { type: "string", description: "wdi_...: give it to the invitee; shown only this once" },
          email: { type: "string" },
          role: { type: "string" },
          expires_at: { type: "string", format: "date-time" },
        },
      },
      InvitationAcceptInput: {
        type: "object",
        required: ["token"],
        additionalProperties: false,
        properties: { token: { type: "string" } },
      },
      InvitationAccepted: {
        type: "object",
        required: ["membership_id", "tenant_id", "user_id", "role", "joined_via"],
        properties: {
          membership_id: { type: "string", format: "uuid" },
          tenant_id: { type: "string", format: "uuid" },
          user_id: { type: "string", format: "uuid" },
          role: { type: "string" },
          joined_via: { type: "string", enum: ["invitation"] },
        },
      },
      InvitationRevoked: {
        type: "object",
        required: ["id", "email", "role", "revoked_at"],
        properties: { id: { type: "string", format: "uuid" }, email: { type: "string" }, role: { type: "string" }, revoked_at: { type: "string", format: "date-time" } },
      },
      EventInput: {
        type: "object",
        additionalProperties: false,
        required: ["event_type", "outcome"],
        properties: {
          event_id: { type: "string", format: "uuid" },
          event_type: { type: "string", pattern: "^[a-z0-9_-]+(\\.[a-z0-9_-]+)+$", maxLength: 200 },
          outcome: { type: "string", enum: ["success", "failure", "unknown"] },
          actor: { type: "object", additionalProperties: false, required: ["type", "id"], properties: { type: { type: "string" }, id: { type: "string" } } },
          occurred_at: {
            type: "string",
            format: "date-time",
            description: "At most 5 minutes ahead of the server's clock and no older than the tenant's retention (warden_private.occurred_at_window); older only with an API key with the backfill scope",
          },
          severity: { type: "string", description: "debug, info, notice, warning (also WARN, Warning), error, critical" },
          action: { type: "string", maxLength: 64 },
          resource: { type: "object", additionalProperties: false, properties: { type: { type: "string" }, id: { type: "string" } } },
          correlation_id: { type: "string", maxLength: 200 },
          trace_id: { type: "string", maxLength: 200 },
          parent_event_id: { type: "string", format: "uuid" },
          service: { type: "string", maxLength: 200 },
          attempt: { type: "integer", minimum: 1, maximum: 999999, description: "Envelope: which attempt of the operation this is" },
          retry_reason: { type: "string", maxLength: 1000, description: "Envelope: why the operation was retried" },
          source_payload: { description: "Envelope: what the service received, any JSON (at most 64 KiB, 64 levels deep)" },
          data: {
            type: "object",
            description: "At most 64 KiB, objects and arrays nested at most 64 levels (data is level 1); the envelope's keys (version, service, operation, status, attempt, retry_reason, source_payload, backfill) are reserved. Numbers are stored exactly as sent",
          },
        },
      },
      IngestResult: {
        type: "object",
        required: ["event_ids", "count", "replayed"],
        properties: { event_ids: { type: "array", items: { type: "string", format: "uuid" } }, count: { type: "integer" }, replayed: { type: "boolean" } },
      },
      AuditEvent: {
        type: "object",
        required: ["event_id", "occurred_at", "recorded_at", "event_type", "category", "action", "outcome", "severity", "actor_type", "actor_id", "txid"],
        properties: {
          event_id: { type: "string", format: "uuid" },
          occurred_at: { type: "string", format: "date-time" },
          recorded_at: { type: "string", format: "date-time" },
          tenant_id: nullable("string"),
          event_type: { type: "string" },
          category: { type: "string" },
          action: { type: "string" },
          outcome: { type: "string", enum: ["success", "failure", "unknown"] },
          severity: { type: "string", enum: ["debug", "info", "notice", "warning", "error", "critical"] },
          actor_type: { type: "string", enum: ["user", "api_key", "service", "system", "db_role"] },
          actor_id: { type: "string" },
          actor_ip: nullable("string"),
          user_agent: nullable("string"),
          resource_type: nullable("string"),
          resource_id: nullable("string"),
          correlation_id: nullable("string"),
          trace_id: nullable("string"),
          parent_event_id: nullable("string"),
          service: nullable("string"),
          txid: { type: "string" },
          table_name: nullable("string"),
          row_pk: { type: ["object", "null"] },
          changed_fields: { type: ["array", "null"], items: { type: "string" } },
          old_values: { type: ["object", "null"] },
          new_values: { type: ["object", "null"] },
          event_data: { type: ["object", "null"] },
          redacted_fields: {
            type: ["object", "null"],
            description: "What the tenant's redaction rules hid in this event: {field: method}, e.g. {\"actor_ip\": \"mask\", \"event_data.customer.email\": \"hash\"}; null when nothing was",
            additionalProperties: { type: "string", enum: ["mask", "remove", "hash"] },
          },
        },
      },
      ErasureInput: {
        type: "object",
        additionalProperties: false,
        required: ["reason"],
        properties: { reason: { type: "string", minLength: 1, maxLength: 1000 } },
      },
      ErasureReceipt: {
        type: "object",
        required: ["erasure_id", "tenant_id", "subject_pseudonym", "events_rewritten", "started_at", "finished_at", "duration_ms", "erasure_event_id"],
        properties: {
          erasure_id: { type: "string", format: "uuid" },
          tenant_id: { type: "string", format: "uuid" },
          subject_pseudonym: { type: "string", description: "hmac:<hex>, stable within the tenant" },
          events_scanned: { type: "integer" },
          events_rewritten: { type: "integer" },
          events_as_actor: { type: "integer" },
          events_as_resource: { type: "integer" },
          erasure_records: { type: "integer" },
          records_signed: { type: "integer" },
          idempotency_keys_removed: { type: "integer" },
          batches: { type: "integer" },
          started_at: { type: "string", format: "date-time" },
          finished_at: { type: "string", format: "date-time" },
          duration_ms: { type: "number" },
          erasure_event_id: { type: "string", format: "uuid" },
        },
      },
      SubjectExport: {
        type: "object",
        required: ["subject_id", "tenant_id", "exported_at", "events", "tenant_memberships", "project_memberships", "projects_created", "api_keys", "idempotency_keys", "erasures"],
        properties: {
          subject_id: { type: "string" },
          tenant_id: { type: "string", format: "uuid" },
          exported_at: { type: "string", format: "date-time" },
          user: { type: ["object", "null"] },
          tenant_memberships: { type: "array", items: { type: "object" } },
          project_memberships: { type: "array", items: { type: "object" } },
          projects_created: { type: "array", items: { type: "object" } },
          api_keys: { type: "array", items: { type: "object" } },
          idempotency_keys: { type: "array", items: { type: "object" } },
          erasures: { type: "array", items: { type: "object" } },
          events: { type: "array", items: { type: "object" } },
        },
      },
      EventPage: {
        type: "object",
        required: ["data", "next_cursor", "limit", "order"],
        properties: {
          data: { type: "array", items: ref("AuditEvent") },
          next_cursor: nullable("string"),
          limit: { type: "integer" },
          order: { type: "string", enum: ["asc", "desc"] },
        },
      },
      Timeline: {
        type: "object",
        required: ["correlation_id", "count", "truncated", "events"],
        properties: { correlation_id: { type: "string" }, count: { type: "integer" }, truncated: { type: "boolean" }, events: { type: "array", items: ref("AuditEvent") } },
      },
      VerifyReport: {
        type: "object",
        required: ["ok", "tenants", "events_verified", "checkpoints_verified", "first_bad"],
        properties: {
          tenant_id: { type: "string" },
          ok: { type: "boolean" },
          tenants: { type: "integer" },
          events_verified: { type: "integer" },
          checkpoints_verified: { type: "integer" },
          first_bad: {
            oneOf: [
              { type: "null" },
              {
                type: "object",
                required: ["seq", "reason", "detail"],
                properties: {
                  tenant_id: nullable("string"),
                  seq: { type: "integer" },
                  reason: { type: "string", enum: ["missing", "modified", "reordered", "inserted", "bad_signature"] },
                  event_id: { type: "string" },
                  detail: { type: "string" },
                },
              },
            ],
          },
          status: {
            type: "string",
            enum: ["tampered", "truncated", "pending_signature", "suspect", "capture_gap", "ok"],
            description: "the most serious finding (docs/auditing.md#verification-statuses)",
          },
          statuses: { type: "array", items: { type: "string" } },
          message: { type: "string", description: "what the status means and the next step" },
          events_pruned: { type: "integer" },
          suspect_events: { type: "integer" },
          capture_gaps: {
            type: "array",
            items: {
              type: "object",
              required: ["table_name", "reason", "since"],
              properties: { table_name: { type: "string" }, tenant_id: nullable("string"), reason: { type: "string" }, since: { type: "string", format: "date-time" } },
            },
          },
          truncated: {
            type: "array",
            items: {
              type: "object",
              required: ["anchored_seq", "database_seq", "missing_from", "missing_to"],
              properties: {
                tenant_id: nullable("string"),
                anchored_seq: { type: "integer" },
                database_seq: { type: "integer" },
                missing_from: { type: "integer" },
                missing_to: { type: "integer" },
                anchored_at: { type: "string" },
                checkpoint_id: { type: "string" },
              },
            },
          },
          pending_signatures: {
            type: "object",
            properties: { erasure_records: { type: "integer" }, prune_records: { type: "integer" } },
          },
          anchors_checked: nullable("integer"),
          last_verified_at: nullable("string", { format: "date-time", description: "When the worker's scheduled verification (every 10 minutes) last passed for this tenant" }),
          last_verify_failure_at: nullable("string", { format: "date-time" }),
        },
      },
    },
  },
} as const;
