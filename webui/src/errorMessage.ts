import type { TFunction } from "i18next";
import { ApiError, NetworkError } from "./api";

/** Readable lines for an error thrown by the API client, translated where the server gave none. */
export function errorLines(err: unknown, t: TFunction): string[] {
  if (err instanceof ApiError) {
    if (err.lines.length > 0) return err.lines;
    if (err.status === 403) return [t("error.forbidden")];
    return [t("error.http", { status: err.status })];
  }
  if (err instanceof NetworkError) return [t("error.network")];
  if (err instanceof Error) return [err.message];
  return [String(err)];
}
