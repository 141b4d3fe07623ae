/**
 * Role gates on GraphQL fields, answering as REST's requireRole does: a
 * member reading the audit trail gets the error REST gives (403
 * `missing_role`), not an empty list that looks like "nothing happened".
 * Row-level security still decides what the allowed roles see.
 */
import type {} from "postgraphile";
import { GraphQLError } from "postgraphile/graphql";
import { context, sideEffect } from "postgraphile/grafast";
import { wrapPlans } from "postgraphile/utils";
import type { TenantRole } from "../auth/types";

/** Who may read the audit trail (REST: src/http/routes/audit*.ts). */
export const AUDIT_READERS: readonly TenantRole[] = ["owner", "admin", "auditor"];

/** The error REST's requireRole answers with, as a GraphQL error (extensions as the problem's fields). */
export function missingRoleError(roles: readonly TenantRole[], have: string | undefined): GraphQLError {
  return new GraphQLError(`this needs tenant role ${roles.join(" or ")}; you have ${have || "none"}`, {
    extensions: { code: "missing_role", status: 403, missing_role: roles[roles.length - 1], required_roles: [...roles] },
  });
}

function gate(roles: readonly TenantRole[]) {
  return (plan: () => unknown) => {
    const $settings = context().get("pgSettings");
    // Runs before the field's own steps (a side effect is a dependency of
    // every step planned after it), so a refused request reads nothing.
    sideEffect($settings, (settings) => {
      const role = (settings as Record<string, string> | null)?.["jwt.claims.tenant_role"];
      if (!roles.includes(role as TenantRole)) throw missingRoleError(roles, role);
    });
    return plan();
  };
}

const readers = gate(AUDIT_READERS);

/** Query fields over the audit trail (the redacted view and row history). */
export const RoleGatePlugin = wrapPlans(
  { Query: { auditEvents: readers, auditEvent: readers, auditEventById: readers, rowHistory: readers } },
  { name: "WardenRoleGatePlugin", disableResolverEmulationWarnings: true },
);
