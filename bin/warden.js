#!/usr/bin/env node
// The `warden` command (package.json bin): runs the compiled CLI (built by `npm install`/`npm ci` via prepare).
require("../dist/src/cli/main.js").runCli();
