/**
 * PostGraphile v5: the `warden` schema as GraphQL (Amber preset, connection
 * filter, simplified inflection). Connects as the authenticator and runs
 * every request as the visitor with the request's pgSettings.
 */
import type {} from "postgraphile";
import type {} from "postgraphile/grafserv/express/v4";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { PgSimplifyInflectionPreset } from "@graphile/simplify-inflection";
import { PostGraphileConnectionFilterPreset } from "postgraphile-plugin-connection-filter";
import type { Request } from "express";
import { pgSettingsFor } from "../db/requestContext";
import { maskError } from "./maskError";
import { INCLUDE_REDACTED_HEADER } from "../audit/redaction";
import { ErrorCodesPlugin } from "./errorCodesPlugin";
import { RoleGatePlugin } from "./roleGatePlugin";

export interface GraphqlOptions {
  authUrl: string;
  production: boolean;
  poolMax?: number;
}

export function makePreset(opts: GraphqlOptions): GraphileConfig.Preset {
  return {
    extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset, PostGraphileConnectionFilterPreset],
    plugins: [ErrorCodesPlugin, RoleGatePlugin],
    pgServices: [
      makePgService({
        connectionString: opts.authUrl,
        schemas: ["warden"],
        poolConfig: { max: opts.poolMax ?? 10, application_name: "warden-graphql" } as never,
      }),
    ],
    grafserv: {
      graphqlPath: "/graphql",
      graphiqlPath: "/graphiql",
      graphiql: !opts.production,
      graphiqlOnGraphQLGET: false,
      watch: false,
      maskError,
    },
    grafast: {
      context(requestContext) {
        const req = requestContext.expressv4?.req as Request | undefined;
        return {
          pgSettings: {
            ...pgSettingsFor(req?.warden, req?.res?.locals.traceId, { ip: req?.ip, userAgent: req?.get("user-agent") }),
            // X-Include-Redacted: true asks for raw values (honoured in SQL for tenant owners and admins only).
            "warden.include_redacted": req?.get(INCLUDE_REDACTED_HEADER) === "true" ? "true" : "false",
          },
        };
      },
    },
    schema: {
      // Expose only what the visitor can use (grants decide).
      pgForbidSetofFunctionsToReturnNull: true,
    },
  };
}
