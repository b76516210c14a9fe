import { In } from "typeorm";
import { Agent } from "../src/modules/agents/agent.entity";
import { AGENT_STATUS_SERVICE, type AgentStatusService } from "../src/modules/agents/agentStatus";
import type { RunningServer } from "../src/server";
import { api, conversations, eventually, fanSays, follower, makeAgent, startHarness, type Harness } from "./conversationsHelpers";

/** Automatic assignment with several instances ticking at once on MariaDB + Redis. */
describe("automatic assignment (two instances on MariaDB + Redis)", () => {
  let h: Harness;
  let a: RunningServer;
  let b: RunningServer;

  beforeAll(async () => {
    h = await startHarness("convassign", 2);
    [a, b] = h.servers;
  });

  afterAll(async () => {
    await h?.close();
  });

  const query = (sql: string, params: unknown[] = []) => a.dataSource.query(sql, params);
  const activeOf = async (agentId: string) => Number((await query("SELECT COUNT(*) AS n FROM conversation WHERE agent_id = ? AND status = 'active'", [agentId]))[0].n);
  const online = (ids: string[]) => a.dataSource.getRepository(Agent).update({ id: In(ids) }, { status: "online" });

  async function queue(prefix: string, count: number): Promise<string[]> {
    const openids: string[] = [];
    for (let i = 0; i < count; i++) {
      const openid = follower(h.fake, `${prefix}${String(i).padStart(4, "0")}`);
      await fanSays(h, openid, `第${i + 1}位`);
      h.clock.advance(1000);
      openids.push(openid);
    }
    return openids;
  }

  it("never exceeds any agent's capacity, gives the fewest-loaded first, FIFO, and nothing to busy, away or manual agents", async () => {
    const auto = { autoAccept: true, greeting: "" };
    const small = await makeAgent(a, { status: "offline", capacity: 2, settings: auto });
    const large = await makeAgent(a, { status: "offline", capacity: 3, settings: auto });
    const busy = await makeAgent(a, { status: "offline", capacity: 0, settings: auto });
    const away = await makeAgent(a, { status: "away", capacity: 5, settings: auto });
    const manual = await makeAgent(a, { status: "offline", capacity: 5, settings: { autoAccept: false } });

    // The large agent already serves one conversation (accepted by hand).
    const [first] = await queue("oAssignPre", 1);
    const [pre] = await query("SELECT id FROM conversation WHERE fan_openid = ?", [first]);
    await online([large.id]);
    await a.dataSource.getRepository(Agent).update({ id: large.id }, { settings: { ...large.settings, autoAccept: false } });
    expect((await api(a, "POST", `/api/console/conversations/${pre.id}/accept`, { cookie: large.cookie })).status).toBe(200);
    await a.dataSource.getRepository(Agent).update({ id: large.id }, { settings: large.settings });

    const fans = await queue("oAssignMany", 12);
    await online([small.id, busy.id, manual.id]);

    // Ticks on both instances at once, some bypassing the tick lock: only the agents' row locks stand between them.
    const jobsA = conversations(a).jobs;
    const jobsB = conversations(b).jobs;
    await Promise.all([
      jobsA.assignOnce({ waitForLock: true }),
      jobsB.assignOnce({ waitForLock: true }),
      ...Array.from({ length: 6 }, (_, i) => (i % 2 ? jobsA : jobsB).assignWaiting()),
    ]);
    await jobsA.assignOnce({ waitForLock: true });

    expect(await activeOf(small.id)).toBe(2);
    expect(await activeOf(large.id)).toBe(3);
    for (const agent of [busy, away, manual]) expect(await activeOf(agent.id)).toBe(0);

    const assigned = await query("SELECT fan_openid FROM conversation WHERE status = 'active' AND fan_openid LIKE 'oAssignMany%' ORDER BY fan_openid");
    expect(assigned.map((row: { fan_openid: string }) => row.fan_openid)).toEqual(fans.slice(0, 4));
    expect(await query("SELECT COUNT(*) AS n FROM conversation WHERE status = 'waiting'")).toEqual([{ n: "8" }]);
    expect(await query("SELECT COUNT(*) AS n FROM conversation_event WHERE type = 'accepted' AND detail LIKE '%auto%'")).toEqual([{ n: "4" }]);
    expect(h.pushes.filter((p) => p.event === "conversation:assigned" && p.target === `agent:${small.id}`)).toHaveLength(2);

    // Freeing a slot (closing one) lets the next waiting fan in, still within capacity.
    const [mine] = await query("SELECT id FROM conversation WHERE agent_id = ? AND status = 'active' LIMIT 1", [small.id]);
    await api(a, "POST", `/api/console/conversations/${mine.id}/close`, { cookie: small.cookie, body: { outcome: "resolved" } });
    await eventually(async () => (await activeOf(small.id)) === 2);
    await Promise.all([jobsA.assignWaiting(), jobsB.assignWaiting(), jobsA.assignWaiting()]);
    expect(await activeOf(small.id)).toBe(2);
    expect(await query("SELECT COUNT(*) AS n FROM conversation WHERE status = 'waiting'")).toEqual([{ n: "7" }]);

    // Going online with auto-accept takes waiting fans at once (the status service tells the assigner).
    const late = await makeAgent(a, { status: "offline", capacity: 1, settings: auto });
    await (a.context.services.get(AGENT_STATUS_SERVICE) as AgentStatusService).setStatus(late.id, "online");
    await eventually(async () => (await activeOf(late.id)) === 1);
  });

  it("never assigns beyond capacity when assignments to one agent race on both instances", async () => {
    await query("UPDATE agent SET status = 'offline'");
    await query("UPDATE conversation SET status = 'closed', open_fan_openid = NULL WHERE status = 'waiting'");
    const agent = await makeAgent(a, { status: "offline", capacity: 2, settings: { autoAccept: true, greeting: "" } });
    const fans = await queue("oAssignRace", 10);
    const ids: string[] = (await query("SELECT id FROM conversation WHERE status = 'waiting' AND fan_openid LIKE 'oAssignRace%'")).map((row: { id: string }) => row.id);
    expect(ids).toHaveLength(fans.length);
    await online([agent.id]);
    const results = await Promise.all(ids.map((id, i) => conversations(i % 2 ? a : b).jobs.assignIfUnderCapacity(id, agent.id)));
    expect(results.filter(Boolean)).toHaveLength(2);
    expect(await activeOf(agent.id)).toBe(2);
  });

  it("gives a returning fan to their previous agent when that agent can take more", async () => {
    // A clean slate: nobody online, nobody else waiting.
    await query("UPDATE agent SET status = 'offline'");
    await query("UPDATE conversation SET status = 'closed', open_fan_openid = NULL WHERE status = 'waiting'");
    const auto = { autoAccept: true, greeting: "" };
    const previous = await makeAgent(a, { capacity: 3, settings: auto });
    const [openid] = await queue("oAssignBack", 1);
    const [conversation] = await query("SELECT id FROM conversation WHERE fan_openid = ?", [openid]);
    await eventually(async () => (await query("SELECT status FROM conversation WHERE id = ?", [conversation.id]))[0].status === "active");
    expect((await query("SELECT agent_id FROM conversation WHERE id = ?", [conversation.id]))[0].agent_id).toBe(previous.id);

    // Idle 30 minutes → released; another agent comes online with nothing to do; the fan writes again.
    h.clock.advance(31 * 60_000);
    await conversations(a).jobs.runTimersOnce({ waitForLock: true });
    await makeAgent(a, { capacity: 3, settings: auto });
    await fanSays(h, openid, "我又来了");
    await eventually(async () => (await query("SELECT status FROM conversation WHERE id = ?", [conversation.id]))[0].status === "active");
    expect(await query("SELECT agent_id FROM conversation WHERE id = ?", [conversation.id])).toEqual([{ agent_id: previous.id }]);
    expect(await query("SELECT type FROM conversation_event WHERE conversation_id = ? ORDER BY at DESC, id DESC LIMIT 1", [conversation.id])).toEqual([{ type: "reaccepted" }]);
  });
});
