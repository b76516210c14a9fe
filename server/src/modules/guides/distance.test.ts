import { distanceLabel, distanceMeters, sortByDistance } from "./distance";

describe("outlet distances", () => {
  it("measures a known distance: Beijing Tiananmen to Shanghai People's Square is about 1,067 km", () => {
    const km = distanceMeters({ latitude: 39.9087, longitude: 116.3975 }, { latitude: 31.2304, longitude: 121.4737 }) / 1000;
    expect(km).toBeGreaterThan(1060);
    expect(km).toBeLessThan(1075);
  });

  it("is zero for the same point and symmetric", () => {
    const a = { latitude: 30.25, longitude: 120.16 };
    const b = { latitude: 30.27, longitude: 120.2 };
    expect(distanceMeters(a, a)).toBe(0);
    expect(distanceMeters(a, b)).toBeCloseTo(distanceMeters(b, a), 6);
  });

  it("one degree of latitude is about 111 km", () => {
    expect(distanceMeters({ latitude: 0, longitude: 0 }, { latitude: 1, longitude: 0 })).toBeCloseTo(111_195, -2);
  });

  it("sorts nearest first with distances in metres, and by name without a position", () => {
    const outlets = [
      { name: "乙网点", latitude: 30.3, longitude: 120.2 },
      { name: "甲网点", latitude: 30.26, longitude: 120.17 },
      { name: "丙网点", latitude: 30.25, longitude: 120.16 },
    ];
    const near = sortByDistance(outlets, { latitude: 30.25, longitude: 120.16 });
    expect(near.map((o) => o.name)).toEqual(["丙网点", "甲网点", "乙网点"]);
    expect(near[0].distanceMeters).toBe(0);
    expect(near[1].distanceMeters).toBeGreaterThan(1000);
    const byName = sortByDistance(outlets, null);
    expect(byName.every((o) => o.distanceMeters === null)).toBe(true);
    expect(byName.map((o) => o.name)).toEqual([...outlets.map((o) => o.name)].sort(new Intl.Collator("zh-CN").compare));
  });

  it("labels metres and kilometres", () => {
    expect(distanceLabel(850)).toBe("850 米");
    expect(distanceLabel(1234)).toBe("1.2 公里");
  });
});
