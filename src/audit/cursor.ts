/**
 * Opaque keyset cursors for audit queries: the last row's (occurred_at,
 * event_id), the order, and a hash of the filter, signed with HMAC so a
 * forged cursor is refused and a cursor from another query is stale.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export interface CursorPosition {
  occurredAt: string; // timestamptz as text, microseconds kept
  eventId: string;
}

export type CursorResult = { ok: true; position: CursorPosition } | { ok: false; code: "invalid_cursor" | "stale_cursor" };

export class CursorCodec {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHash("sha256").update("warden.cursor.v1\n").update(secret).digest();
  }

  /** Identifies the query a cursor belongs to (filters and order, not the limit). */
  static queryHash(filter: unknown, order: string): string {
    return createHash("sha256").update(JSON.stringify([filter, order])).digest("base64url").slice(0, 16);
  }

  encode(position: CursorPosition, queryHash: string): string {
    const body = Buffer.from(JSON.stringify([position.occurredAt, position.eventId, queryHash])).toString("base64url");
    return `${body}.${this.sign(body)}`;
  }

  decode(cursor: string, queryHash: string): CursorResult {
    const [body, mac, extra] = cursor.split(".");
    if (!body || !mac || extra !== undefined) return { ok: false, code: "invalid_cursor" };
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, code: "invalid_cursor" };
    try {
      const [occurredAt, eventId, hash] = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
      if (typeof occurredAt !== "string" || typeof eventId !== "string") return { ok: false, code: "invalid_cursor" };
      if (hash !== queryHash) return { ok: false, code: "stale_cursor" };
      return { ok: true, position: { occurredAt, eventId } };
    } catch {
      return { ok: false, code: "invalid_cursor" };
    }
  }

  private sign(body: string): string {
    return createHmac("sha256", this.key).update(body).digest("base64url").slice(0, 22);
  }
}
