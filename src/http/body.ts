/**
 * What every JSON request body must satisfy, for the Express parser and the
 * ingest fast path alike: at most 1 MiB, and UTF-8 without invalid bytes.
 */

/** Largest accepted request body in bytes (413 above). */
export const BODY_LIMIT = 1024 * 1024;

/** Decodes without replacement characters: throws on bytes that are not UTF-8 (stateless between calls). */
export const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

export const INVALID_UTF8 = "the request body is not valid UTF-8";
