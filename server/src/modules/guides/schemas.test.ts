import { DEMO_PRICE_TIERS } from "../water/tariff";
import { feeStandardSchema, tierProblem } from "./schemas";

describe("fee standard tiers", () => {
  it("accept the billing tariff's shape and a flat price", () => {
    expect(tierProblem(DEMO_PRICE_TIERS)).toBeNull();
    expect(tierProblem([{ lowerM3: 0, upperM3: null, unitPriceFen: 520 }])).toBeNull();
  });

  it.each([
    [[{ lowerM3: 1, upperM3: null, unitPriceFen: 1 }], "第 1 阶梯必须从 0 立方米开始"],
    [
      [
        { lowerM3: 0, upperM3: 18, unitPriceFen: 1 },
        { lowerM3: 17, upperM3: null, unitPriceFen: 2 },
      ],
      "第 2 阶梯的起始水量必须等于第 1 阶梯的截止水量（18）",
    ],
    [
      [
        { lowerM3: 0, upperM3: null, unitPriceFen: 1 },
        { lowerM3: 0, upperM3: null, unitPriceFen: 2 },
      ],
      "只有最后一个阶梯可以不设上限（第 1 阶梯未设上限）",
    ],
    [
      [
        { lowerM3: 0, upperM3: 0, unitPriceFen: 1 },
        { lowerM3: 0, upperM3: null, unitPriceFen: 2 },
      ],
      "第 1 阶梯的截止水量必须大于起始水量",
    ],
    [[{ lowerM3: 0, upperM3: 18, unitPriceFen: 1 }], "最后一个阶梯必须不设上限，否则超出的水量无价可算"],
  ])("refuse %j: %s", (tiers, message) => {
    expect(tierProblem(tiers)).toBe(message);
  });

  it("report the tier problem at `tiers` and default the optional fields", () => {
    const parsed = feeStandardSchema.safeParse({ name: "x", tiers: [{ lowerM3: 0, upperM3: 5, unitPriceFen: 1 }] });
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(parsed.error.issues[0]).toMatchObject({ path: ["tiers"], message: "最后一个阶梯必须不设上限，否则超出的水量无价可算" });
    expect(feeStandardSchema.parse({ name: "x", tiers: [{ lowerM3: 0, upperM3: null, unitPriceFen: 1 }] })).toMatchObject({
      period: "month",
      billingTariff: false,
      description: "",
      notes: "",
      position: 0,
    });
  });
});
