import { ManualClock } from "../../infra/clock";
import { MemoryKeyValueStore } from "../../infra/kv/memoryKeyValueStore";
import { SessionStore } from "./sessions";

describe("console sessions", () => {
  it("resolves a token to its agent until it is destroyed", async () => {
    const sessions = new SessionStore(new MemoryKeyValueStore());
    const token = await sessions.create("agent-1");
    expect(await sessions.resolve(token)).toBe("agent-1");
    await sessions.destroy(token);
    expect(await sessions.resolve(token)).toBeNull();
  });

  it("ends every session of one agent and none of another's", async () => {
    const sessions = new SessionStore(new MemoryKeyValueStore());
    const [first, second, other] = [await sessions.create("agent-1"), await sessions.create("agent-1"), await sessions.create("agent-2")];
    await sessions.destroyAllOf("agent-1");
    expect(await sessions.resolve(first)).toBeNull();
    expect(await sessions.resolve(second)).toBeNull();
    expect(await sessions.resolve(other)).toBe("agent-2");
    // Sessions created afterwards are valid.
    expect(await sessions.resolve(await sessions.create("agent-1"))).toBe("agent-1");
  });

  it("expires an unused session and renews a used one", async () => {
    const clock = new ManualClock();
    const sessions = new SessionStore(new MemoryKeyValueStore(clock), 1000);
    const used = await sessions.create("agent-1");
    const idle = await sessions.create("agent-2");
    clock.advance(600);
    expect(await sessions.resolve(used)).toBe("agent-1"); // past half its life: renewed for another 1000 ms
    clock.advance(600);
    expect(await sessions.resolve(used)).toBe("agent-1");
    expect(await sessions.resolve(idle)).toBeNull();
  });

  it("refuses absent and absurd tokens without a lookup", async () => {
    const sessions = new SessionStore(new MemoryKeyValueStore());
    expect(await sessions.resolve(undefined)).toBeNull();
    expect(await sessions.resolve("x".repeat(101))).toBeNull();
  });
});
