/** Express middleware: authentication and tenant-role gating. */
import type { NextFunction, Request, Response } from "express";
import type { Authenticator } from "../auth/authenticate";
import type { AuthContext, TenantRole } from "../auth/types";
import { problem, sendProblem } from "./problem";

declare module "express-serve-static-core" {
  interface Request {
    /** Set by requireAuth once the credential is resolved. */
    warden?: AuthContext;
  }
}

export function requireAuth(authenticator: Authenticator) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    let result;
    try {
      result = await authenticator.authenticate(req.get("authorization"));
    } catch (err) {
      next(err);
      return;
    }
    if (!result.ok) {
      sendProblem(res, problem(result.failure.status, result.failure.code, result.failure.detail));
      return;
    }
    req.warden = result.context;
    next();
  };
}

/**
 * Allows the request when the actor's tenant role is one of `roles`;
 * otherwise 403 with missing_role (the least of the roles that would do).
 */
export function requireRole(...roles: TenantRole[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const ctx = req.warden;
    if (ctx && roles.includes(ctx.tenantRole)) {
      next();
      return;
    }
    sendProblem(
      res,
      problem(403, "missing_role", `this needs tenant role ${roles.join(" or ")}; you have ${ctx?.tenantRole ?? "none"}`, {
        missing_role: roles[roles.length - 1],
        required_roles: roles,
      }),
    );
  };
}
