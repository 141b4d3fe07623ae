/**
 * warden verify-export FILE --public-key KEY [--json]: checks an export made
 * with GET /api/v1/audit/export?format=jsonl&proofs=true without the
 * database (src/audit/offlineVerify.ts). KEY is a PEM file holding the
 * sealing public key (from `warden public-key` or GET
 * /api/v1/audit/public-key). Exit 0 when every event verifies, 1 when the
 * file was tampered with or holds events no signed checkpoint covers.
 *
 * warden public-key [--json]: prints this installation's sealing public key
 * (PEM), to hand to auditors.
 */
import fs from "node:fs";
import { loadConfig } from "../../config";
import { loadSealingKey } from "../../audit/sealingKey";
import { parsePublicKey, verifyExportFile, type OfflineReport } from "../../audit/offlineVerify";
import { publicKeySha256 } from "../../audit/exportFormat";
import { UsageError, parseArgs } from "../args";
import { emit } from "../output";
import { CheckFailed } from "./audit";

function humanReport(file: string, r: OfflineReport): string {
  const lines = [
    `${r.status === "ok" ? "OK" : r.status === "tampered" ? "TAMPERED" : "INCOMPLETE"}: ${file} (tenant ${r.tenant_id ?? "?"}, key ${r.key_id})`,
    `  ${r.events} event(s): ${r.events_verified} verified against the signed chain` +
      (r.events_erased ? `, ${r.events_erased} through signed erasure records` : "") +
      (r.events_payload_redacted ? `, ${r.events_payload_redacted} with redacted payloads (envelope and position verified)` : "") +
      (r.events_unsealed ? `, ${r.events_unsealed} in no signed block (not yet sealed when exported, or added to the file)` : ""),
    `  ${r.checkpoints_verified} checkpoint(s) and ${r.blocks_verified} block(s) verified; ${r.positions_pruned} purged position(s) covered by signed prune records`,
  ];
  for (const p of r.problems) {
    lines.push(`  ${p.reason}${p.line ? ` (line ${p.line})` : ""}${p.seq ? ` seq ${p.seq}` : ""}${p.event_id ? ` event ${p.event_id}` : ""}: ${p.detail}`);
  }
  return lines.join("\n");
}

export async function verifyExport(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { values: ["public-key"], booleans: ["json"] });
  if (args.positionals.length !== 1) throw new UsageError("usage: warden verify-export FILE --public-key KEY [--json]");
  const keyFile = args.flags["public-key"];
  if (!keyFile) throw new UsageError("--public-key KEY is required (a PEM file: warden public-key, or GET /api/v1/audit/public-key)");
  const file = args.positionals[0];
  if (!fs.existsSync(file)) throw new UsageError(`no such file: ${file}`);
  let keyText: string;
  try {
    keyText = fs.readFileSync(keyFile, "utf8");
  } catch {
    throw new UsageError(`cannot read the public key file ${keyFile}`);
  }
  let key;
  try {
    key = parsePublicKey(keyText);
  } catch (err) {
    throw new UsageError(`${keyFile} is not an Ed25519 public key: ${(err as Error).message}`);
  }
  const report = await verifyExportFile(file, key);
  emit(args.booleans.has("json"), { file, ...report }, humanReport(file, report));
  if (!report.ok) throw new CheckFailed(`export ${report.status}`);
}

export async function publicKey(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { values: [], booleans: ["json"] });
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  const key = loadSealingKey(loadConfig());
  const pem = key.publicKey.export({ type: "spki", format: "pem" }).toString();
  emit(args.booleans.has("json"), { algorithm: "Ed25519", key_id: key.keyId, public_key_sha256: publicKeySha256(key.publicKey), public_key_pem: pem }, pem.trimEnd());
}
