/** Jest global teardown: stops the embedded server when the run started one. */
import type { EmbeddedServer } from "../../src/db/embedded";

export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as { __wardenEmbedded?: EmbeddedServer }).__wardenEmbedded;
  if (embedded?.startedHere) await embedded.stop();
}
