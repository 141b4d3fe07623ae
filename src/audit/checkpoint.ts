/**
 * Signed checkpoints: (tenant, sequence range, head hash, time), signed with
 * Ed25519. The message is a fixed, line-based text so any tool can check it.
 */
import { sign, verify } from "node:crypto";
import type { SealingKey } from "./sealingKey";

export interface Checkpoint {
  tenantKey: string;
  firstSeq: bigint;
  lastSeq: bigint;
  headHash: Buffer;
  signedAt: Date;
}

export function checkpointMessage(cp: Checkpoint): Buffer {
  return Buffer.from(
    ["warden.checkpoint.v1", cp.tenantKey, cp.firstSeq.toString(), cp.lastSeq.toString(), cp.headHash.toString("hex"), cp.signedAt.toISOString()].join("\n"),
    "utf8",
  );
}

export function signCheckpoint(key: SealingKey, cp: Checkpoint): Buffer {
  if (!key.privateKey) throw new Error("this seal key can only verify, not sign");
  return sign(null, checkpointMessage(cp), key.privateKey);
}

export function checkpointSignatureValid(key: SealingKey, cp: Checkpoint, signature: Buffer): boolean {
  try {
    return verify(null, checkpointMessage(cp), key.publicKey, signature);
  } catch {
    return false;
  }
}
