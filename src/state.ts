/**
 * Local state kept under the state directory (default `.warden/` in the
 * project folder): generated secrets that must survive restarts.
 * The file is created with mode 0600 on first use.
 */
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";

export interface LocalSecrets {
  /** HS256 key for user tokens (base64url), when WARDEN_JWT_SECRET is unset. */
  jwtSecret: string;
  /** Password of the embedded cluster's superuser. */
  embeddedSuperuserPassword: string;
  /** Passwords of the Warden roles on the embedded cluster. */
  ownerPassword: string;
  authenticatorPassword: string;
}

function fresh(): string {
  return randomBytes(32).toString("base64url");
}

export function loadSecrets(stateDir: string): LocalSecrets {
  const file = path.join(stateDir, "secrets.json");
  let existing: Partial<LocalSecrets> = {};
  if (fs.existsSync(file)) {
    existing = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<LocalSecrets>;
  }
  const secrets: LocalSecrets = {
    jwtSecret: existing.jwtSecret ?? fresh(),
    embeddedSuperuserPassword: existing.embeddedSuperuserPassword ?? fresh(),
    ownerPassword: existing.ownerPassword ?? fresh(),
    authenticatorPassword: existing.authenticatorPassword ?? fresh(),
  };
  if (JSON.stringify(secrets) !== JSON.stringify(existing)) {
    // 0711: the embedded server (running as postgres) must traverse it; secrets.json itself is 0600.
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o711 });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(secrets, null, 2) + "\n", { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
  return secrets;
}
