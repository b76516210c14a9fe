import { ApiClient, API_ROOT } from "./ApiClient";
import type { MeView } from "./types";

export interface LoginQr {
  scene: string;
  /** The QR image (WeChat's showqrcode, or the sandbox's). */
  imageUrl: string;
  expiresAt: string;
}

export type LoginSceneStatus = "pending" | "refused" | "done" | "expired";

export interface LoginSceneView {
  status: LoginSceneStatus;
  code?: string;
  expiresAt?: string;
  message?: string;
}

/** Signing in and out (server/src/http/console/login.ts). Nothing here but logout needs a session. */
export class AuthApi extends ApiClient {
  constructor() {
    super(API_ROOT);
  }

  /** A new login QR code (one per page load, valid 3 minutes, single use). */
  loginQr(): Promise<LoginQr> {
    return this.get("/login/qr", undefined, { allowUnauthorized: true });
  }

  /** The poll fallback when the socket is down. */
  loginQrStatus(scene: string): Promise<LoginSceneView> {
    return this.get(`/login/qr/${encodeURIComponent(scene)}`, undefined, { allowUnauthorized: true });
  }

  /** Trades the scanned scene's one-time code for the session cookie. */
  exchange(scene: string, code: string): Promise<MeView> {
    return this.post("/login/qr/exchange", { scene, code }, { allowUnauthorized: true });
  }

  withPassword(jobNumber: string, password: string): Promise<MeView> {
    return this.post("/login/password", { jobNumber, password }, { allowUnauthorized: true });
  }

  logout(): Promise<void> {
    return this.post("/logout", undefined, { allowUnauthorized: true });
  }
}

export const authApi = new AuthApi();
