import type { DataSource } from "typeorm";
import type { Clock } from "../../infra/clock";
import { newId } from "../../infra/ids";
import { Complaint } from "../complaints/complaint.entity";
import { createComplaint } from "../complaints/complaints";
import { Application, ApplicationEvent } from "./application.entity";
import { FanUpload } from "./fanUpload.entity";
import { ticketNumber } from "./fanNotice";

/** A placeholder ID-card photo for the demo (a 1×1 PNG): the console shows where the fan's photos go. */
const DEMO_PHOTO = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");

/**
 * Demo data for the embedded default: one application waiting to be accepted and one complaint waiting in
 * the complaint center, so both console pages have something to handle. Seeded once, into empty tables.
 */
export async function seedApplicationsDemo(dataSource: DataSource, clock: Clock, fans: { openid: string; nickname: string }[]): Promise<void> {
  const [first, second] = fans;
  if (!first || !second) return;
  const now = clock.now();
  if ((await dataSource.getRepository(Application).count()) === 0) {
    await dataSource.transaction(async (manager) => {
      const id = newId();
      const photos = [newId(), newId()];
      for (const photoId of photos) {
        await manager.getRepository(FanUpload).insert({
          id: photoId,
          fanOpenid: first.openid,
          kind: "image",
          contentType: "image/png",
          sizeBytes: DEMO_PHOTO.length,
          data: DEMO_PHOTO,
          attachedTo: `application:${id}`,
          createdAt: now,
        });
      }
      await manager.getRepository(Application).insert({
        id,
        number: ticketNumber("SQ", now),
        fanOpenid: first.openid,
        type: "account_change",
        status: "submitted",
        ownerName: "张建国",
        customerNumber: "310100001",
        idNumber: "11010519491231002X",
        idFrontUploadId: photos[0],
        idBackUploadId: photos[1],
        area: "城东片区",
        address: "滨江路 88 号",
        detailAddress: "3 栋 2 单元 501",
        phone: "13900000001",
        remark: "房屋已过户给子女，申请变更户主",
        feeFen: 0,
        paidAt: null,
        paymentOrderId: null,
        rejectReason: null,
        handlerId: null,
        version: 0,
        createdAt: now,
        updatedAt: now,
      });
      await manager.getRepository(ApplicationEvent).insert({
        id: newId(),
        applicationId: id,
        fromStatus: null,
        toStatus: "submitted",
        actorType: "fan",
        actorId: first.openid,
        actorName: null,
        note: null,
        at: now,
      });
    });
  }
  if ((await dataSource.getRepository(Complaint).countBy({ source: "h5" })) === 0) {
    await dataSource.transaction(async (manager) => {
      await createComplaint(
        manager,
        {
          fanOpenid: second.openid,
          source: "h5",
          category: "complaint",
          title: "人民路 12 号小区早晚用水高峰水压偏低",
          content: "人民路 12 号小区早晚用水高峰水压偏低，六楼以上热水器经常打不着火，已经持续一周了，希望尽快处理。",
          location: { lat: 31.2304, lng: 121.4737, label: "人民路 12 号" },
          customerNumber: "310100002",
        },
        clock,
      );
    });
  }
}
