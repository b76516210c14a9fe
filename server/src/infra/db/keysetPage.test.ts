import { keysetPage } from "./keysetPage";

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `id-${9 - i}` }));

describe("keysetPage", () => {
  it("returns the page and the last id shown as the cursor when there is one more row", () => {
    expect(keysetPage(rows(4), 3)).toEqual({ page: rows(3), nextBefore: "id-7" });
  });

  it("has no cursor on the last page (exactly `limit` rows or fewer)", () => {
    expect(keysetPage(rows(3), 3)).toEqual({ page: rows(3), nextBefore: null });
    expect(keysetPage(rows(1), 3)).toEqual({ page: rows(1), nextBefore: null });
    expect(keysetPage([], 3)).toEqual({ page: [], nextBefore: null });
  });
});
