/**
 * GET /viewer: the web audit viewer (viewer/, built by Vite into
 * dist/viewer by `npm run build`). Static files only: the page reads the
 * REST API with the credential the user gives it (or a viewer token in the
 * URL fragment), nothing else.
 */
import fs from "node:fs";
import path from "node:path";
import express, { Router } from "express";
import { problem, sendProblem } from "./problem";

/** dist/viewer from the package root (this file runs as dist/src/http/viewer.js, or src/http/viewer.ts under ts-jest). */
export function viewerAssetsDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, "package.json"))) return path.join(dir, "dist", "viewer");
    dir = path.dirname(dir);
  }
  return path.resolve(__dirname, "../../viewer");
}

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

export function viewerRoutes(dir = viewerAssetsDir()): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.setHeader("Content-Security-Policy", CSP);
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "no-referrer");
    next();
  });
  router.get("/", (req, res, next) => {
    // /viewer -> /viewer/ so the page's relative asset URLs resolve
    if (req.originalUrl.split("?")[0] === "/viewer") {
      res.redirect(301, "/viewer/");
      return;
    }
    next();
  });
  router.use(express.static(dir, { index: "index.html", fallthrough: true, maxAge: 0 }));
  router.use((req, res) => {
    if (!fs.existsSync(path.join(dir, "index.html"))) {
      sendProblem(res, problem(503, "viewer_not_built", "the viewer's assets are missing: run npm run build"));
      return;
    }
    sendProblem(res, problem(404, "route_not_found", `no viewer file ${req.path}`));
  });
  return router;
}
