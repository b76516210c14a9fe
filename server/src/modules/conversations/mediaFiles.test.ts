import { isMediaId, MediaCache, safeMediaType } from "./mediaFiles";

const file = (bytes: number, contentType = "image/png") => ({ contentType, data: Buffer.alloc(bytes) });

describe("media files shown in the console", () => {
  it("keeps the most recently used files within its byte budget", () => {
    const cache = new MediaCache(10, 6);
    cache.set("a", file(4));
    cache.set("b", file(4));
    expect(cache.get("a")).toBeDefined(); // a is now the most recent
    cache.set("c", file(4)); // 12 bytes > 10: the least recently used (b) goes
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBeDefined();
    expect(cache.get("c")).toBeDefined();
    expect(cache.size).toBe(2);
  });

  it("does not keep a file bigger than an entry may be, and replaces a file stored again", () => {
    const cache = new MediaCache(10, 6);
    cache.set("video", file(7));
    expect(cache.get("video")).toBeUndefined();
    cache.set("a", file(5));
    cache.set("a", file(5));
    cache.set("b", file(5));
    expect(cache.size).toBe(2);
  });

  it("accepts WeChat's media ids and nothing that could leave the path", () => {
    expect(isMediaId("Cx7-s2kQ_9a0WEYxXmGsu8aX3k0p1CQbqoF4dTCe8s0")).toBe(true);
    expect(isMediaId("../token")).toBe(false);
    expect(isMediaId("a b")).toBe(false);
    expect(isMediaId("")).toBe(false);
    expect(isMediaId("x".repeat(129))).toBe(false);
  });

  it("passes on image, audio and video types, and serves anything else as a download", () => {
    expect(safeMediaType("image/jpeg")).toBe("image/jpeg");
    expect(safeMediaType("audio/amr")).toBe("audio/amr");
    expect(safeMediaType("Video/MP4; charset=binary")).toBe("video/mp4");
    expect(safeMediaType("text/html")).toBe("application/octet-stream");
    expect(safeMediaType("image/svg+xml")).toBe("application/octet-stream");
  });
});
