import type { ValidationIssue } from "./types";

/** Request-location prefixes FastAPI puts in front of the field path. */
const LOCATION_PREFIXES = new Set(["body", "query", "path", "header", "cookie"]);

function isIssue(value: unknown): value is ValidationIssue {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.msg === "string" && Array.isArray(v.loc);
}

/** "body.url" → "url"; ["body", "zones", 0, "name"] → "zones.0.name". */
export function fieldPath(loc: readonly (string | number)[]): string {
  const parts = loc.map(String);
  if (parts.length > 0 && LOCATION_PREFIXES.has(parts[0])) parts.shift();
  return parts.join(".");
}

/**
 * Turns a FastAPI error `detail` (a string, or a pydantic list of {loc, msg, type})
 * into one human-readable line per problem: "field: msg".
 * Returns an empty list when the detail carries nothing readable.
 */
export function formatDetailLines(detail: unknown): string[] {
  if (typeof detail === "string") return detail.trim() ? [detail.trim()] : [];
  if (Array.isArray(detail)) {
    return detail.flatMap((item): string[] => {
      if (isIssue(item)) {
        const field = fieldPath(item.loc);
        return [field ? `${field}: ${item.msg}` : item.msg];
      }
      if (typeof item === "string") return [item];
      return [];
    });
  }
  if (isIssue(detail)) return formatDetailLines([detail]);
  return [];
}

/** Same as formatDetailLines, joined with "; ". */
export function formatDetail(detail: unknown): string {
  return formatDetailLines(detail).join("; ");
}
