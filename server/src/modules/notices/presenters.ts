import type { Notice, NoticeEntry } from "./notice.entity";
import { displayState, outageState } from "./noticeRules";

/** The JSON shapes of notices, for fans (public) and for the console. */

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** The first lines of the content, for list cards. */
export function excerpt(content: string, max = 80): string {
  const chars = [...content.replace(/\s+/g, " ").trim()];
  return chars.length <= max ? chars.join("") : `${chars.slice(0, max - 1).join("")}…`;
}

export function presentEntry(entry: NoticeEntry) {
  return { id: entry.id, kind: entry.kind, text: entry.text, mediaUrl: entry.mediaUrl, happenedAt: entry.happenedAt.toISOString() };
}

/** A fan's list card. `publishedAt` is when the notice took effect (its publishFrom). */
export function presentFanSummary(notice: Notice, areas: string[], now: Date) {
  return {
    id: notice.id,
    kind: notice.kind,
    outageType: notice.outageType,
    title: notice.title,
    excerpt: excerpt(notice.content),
    areas,
    startsAt: iso(notice.startsAt),
    endsAt: iso(notice.endsAt),
    outageState: notice.kind === "outage" && notice.startsAt && notice.endsAt ? outageState(notice.startsAt, notice.endsAt, now) : null,
    publishedAt: iso(notice.publishFrom),
    updatedAt: notice.updatedAt.toISOString(),
  };
}

/** A fan's detail page: the card plus the content and the repair timeline, newest update first. */
export function presentFanDetail(notice: Notice, areas: string[], entries: NoticeEntry[], now: Date) {
  return { ...presentFanSummary(notice, areas, now), content: notice.content, entries: entries.map(presentEntry) };
}

export function presentAdminNotice(notice: Notice, areas: string[], now: Date) {
  return {
    id: notice.id,
    kind: notice.kind,
    outageType: notice.outageType,
    title: notice.title,
    content: notice.content,
    areas,
    startsAt: iso(notice.startsAt),
    endsAt: iso(notice.endsAt),
    status: notice.status,
    state: displayState(notice, now),
    publishFrom: iso(notice.publishFrom),
    publishUntil: iso(notice.publishUntil),
    firstPublishedAt: iso(notice.firstPublishedAt),
    notifiedAt: iso(notice.notifiedAt),
    createdBy: notice.createdBy,
    updatedBy: notice.updatedBy,
    createdAt: notice.createdAt.toISOString(),
    updatedAt: notice.updatedAt.toISOString(),
  };
}
