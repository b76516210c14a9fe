/**
 * Newest-first paging by id. Ids are UUIDv7 (time-ordered), so "older than the last id shown" pages without
 * skipping or repeating rows written in the same millisecond, as OFFSET would when rows arrive. The caller
 * fetches `limit + 1` rows (id < before, ORDER BY id DESC); this splits them into the page and the next cursor.
 */
export function keysetPage<T extends { id: string }>(rows: T[], limit: number): { page: T[]; nextBefore: string | null } {
  const page = rows.slice(0, limit);
  return { page, nextBefore: rows.length > limit ? page[page.length - 1].id : null };
}
