import { reorder } from "./ordering";

describe("moving a row among its siblings", () => {
  const ids = ["a", "b", "c", "d"];

  it("moves to the top and to the bottom", () => {
    expect(reorder(ids, "c", "top")).toEqual(["c", "a", "b", "d"]);
    expect(reorder(ids, "b", "bottom")).toEqual(["a", "c", "d", "b"]);
  });

  it("moves one place up and down", () => {
    expect(reorder(ids, "c", "up")).toEqual(["a", "c", "b", "d"]);
    expect(reorder(ids, "b", "down")).toEqual(["a", "c", "b", "d"]);
  });

  it("stays put at the edges and for unknown ids", () => {
    expect(reorder(ids, "a", "up")).toEqual(ids);
    expect(reorder(ids, "d", "down")).toEqual(ids);
    expect(reorder(ids, "x", "top")).toEqual(ids);
  });
});
