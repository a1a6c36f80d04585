/** Result shape shared by the deterministic validators: a normalised value, or a reviewer-ready failure. */
export type ValidationResult<T extends object = object> =
  ({ ok: true; normalized: string } & T) | { ok: false; code: string; message: string; suggestion?: string };
