/**
 * `npx warden` on the system's Node (20 on these machines, while Warden runs
 * on the Node 22 of the `node` npm package) prints nothing but Warden's own
 * output: no EBADENGINE warnings. package.json's `devEngines` (the Node and
 * npm that develop the project: >= 20) makes npm skip the root package's
 * `engines` check, while `engines` keeps saying Warden's runtime is Node 22.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = path.join(__dirname, "../..");

/** The npx of the system's npm, run by the system's node (not node_modules/.bin's Node 22). */
function systemNpx(): { node: string; npx: string } | null {
  for (const node of ["/usr/bin/node", "/usr/local/bin/node"]) {
    for (const npx of ["/usr/lib/node_modules/npm/bin/npx-cli.js", "/usr/local/lib/node_modules/npm/bin/npx-cli.js"]) {
      if (fs.existsSync(node) && fs.existsSync(npx)) return { node, npx };
    }
  }
  return null;
}

test("npx warden --version on the system Node prints the version and no engine warnings", async () => {
  const sys = systemNpx();
  if (!sys) throw new Error("no system node and npm found (/usr/bin/node, /usr/lib/node_modules/npm): these machines have them");
  const { stdout: nodeVersion } = await run(sys.node, ["--version"]);
  const pathWithoutLocalBin = (process.env.PATH ?? "").split(path.delimiter).filter((d) => !d.includes("node_modules")).join(path.delimiter);
  const { stdout, stderr } = await run(sys.node, [sys.npx, "warden", "--version"], {
    cwd: ROOT,
    env: { ...process.env, PATH: `${path.dirname(sys.node)}${path.delimiter}${pathWithoutLocalBin}` },
  });
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  expect({ node: nodeVersion.trim(), stdout, stderr }).toEqual({ node: nodeVersion.trim(), stdout: `warden ${version}\n`, stderr: "" });
  // The runtime requirement stays stated.
  expect(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).engines.node).toBe(">=22");
});
