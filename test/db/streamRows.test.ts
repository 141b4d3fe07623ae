/**
 * streamRows: every row reaches the callback in order without the result
 * being kept, a failing callback rejects the call (the rest of the result
 * is drained, so the connection stays usable), and SQL errors reject.
 */
import { closePools, ownerPool } from "../support/db";
import { streamRows } from "../../src/db/streamRows";

afterAll(closePools);

test("streams every row in order, then resolves with the count", async () => {
  const client = await ownerPool().connect();
  try {
    const seen: number[] = [];
    const n = await streamRows<{ g: number }>(client, "select g from generate_series(1, $1::int) g order by g", [25_000], (r) => seen.push(r.g));
    expect(n).toBe(25_000);
    expect(seen.length).toBe(25_000);
    expect(seen.every((g, i) => g === i + 1)).toBe(true);
  } finally {
    client.release();
  }
});

test("a callback that throws rejects the call, and the connection still works afterwards", async () => {
  const client = await ownerPool().connect();
  try {
    let calls = 0;
    await expect(
      streamRows<{ g: number }>(client, "select g from generate_series(1, 1000) g", [], (r) => {
        calls++;
        if (r.g === 10) throw new Error("bad row 10");
      }),
    ).rejects.toThrow("bad row 10");
    expect(calls).toBe(10); // no calls after the failure
    expect((await client.query("select 42 as x")).rows[0].x).toBe(42);
  } finally {
    client.release();
  }
});

test("an SQL error rejects with PostgreSQL's error", async () => {
  const client = await ownerPool().connect();
  try {
    await expect(streamRows(client, "select 1 / (g - 3) from generate_series(1, 5) g", [], () => undefined)).rejects.toMatchObject({ code: "22012" });
    expect((await client.query("select 1 as x")).rows[0].x).toBe(1);
  } finally {
    client.release();
  }
});
