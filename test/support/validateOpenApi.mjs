// Validates the OpenAPI document on stdin with @seriousme/openapi-schema-validator
// (an ES module that relies on import.meta, so it runs in its own Node process
// rather than inside jest's CommonJS runtime). Prints {valid, version, errors}.
import { Validator } from "@seriousme/openapi-schema-validator";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const validator = new Validator();
const result = await validator.validate(JSON.parse(input));
process.stdout.write(JSON.stringify({ valid: result.valid, version: validator.version, errors: result.errors ?? null }));
