/**
 * GraphQL error masking: every error carries a stable `code` and the
 * request's `trace_id` in `extensions` (the same codes as REST problems).
 * Database errors keep their (safe) message; anything unexpected is logged
 * and replaced by a generic message.
 */
import { GraphQLError } from "postgraphile/graphql";
import { mapPgError } from "../db/errors";
import { currentTraceId } from "../http/trace";
import { errorFields, logger } from "../observability/logger";

const NOTHING_MATCHED = /^No values were (updated|deleted) in collection/;

export function maskError(error: GraphQLError): GraphQLError {
  const traceId = currentTraceId();
  const original = error.originalError;
  let message = error.message;
  let extensions: Record<string, unknown>;
  if (!original) {
    // Parse and validation errors: the client's mistake, message is safe.
    extensions = { code: "graphql_validation_failed" };
  } else if (original instanceof GraphQLError) {
    extensions = { code: "invalid_input", ...original.extensions };
  } else {
    const mapped = mapPgError(original);
    if (NOTHING_MATCHED.test(original.message)) {
      // PostGraphile's delete found no row the caller may delete (absent,
      // or hidden by row-level security): the client's problem, not ours.
      extensions = { code: "not_found", status: 404 };
    } else if (mapped) {
      message = mapped.message;
      extensions = { code: mapped.code, status: mapped.status };
      if (mapped.missingRole) extensions.missing_role = mapped.missingRole;
      if (mapped.errors) extensions.errors = mapped.errors;
      if (mapped.status >= 500) logger("graphql").error({ trace_id: traceId, err: errorFields(original) }, "graphql request failed");
    } else {
      logger("graphql").error({ trace_id: traceId, err: errorFields(original) }, "graphql request failed");
      message = "an internal error occurred";
      extensions = { code: "internal_error", status: 500 };
    }
  }
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { ...error.extensions, ...extensions, trace_id: traceId },
  });
}
