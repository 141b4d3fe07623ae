/**
 * GET /api/v1/audit/public-key: the public half of the sealing key, the one
 * `warden verify-export FILE --public-key KEY` checks an export against.
 * Any authenticated caller may read it (it is public by nature); an auditor
 * should still obtain it out of band (or compare its fingerprint) rather
 * than trust the server that produced the file.
 */
import { Router } from "express";
import type { SealingKey } from "../../audit/sealingKey";
import { publicKeySha256 } from "../../audit/exportFormat";

export function auditPublicKeyRoutes(key: SealingKey): Router {
  const router = Router();
  router.get("/audit/public-key", (req, res) => {
    const pem = key.publicKey.export({ type: "spki", format: "pem" }).toString();
    if ((req.get("accept") ?? "").includes("application/x-pem-file")) {
      res.type("application/x-pem-file").send(pem);
      return;
    }
    res.json({ algorithm: "Ed25519", key_id: key.keyId, public_key_sha256: publicKeySha256(key.publicKey), public_key_pem: pem });
  });
  return router;
}
