/** The JWT signing secret: WARDEN_JWT_SECRET, or generated and kept in the state directory. */
import type { WardenConfig } from "../config";
import { loadSecrets } from "../state";

export function jwtSecret(config: WardenConfig): string {
  return config.jwtSecret ?? loadSecrets(config.stateDir).jwtSecret;
}
