/**
 * The Ed25519 key that signs seal checkpoints. The database never holds it:
 * it comes from WARDEN_SEAL_KEY (PEM or base64 PKCS#8 DER), from the file
 * named by WARDEN_SEAL_KEY_FILE, or is generated on first use into
 * <state dir>/seal-key.pem (mode 0600).
 */
import fs from "node:fs";
import path from "node:path";
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import type { WardenConfig } from "../config";

export interface SealingKey {
  /** Absent for a verify-only key. */
  privateKey?: KeyObject;
  publicKey: KeyObject;
  /** First 16 hex characters of sha256 of the public key (SPKI DER). */
  keyId: string;
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("hex").slice(0, 16);
}

function fromPrivate(privateKey: KeyObject): SealingKey {
  if (privateKey.asymmetricKeyType !== "ed25519") {
    throw new Error(`the seal key must be an Ed25519 key, got ${privateKey.asymmetricKeyType}`);
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

export function parseSealingKey(text: string): SealingKey {
  const trimmed = text.trim();
  const privateKey = trimmed.startsWith("-----")
    ? createPrivateKey(trimmed)
    : createPrivateKey({ key: Buffer.from(trimmed, "base64"), format: "der", type: "pkcs8" });
  return fromPrivate(privateKey);
}

export function generateSealingKey(): SealingKey {
  const { privateKey } = generateKeyPairSync("ed25519");
  return fromPrivate(privateKey);
}

export function loadSealingKey(config: WardenConfig, env: NodeJS.ProcessEnv = process.env): SealingKey {
  if (env.WARDEN_SEAL_KEY) return parseSealingKey(env.WARDEN_SEAL_KEY);
  if (env.WARDEN_SEAL_KEY_FILE) return parseSealingKey(fs.readFileSync(env.WARDEN_SEAL_KEY_FILE, "utf8"));
  const file = path.join(config.stateDir, "seal-key.pem");
  if (fs.existsSync(file)) return parseSealingKey(fs.readFileSync(file, "utf8"));
  const key = generateSealingKey();
  fs.mkdirSync(config.stateDir, { recursive: true, mode: 0o711 });
  fs.writeFileSync(file, key.privateKey!.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  return key;
}
