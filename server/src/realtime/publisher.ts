/**
 * Server → console events, by name. One table, mirrored by the console's realtime connector
 * (console/src/realtime), so both sides agree on names. Payloads are the same presenter shapes the
 * REST API returns.
 */
export const REALTIME_EVENTS = [
  "queue:added", // a conversation entered the waiting queue (to all online agents)
  "queue:removed", // it left the queue: accepted, dispatched, closed (to all online agents)
  "conversation:assigned", // assigned to you: accepted, auto-assigned, transferred or dispatched to you
  "conversation:updated", // status / window / agent / outcome changed (to its agent, supervisors)
  "conversation:message", // a message in a conversation (to its agent, supervisors watching)
  "conversation:released", // expired (30 min) or released by going offline (to its agent)
  "agent:status", // an agent's status changed (to all agents: colleague lists)
  "alert", // agent has not answered for 5 min (to the agent's group and supervisors)
  "delivery:failed", // an outgoing message was refused or failed (to its agent)
  "leave:new", // a leave-message arrived off-hours (to all agents)
  "internal:message", // 内部沟通 message (to the recipient)
  "login:done", // the login QR code was scanned by a bound WeChat (to that login page)
  "login:refused", // scanned by an unbound WeChat (to that login page)
  "binding:done", // an agent's binding QR code was scanned (to admins)
  "session:ended", // this session was logged out elsewhere or the agent was deleted
] as const;

export type RealtimeEvent = (typeof REALTIME_EVENTS)[number];

/** Where modules send realtime events; the socket.io implementation fans them out across instances. */
export interface RealtimePublisher {
  toAgent(agentId: string, event: RealtimeEvent, payload: unknown): void;
  /** Supervisors and admins. */
  toSupervisors(event: RealtimeEvent, payload: unknown): void;
  toGroup(groupId: string, event: RealtimeEvent, payload: unknown): void;
  /** Every connected agent. */
  toAllAgents(event: RealtimeEvent, payload: unknown): void;
  /** The not-yet-signed-in login page that shows the QR code with this scene. */
  toLoginPage(scene: string, event: RealtimeEvent, payload: unknown): void;
}

/** Records events instead of sending them: for unit tests of modules, and for runs without a socket server. */
export class RecordingPublisher implements RealtimePublisher {
  readonly sent: { target: string; event: RealtimeEvent; payload: unknown }[] = [];
  toAgent(agentId: string, event: RealtimeEvent, payload: unknown): void {
    this.sent.push({ target: `agent:${agentId}`, event, payload });
  }
  toSupervisors(event: RealtimeEvent, payload: unknown): void {
    this.sent.push({ target: "supervisors", event, payload });
  }
  toGroup(groupId: string, event: RealtimeEvent, payload: unknown): void {
    this.sent.push({ target: `group:${groupId}`, event, payload });
  }
  toAllAgents(event: RealtimeEvent, payload: unknown): void {
    this.sent.push({ target: "agents", event, payload });
  }
  toLoginPage(scene: string, event: RealtimeEvent, payload: unknown): void {
    this.sent.push({ target: `login:${scene}`, event, payload });
  }
}
