import type { DataSource } from "typeorm";
import type { Clock } from "../../infra/clock";
import { newId } from "../../infra/ids";
import { verifyPassword } from "../agents/passwords";
import { isDuplicateKey, lockingQuery, withTransaction } from "../conversations/db";
import { WaterAccount, WaterBill, WaterMeterReading, WaterPayment } from "./billing.entity";
import {
  BillingRejectedError,
  type Bill,
  type BillingAccount,
  type BillingGateway,
  type MeterReading,
  type PaymentRecord,
  type PaymentResult,
  type RefundRecord,
  type RefundRecordResult,
} from "./billingGateway";

/** Owner names compare without spaces and width differences (全角/半角). */
export function normalizeName(name: string): string {
  return name.normalize("NFKC").replace(/\s+/g, "");
}

function presentBill(row: WaterBill): Bill {
  return {
    month: row.month,
    previousReading: row.previousReading,
    currentReading: row.currentReading,
    volumeM3: row.volumeM3,
    amountFen: row.amountFen,
    tiers: row.tiers,
    status: row.status,
    issuedAt: row.issuedAt,
    paidAt: row.paidAt,
  };
}

/** The billing system kept in our own database (water_account, water_bill, …). */
export class BuiltinBillingGateway implements BillingGateway {
  readonly kind = "builtin" as const;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  private account(customerNumber: string): Promise<WaterAccount | null> {
    return this.dataSource.getRepository(WaterAccount).findOneBy({ customerNumber });
  }

  async findAccount(customerNumber: string): Promise<BillingAccount | null> {
    const row = await this.account(customerNumber);
    return row ? { customerNumber: row.customerNumber, ownerName: row.ownerName, address: row.address, area: row.area, balanceFen: row.balanceFen } : null;
  }

  async checkOwner(customerNumber: string, ownerName: string, queryPassword: string): Promise<boolean> {
    const row = await this.account(customerNumber);
    // The password is checked even for an unknown account or a wrong name: every failure costs the same time.
    const passwordOk = await verifyPassword(queryPassword, row?.queryPasswordHash ?? null);
    return Boolean(row) && passwordOk && normalizeName(row!.ownerName) === normalizeName(ownerName);
  }

  async meterReadings(customerNumber: string, limit: number): Promise<MeterReading[]> {
    const row = await this.account(customerNumber);
    if (!row) return [];
    const readings = await this.dataSource.getRepository(WaterMeterReading).find({ where: { accountId: row.id }, order: { readAt: "DESC" }, take: limit });
    return readings.map((reading) => ({ reading: reading.reading, readAt: reading.readAt }));
  }

  async bills(customerNumber: string, months: number): Promise<Bill[]> {
    const row = await this.account(customerNumber);
    if (!row) return [];
    const bills = await this.dataSource.getRepository(WaterBill).find({ where: { accountId: row.id }, order: { month: "DESC" }, take: months });
    return bills.map(presentBill);
  }

  async bill(customerNumber: string, month: string): Promise<Bill | null> {
    const row = await this.account(customerNumber);
    if (!row) return null;
    const bill = await this.dataSource.getRepository(WaterBill).findOneBy({ accountId: row.id, month });
    return bill ? presentBill(bill) : null;
  }

  async balance(customerNumber: string): Promise<number | null> {
    return (await this.account(customerNumber))?.balanceFen ?? null;
  }

  /**
   * Credits the amount to the account and settles unpaid bills oldest first while the credit covers them,
   * under the account's row lock. A payment reference seen before returns its first result.
   */
  async recordPayment(customerNumber: string, payment: PaymentRecord): Promise<PaymentResult> {
    if (!Number.isInteger(payment.amountFen) || payment.amountFen <= 0) throw new BillingRejectedError("amount must be a positive number of fen");
    try {
      return await withTransaction(this.dataSource, async (manager) => {
        const earlier = await manager.getRepository(WaterPayment).findOneBy({ paymentRef: payment.paymentRef });
        if (earlier) return { paymentRef: earlier.paymentRef, balanceFen: earlier.balanceAfterFen, settledMonths: earlier.settledMonths };
        const account = await lockingQuery(manager, WaterAccount, "a").where("a.customer_number = :customerNumber", { customerNumber }).getOne();
        if (!account) throw new BillingRejectedError(`unknown account ${customerNumber}`);
        let balance = account.balanceFen + payment.amountFen;
        const settled: string[] = [];
        const unpaid = await manager.getRepository(WaterBill).find({ where: { accountId: account.id, status: "unpaid" }, order: { month: "ASC" } });
        for (const bill of unpaid) {
          if (bill.amountFen > balance) break;
          balance -= bill.amountFen;
          settled.push(bill.month);
          await manager.getRepository(WaterBill).update({ id: bill.id }, { status: "paid", paidAt: payment.paidAt });
        }
        const now = this.clock.now();
        await manager.getRepository(WaterAccount).update({ id: account.id }, { balanceFen: balance, updatedAt: now });
        await manager.getRepository(WaterPayment).insert({
          id: newId(),
          accountId: account.id,
          paymentRef: payment.paymentRef,
          amountFen: payment.amountFen,
          settledMonths: settled,
          balanceAfterFen: balance,
          paidAt: payment.paidAt,
          createdAt: now,
        });
        return { paymentRef: payment.paymentRef, balanceFen: balance, settledMonths: settled };
      });
    } catch (error) {
      // The same reference recorded concurrently: the other call won; answer with its result.
      if (isDuplicateKey(error)) {
        const earlier = await this.dataSource.getRepository(WaterPayment).findOneByOrFail({ paymentRef: payment.paymentRef });
        return { paymentRef: earlier.paymentRef, balanceFen: earlier.balanceAfterFen, settledMonths: earlier.settledMonths };
      }
      throw error;
    }
  }

  /**
   * Takes a refund back from the account under its row lock. Stored in water_payment as a row with a
   * negative amount whose settled_months are the months it reopened, so the reference is idempotent the
   * same way and the table sums to what the account really received.
   */
  async recordRefund(customerNumber: string, refund: RefundRecord): Promise<RefundRecordResult> {
    if (!Number.isInteger(refund.amountFen) || refund.amountFen <= 0) throw new BillingRejectedError("refund must be a positive number of fen");
    const earlierResult = (row: WaterPayment): RefundRecordResult => ({ refundRef: row.paymentRef, balanceFen: row.balanceAfterFen, reopenedMonths: row.settledMonths });
    try {
      return await withTransaction(this.dataSource, async (manager) => {
        const payments = manager.getRepository(WaterPayment);
        const earlier = await payments.findOneBy({ paymentRef: refund.refundRef });
        if (earlier) return earlierResult(earlier);
        const account = await lockingQuery(manager, WaterAccount, "a").where("a.customer_number = :customerNumber", { customerNumber }).getOne();
        if (!account) throw new BillingRejectedError(`unknown account ${customerNumber}`);
        const payment = await payments.findOneBy({ paymentRef: refund.paymentRef, accountId: account.id });
        if (!payment || payment.amountFen <= 0) throw new BillingRejectedError(`unknown payment ${refund.paymentRef} on account ${customerNumber}`);
        let balance = account.balanceFen - refund.amountFen;
        const reopened: string[] = [];
        // What the refund takes back first comes out of unused credit; only then are the bills it paid reopened.
        for (const month of [...payment.settledMonths].sort().reverse()) {
          if (balance >= 0) break;
          const bill = await manager.getRepository(WaterBill).findOneBy({ accountId: account.id, month, status: "paid" });
          if (!bill) continue;
          await manager.getRepository(WaterBill).update({ id: bill.id }, { status: "unpaid", paidAt: null });
          balance += bill.amountFen;
          reopened.push(month);
        }
        const now = this.clock.now();
        await manager.getRepository(WaterAccount).update({ id: account.id }, { balanceFen: balance, updatedAt: now });
        await payments.insert({
          id: newId(),
          accountId: account.id,
          paymentRef: refund.refundRef,
          amountFen: -refund.amountFen,
          settledMonths: reopened,
          balanceAfterFen: balance,
          paidAt: refund.refundedAt,
          createdAt: now,
        });
        return { refundRef: refund.refundRef, balanceFen: balance, reopenedMonths: reopened };
      });
    } catch (error) {
      if (isDuplicateKey(error)) return earlierResult(await this.dataSource.getRepository(WaterPayment).findOneByOrFail({ paymentRef: refund.refundRef }));
      throw error;
    }
  }
}
