import type { KeyValueStore } from "../../infra/kv/keyValueStore";
import type { PassiveReply } from "../../wechat/callback/messages";
import type { ReplyHook } from "../inbox/inbox";
import { isBindingScene, type BindingQrService } from "./bindingQr";
import { isLoginScene, type LoginQrService } from "./loginQr";

/** How long a scan's answer is remembered, so a re-run of the hook (the inbox sweep) answers the same. */
const ANSWER_TTL_MS = 24 * 3600_000;

/**
 * Scans of our agent QR codes, as a follower (SCAN) or by following through them (subscribe):
 * `bind_…` binds the scanner's WeChat to an agent, `login_…` logs an agent in. The scanner gets a
 * passive text reply either way. Idempotent per inbound message: the answer is kept by inbound id.
 */
export function agentScanHook(deps: { kv: KeyValueStore; binding: BindingQrService; login: LoginQrService }): ReplyHook {
  return async (message, context) => {
    if (message.kind !== "scan" && message.kind !== "subscribe") return null;
    const scene = message.sceneKey;
    if (!scene || !(isBindingScene(scene) || isLoginScene(scene))) return null;
    const answerKey = `agent-scan-answer:${context.inboundId}`;
    const remembered = await deps.kv.get(answerKey);
    if (remembered) return JSON.parse(remembered) as PassiveReply;
    const answer = isBindingScene(scene) ? await deps.binding.scanned(message.fromUserName, scene) : await deps.login.scanned(message.fromUserName, scene);
    await deps.kv.set(answerKey, JSON.stringify(answer), ANSWER_TTL_MS);
    return answer;
  };
}
