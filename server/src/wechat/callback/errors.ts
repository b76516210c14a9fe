/**
 * Why a callback request was refused. The reason is logged and is the only thing a prober learns, so it is a
 * short machine word; the message is the short English body we answer with.
 */
export type CallbackRejectionReason =
  | "bad_signature"
  | "undecryptable"
  | "appid_mismatch"
  | "malformed_xml"
  | "doctype_refused"
  | "body_too_large"
  | "body_unreadable"
  | "missing_encrypt"
  | "aes_not_configured";

const defaultMessages: Record<CallbackRejectionReason, string> = {
  bad_signature: "signature mismatch",
  undecryptable: "message could not be decrypted",
  appid_mismatch: "message is for another app",
  malformed_xml: "malformed XML",
  doctype_refused: "DOCTYPE and ENTITY declarations are not accepted",
  body_too_large: "body too large",
  body_unreadable: "body could not be read",
  missing_encrypt: "Encrypt element missing",
  aes_not_configured: "encrypted mode is not configured",
};

/** Bad input from the caller (never our fault): answered with a 4xx so WeChat does not treat it as an outage. */
export class CallbackError extends Error {
  constructor(
    readonly status: 400 | 401 | 413,
    readonly reason: CallbackRejectionReason,
    message?: string,
  ) {
    super(message ?? defaultMessages[reason]);
    this.name = "CallbackError";
  }
}
