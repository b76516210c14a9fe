import { ApiError } from "../api/ApiError";

/**
 * The server's 400 `invalid_input` lists every problem with its path ("tiers.0.unitPriceFen"); the forms
 * show each under its field, keyed by the path's first segment (the first problem per field wins).
 * Empty when the error is not about fields (it is shown as a toast instead).
 */
export function fieldErrors(error: unknown): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!(error instanceof ApiError) || error.code !== "invalid_input" || !Array.isArray(error.details)) return errors;
  for (const issue of error.details as { path?: unknown; message?: unknown }[]) {
    const field = typeof issue.path === "string" ? issue.path.split(".")[0] : "";
    if (field && typeof issue.message === "string" && !(field in errors)) errors[field] = issue.message;
  }
  return errors;
}
