/** Imported first by the CLI: process-wide defaults that must precede other imports. */
process.env.GRAPHILE_ENV ??= process.env.NODE_ENV === "production" ? "production" : "development";
export {};
