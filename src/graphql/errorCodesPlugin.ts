/**
 * Parse and validation errors never reach maskError (grafserv answers them
 * before execution). This grafserv middleware gives every error in a
 * GraphQL response a `code` and the request's `trace_id`, so clients can
 * rely on both whatever failed. Only responses that contain errors are
 * touched.
 */
import type {} from "postgraphile";
import type {} from "postgraphile/grafserv/express/v4";
import { currentTraceId } from "../http/trace";

interface ErrorJson {
  message: string;
  extensions?: Record<string, unknown>;
}

function patch(body: { errors?: ErrorJson[] }, traceId: string | undefined): boolean {
  if (!Array.isArray(body.errors)) return false;
  let changed = false;
  for (const error of body.errors) {
    const ext = (error.extensions ??= {});
    if (!ext.code) {
      ext.code = "graphql_validation_failed";
      changed = true;
    }
    if (!ext.trace_id) {
      ext.trace_id = traceId;
      changed = true;
    }
  }
  return changed;
}

export const ErrorCodesPlugin: GraphileConfig.Plugin = {
  name: "WardenErrorCodesPlugin",
  version: "1.0.0",
  grafserv: {
    middleware: {
      async processRequest(next) {
        const result = await next();
        if (result?.type === "buffer" && result.buffer.includes('"errors"')) {
          const body = JSON.parse(result.buffer.toString("utf8"));
          if (patch(body, currentTraceId())) {
            result.buffer = Buffer.from(JSON.stringify(body));
            for (const h of Object.keys(result.headers)) {
              if (h.toLowerCase() === "content-length") result.headers[h] = String(result.buffer.length);
            }
          }
        } else if (result?.type === "json" && result.json && typeof result.json === "object") {
          patch(result.json as { errors?: ErrorJson[] }, currentTraceId());
        }
        return result;
      },
    },
  },
};
